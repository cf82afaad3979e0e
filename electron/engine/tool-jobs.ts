import { resolve } from 'node:path';
import type { DocId, JobId, LayerId } from './ids.js';
import { selectionOnLayer } from './document/selection.js';
import { CancelledError, GanvasError, isCancelled, toErrorInfo } from './errors.js';
import { openImage, type OpenOptions } from './images/open.js';
import { rasterPng, SmallCopies, type ScreenImage } from './images/preview.js';
import type { Raster } from './images/raster.js';
import type { EngineEvent } from './info.js';
import type { JobHost } from './jobs/host.js';
import type { RunStats } from './jobs/protocol.js';
import type { ModelStore } from './models/store.js';
import type { DocumentSession } from './session.js';
import type { Settings } from './settings.js';
import { getTool, type ToolId } from './tools/registry.js';
import type { ToolSpec } from './tools/spec.js';
import type { ToolResult } from './tools/tool.js';

/** What tool jobs use from the engine. */
export interface ToolJobServices {
  jobs: JobHost;
  store: ModelStore;
  document(id: DocId): DocumentSession;
  isOpen(docId: DocId): boolean;
  /** Where a result goes: a new layer or the source layer's new pixels (a setting). */
  aiResult(): Settings['aiResult'];
  /** Autosave after each result (the app). */
  autosave: boolean;
  open: OpenOptions;
  emit(e: EngineEvent): void;
  onEvent(listener: (e: EngineEvent) => void): () => void;
}

type JobEnd = Extract<EngineEvent, { type: 'job-done' | 'job-cancelled' | 'job-failed' }>;

/** Tools run as jobs on the inference thread: on a document's layer, on a preview copy, or on a batch's pixels. */
/** The long side of the copy a tool's advice is judged on: its overall look, not its detail. */
const ADVICE_SIDE = 256;

export class ToolJobs {
  private readonly running = new Map<JobId, { docId: DocId; cancel: () => void; cancelled: boolean }>();
  private readonly smallCopies = new SmallCopies();

  constructor(private readonly services: ToolJobServices) {}

  /**
   * Starts a tool on a layer. The document is untouched until the result arrives (job-done), so
   * a cancel or failure leaves it as it was. The result becomes a new layer above the source, or
   * (setting "replace") the source's new pixels as one step of its history. A result with more
   * pixels than the layer's place on the canvas grows the canvas so nothing is thrown away.
   * `showParts`: the finished parts of the result are sent as they come (job-part), placed on the
   * canvas, for whoever shows the result growing.
   */
  run(docId: DocId, layerId: LayerId, toolId: ToolId, rawParams: unknown, extra: { reference?: Raster; showParts?: boolean } = {}): JobId {
    const session = this.services.document(docId);
    const source = session.doc.layer(layerId);
    const { spec } = getTool(toolId);
    const params = spec.params.parse(rawParams ?? {});
    this.checkModels(spec, params);
    const mask = spec.usesMask ? selectionOnLayer(session.doc, source) : null;
    const input = { raster: source.raster, mask, reference: extra.reference ?? null };
    const { bounds, raster } = source;
    const [sx, sy] = [bounds.width / raster.width, bounds.height / raster.height];
    const job = this.services.jobs.run(toolId, input, params, {
      onProgress: (progress) => this.services.emit({ type: 'job-progress', jobId: job.id, docId, progress }),
      ...(extra.showParts && {
        onPart: ({ x, y, width, height, image }) =>
          this.services.emit({
            type: 'job-part',
            jobId: job.id,
            docId,
            rect: { x: bounds.x + x * sx, y: bounds.y + y * sy, width: width * sx, height: height * sy },
            image,
          }),
      }),
    });
    const entry = { docId, cancel: job.cancel, cancelled: false };
    this.running.set(job.id, entry);
    const ended = (err: unknown) => {
      this.running.delete(job.id);
      this.services.emit(
        isCancelled(err) ? { type: 'job-cancelled', jobId: job.id, docId } : { type: 'job-failed', jobId: job.id, docId, error: toErrorInfo(err) },
      );
    };
    // Cancelled (or its document closed) while the result was on its way: it is dropped.
    const wanted = () => !entry.cancelled && this.services.isOpen(docId);
    job.result.then(async (r) => {
      try {
        if (!wanted()) throw new CancelledError();
        const layer = await session.edit((d) => {
          if (!wanted()) throw new CancelledError();
          this.running.delete(job.id);
          // What was marked is used up: the result replaced it.
          if (spec.usesMask) d.marks.pixels = null;
          return d.placeResult(layerId, { toolId, modelId: r.modelId, provider: r.provider, params, label: r.layerName }, r, this.services.aiResult());
        });
        const { stats, provider, device, warnings = [], notes = [], styleVector } = r;
        this.services.emit({
          type: 'job-done',
          jobId: job.id,
          docId,
          layerId: layer.id,
          stats,
          provider,
          device,
          warnings,
          notes,
          ...(styleVector ? { styleVector } : {}),
        });
        if (this.services.autosave) void session.autosave();
      } catch (err) {
        ended(err);
      }
    }, ended);
    return job.id;
  }

  /**
   * The models a run needs are there and of the right kind, before any work starts: a missing one
   * is reported with where it comes from (the Models window offers the download).
   */
  checkModels(spec: ToolSpec, params: unknown): void {
    for (const id of spec.models(params as never)) {
      const model = this.services.store.model(id);
      if (!spec.modelTasks.includes(model.task)) {
        throw new GanvasError('INVALID_INPUT', `"${model.displayName}" is not a model for ${spec.label}.`);
      }
      if (!this.services.store.locate(model)) {
        throw new GanvasError('MODEL_MISSING', `“${model.displayName}” is not installed. ${this.services.store.installHint(model)}`);
      }
    }
  }

  /**
   * A tool's result on a copy of a layer no larger than `maxSide`, as a PNG, without touching the
   * document: for previews and thumbnails. Style runs at its working size either way, so a
   * preview at that size looks like the full-resolution result.
   */
  async preview(docId: DocId, layerId: LayerId, toolId: string, rawParams: unknown, maxSide: number): Promise<ScreenImage & { warnings: string[] }> {
    const layer = this.services.document(docId).doc.layer(layerId);
    const params = getTool(toolId).spec.params.parse(rawParams ?? {});
    const r = await this.services.jobs.run(toolId, { raster: await this.smallCopies.of(layer.raster, maxSide), mask: null }, params).result;
    return { ...(await rasterPng(r.raster)), warnings: r.warnings ?? [] };
  }

  /** What a tool says before it runs on a layer with these settings, judged on a small copy (nothing for most tools). */
  async advice(docId: DocId, layerId: LayerId, toolId: string, rawParams: unknown): Promise<string[]> {
    const tool = getTool(toolId);
    if (!tool.advise) return [];
    const layer = this.services.document(docId).doc.layer(layerId);
    return tool.advise(await this.smallCopies.of(layer.raster, ADVICE_SIDE), tool.spec.params.parse(rawParams ?? {}));
  }

  /** An image to learn from (e.g. a painting for Style), decoded like any photo. */
  async openReference(path: string): Promise<Raster> {
    return (await openImage(resolve(path), this.services.open)).raster;
  }

  /** Runs a tool on pixels that belong to no document (batch), on the same worker as everything else. */
  onPixels(toolId: string, raster: Raster, rawParams: unknown): { result: Promise<ToolResult & { stats: RunStats }>; cancel: () => void } {
    const { spec } = getTool(toolId);
    const params = spec.params.parse(rawParams ?? {});
    this.checkModels(spec, params);
    const job = this.services.jobs.run(toolId, { raster, mask: null }, params);
    return { result: job.result, cancel: job.cancel };
  }

  /** Resolves when the job ends, with its event. */
  waitFor(jobId: JobId): Promise<JobEnd> {
    return new Promise((resolve) => {
      const off = this.services.onEvent((e) => {
        if ((e.type === 'job-done' || e.type === 'job-cancelled' || e.type === 'job-failed') && e.jobId === jobId) {
          off();
          resolve(e);
        }
      });
    });
  }

  /** Cancels the jobs on one document (it is closing), or every job. */
  cancelAll(docId?: string): void {
    for (const [jobId, job] of this.running) if (docId === undefined || job.docId === docId) this.cancel(jobId);
  }

  cancel(jobId: JobId): void {
    const job = this.running.get(jobId);
    if (!job) return;
    job.cancelled = true;
    job.cancel();
  }
}
