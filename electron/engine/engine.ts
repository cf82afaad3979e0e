import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import sharp from 'sharp';
import { GanvasError, isCancelled, toErrorInfo, type ErrorInfo } from './errors.js';
import { PhotoDocument, type Layer } from './document/document.js';
import { flatten } from './document/flatten.js';
import { openImage, type OpenOptions } from './images/open.js';
import { sharpInput } from './images/raster.js';
import { colourspaceOf } from './images/resample.js';
import { saveImage, type ExportOptions } from './images/save.js';
import type { ProviderId } from './inference/providers.js';
import { JobHost, type JobProgress } from './jobs/host.js';
import type { ProviderReport, RunStats } from './jobs/protocol.js';
import { bundledCatalogPath, loadCatalog } from './models/catalog.js';
import { ModelStore, type ModelStatus } from './models/store.js';
import { defaultModelsDir } from './paths.js';
import { getTool } from './tools/registry.js';

export interface EngineOptions {
  catalogPath?: string;
  modelsDir?: string;
  readOnlyModelDirs?: string[];
  provider?: ProviderId | 'auto';
  open?: OpenOptions;
  memoryBudgetBytes?: number;
}

export interface LayerInfo {
  id: string;
  name: string;
  visible: boolean;
  width: number;
  height: number;
  channels: number;
  bitDepth: 8 | 16;
  kind: 'image' | 'ai';
  modelId: string | null;
}

export interface DocumentInfo {
  id: string;
  fileName: string;
  path: string;
  width: number;
  height: number;
  bitDepth: 8 | 16;
  hasIcc: boolean;
  hasExif: boolean;
  layers: LayerInfo[];
}

export type EngineEvent =
  | { type: 'job-progress'; jobId: string; docId: string; progress: JobProgress }
  | { type: 'job-done'; jobId: string; docId: string; layerId: string; stats: RunStats; provider: ProviderId }
  | { type: 'job-cancelled'; jobId: string; docId: string }
  | { type: 'job-failed'; jobId: string; docId: string; error: ErrorInfo };

export interface DoctorReport {
  modelsDir: string;
  providers: ProviderReport;
  models: ModelStatus[];
}

function layerInfo(l: Layer): LayerInfo {
  return {
    id: l.id,
    name: l.name,
    visible: l.visible,
    width: l.raster.width,
    height: l.raster.height,
    channels: l.raster.channels,
    bitDepth: l.raster.depth,
    kind: l.origin.kind,
    modelId: l.origin.kind === 'ai' ? l.origin.modelId : null,
  };
}

/**
 * The application core: documents, tools run as jobs, export, models. Electron's main process,
 * the CLI and the tests drive this same object; it imports nothing from Electron.
 */
export class Engine {
  readonly store: ModelStore;
  private readonly jobs: JobHost;
  private readonly docs = new Map<string, PhotoDocument>();
  private readonly running = new Map<string, { docId: string; cancel: () => void }>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private nextDoc = 1;

  constructor(private readonly options: EngineOptions = {}) {
    const catalogPath = options.catalogPath ?? bundledCatalogPath;
    const modelsDir = options.modelsDir ?? defaultModelsDir();
    const readOnly = options.readOnlyModelDirs ?? [];
    this.store = new ModelStore(loadCatalog(catalogPath), modelsDir, readOnly);
    this.jobs = new JobHost(
      { catalogPath, modelsDir, readOnlyModelDirs: readOnly, provider: options.provider ?? 'auto' },
      options.memoryBudgetBytes,
    );
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  doc(id: string): PhotoDocument {
    const d = this.docs.get(id);
    if (!d) throw new GanvasError('NOT_FOUND', `No open document "${id}".`);
    return d;
  }

  private layer(docId: string, layerId: string): Layer {
    const l = this.doc(docId).layer(layerId);
    if (!l) throw new GanvasError('NOT_FOUND', `No layer "${layerId}" in this document.`);
    return l;
  }

  async open(path: string): Promise<DocumentInfo> {
    const full = resolve(path);
    const { raster, meta } = await openImage(full, this.options.open);
    const doc = new PhotoDocument(`doc-${this.nextDoc++}`, await realpath(full), meta, raster);
    this.docs.set(doc.id, doc);
    return this.info(doc.id);
  }

  info(docId: string): DocumentInfo {
    const d = this.doc(docId);
    return {
      id: d.id,
      fileName: d.meta.fileName,
      path: d.path,
      width: d.width,
      height: d.height,
      bitDepth: d.meta.bitDepth,
      hasIcc: d.meta.icc !== null,
      hasExif: d.meta.exif !== null,
      layers: d.layers.map(layerInfo),
    };
  }

  close(docId: string): void {
    for (const [jobId, job] of this.running) if (job.docId === docId) this.cancel(jobId);
    this.docs.delete(docId);
  }

  setLayerVisible(docId: string, layerId: string, visible: boolean): DocumentInfo {
    this.layer(docId, layerId).visible = visible;
    return this.info(docId);
  }

  /** An 8-bit PNG of a layer for the screen, no longer than `maxSide` on its long edge. */
  async layerPreview(docId: string, layerId: string, maxSide: number): Promise<{ width: number; height: number; png: Uint8Array }> {
    const r = this.layer(docId, layerId).raster;
    const { data, info } = await sharp(...sharpInput(r))
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .toColourspace(colourspaceOf({ channels: r.channels, depth: 8 }))
      .png({ compressionLevel: 1 })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, png: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }

  /**
   * Starts a tool on a layer. The result arrives as a new layer above everything (job-done);
   * the document is untouched until then, so a cancel or failure leaves it as it was.
   */
  runTool(docId: string, layerId: string, toolId: string, rawParams: unknown): string {
    const doc = this.doc(docId);
    const source = this.layer(docId, layerId);
    const params = getTool(toolId).params.parse(rawParams ?? {});
    const job = this.jobs.run(toolId, source.raster, params, (progress) => this.emit({ type: 'job-progress', jobId: job.id, docId, progress }));
    this.running.set(job.id, { docId, cancel: job.cancel });
    job.result.then(
      (r) => {
        this.running.delete(job.id);
        if (!this.docs.has(docId)) return;
        const layer = doc.addLayer(r.layerName, r.raster, { kind: 'ai', toolId, modelId: r.modelId, provider: r.provider, params });
        this.emit({ type: 'job-done', jobId: job.id, docId, layerId: layer.id, stats: r.stats, provider: r.provider });
      },
      (err: unknown) => {
        this.running.delete(job.id);
        this.emit(
          isCancelled(err) ? { type: 'job-cancelled', jobId: job.id, docId } : { type: 'job-failed', jobId: job.id, docId, error: toErrorInfo(err) },
        );
      },
    );
    return job.id;
  }

  /** Resolves when the job ends, with its event. */
  waitFor(jobId: string): Promise<Exclude<EngineEvent, { type: 'job-progress' }>> {
    return new Promise((resolve) => {
      const off = this.onEvent((e) => {
        if (e.jobId === jobId && e.type !== 'job-progress') {
          off();
          resolve(e);
        }
      });
    });
  }

  cancel(jobId: string): void {
    this.running.get(jobId)?.cancel();
  }

  async export(docId: string, path: string, opts: ExportOptions): Promise<{ path: string; width: number; height: number }> {
    const doc = this.doc(docId);
    const target = resolve(path);
    if (target === doc.path) {
      throw new GanvasError('INVALID_INPUT', `Refusing to overwrite the original ${basename(target)}; choose another file name.`);
    }
    const pixels = await flatten(doc);
    await saveImage(pixels, target, opts, { exif: doc.meta.exif, icc: doc.meta.icc });
    return { path: target, width: pixels.width, height: pixels.height };
  }

  async doctor(verifyModels = false): Promise<DoctorReport> {
    const models = await Promise.all(this.store.catalog.models.map((m) => this.store.status(m, verifyModels)));
    return { modelsDir: this.store.dir, providers: await this.jobs.providers(), models };
  }

  async dispose(): Promise<void> {
    for (const id of [...this.running.keys()]) this.cancel(id);
    await this.jobs.close();
  }
}
