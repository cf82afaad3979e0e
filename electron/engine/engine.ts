import { open as openFile, realpath } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { removeLeftoverTemps } from './atomic-file.js';
import { CancelledError, GanvasError, isCancelled, toErrorInfo, type ErrorInfo } from './errors.js';
import { checkReadableFile } from './files.js';
import type { BlendMode } from './document/blend.js';
import { paintStrokeAsync, type Stroke } from './document/brush.js';
import { PhotoDocument, type HistoryScope } from './document/document.js';
import { HistoryStore } from './document/history-store.js';
import { currentSelection, editableSelection, emptySelection, readMaskImage, selectionOnLayer, selectionPng } from './document/selection.js';
import type { Layer, LayerProps } from './document/layer.js';
import { openImage, type OpenOptions } from './images/open.js';
import { layerPng } from './images/preview.js';
import { fillPolygon, fillRect } from './images/masks.js';
import { sharpInput, type Raster, type Rect } from './images/raster.js';
import { colourspaceOf, resizeRaster } from './images/resample.js';
import { saveImage, type ExportOptions } from './images/save.js';
import { aiProvenanceXmp } from './images/xmp.js';
import type { ProviderId } from './inference/providers.js';
import { JobHost, type JobProgress } from './jobs/host.js';
import type { ProviderReport, RunStats } from './jobs/protocol.js';
import { bundledCatalogPath, loadCatalog } from './models/catalog.js';
import { ModelManager, type ModelEvent } from './models/manager.js';
import { ModelStore, type ModelStatus } from './models/store.js';
import { appVersion, bundledModelsDir, defaultModelsDir, userDataDir } from './paths.js';
import { loadProject, PROJECT_EXTENSION, saveProject } from './project/project.js';
import { RecoveryStore, type RecoveryEntry } from './project/recovery.js';
import { SettingsFile, type Settings, type settingsPatch } from './settings.js';
import { getTool, type ToolId } from './tools/registry.js';
import { STYLE_VECTORS } from './tools/style.js';
import { listStylePresets, saveUserStyle, type StylePreset } from './tools/style-presets.js';
import type { Tool, ToolResult } from './tools/tool.js';
import { BatchRun, type BatchOptions, type BatchProgress, type BatchReport, type FileReport } from './batch/batch.js';
import { recipeFromDocument, type Recipe } from './batch/recipe.js';
import type { z } from 'zod';

export interface EngineOptions {
  catalogPath?: string;
  modelsDir?: string;
  readOnlyModelDirs?: string[];
  /** The models shipped with the app (default: found beside it); null for none. */
  bundledModelsDir?: string | null;
  provider?: ProviderId | 'auto';
  open?: OpenOptions;
  memoryBudgetBytes?: number;
  /** Settings, autosaves and the history spill folder live here (default: the user data folder). */
  dataDir?: string;
  /** Autosave on a timer and after each AI result (the app); off for one-shot use such as the CLI. */
  autosave?: boolean;
}

export interface LayerInfo {
  id: string;
  name: string;
  visible: boolean;
  locked: boolean;
  opacity: number;
  blend: BlendMode;
  bounds: Rect;
  width: number;
  height: number;
  channels: number;
  bitDepth: 8 | 16;
  hasMask: boolean;
  /** Changes whenever the layer's pixels or mask do. */
  version: number;
  kind: Layer['origin']['kind'];
  modelId: string | null;
  canUndo: boolean;
  canRedo: boolean;
}

export interface DocumentInfo {
  id: string;
  /** The project's file name, or the photo's when it has not been saved as a project. */
  title: string;
  fileName: string;
  path: string;
  projectPath: string | null;
  dirty: boolean;
  width: number;
  height: number;
  bitDepth: 8 | 16;
  hasIcc: boolean;
  hasExif: boolean;
  layers: LayerInfo[];
  canUndoDocument: boolean;
  canRedoDocument: boolean;
  /** Whether anything is marked for Erase. */
  hasSelection: boolean;
  /** What could not be restored when the document was opened. */
  lost: string[];
}

export interface HistoryInfo {
  /** The state before any edit, then every edit: those in effect first, then those that can be redone. */
  entries: { label: string; done: boolean }[];
  /** How many entries are in effect. */
  position: number;
}

export type { StylePreset };

export type SelectionShape = { kind: 'rect'; rect: Rect } | { kind: 'lasso'; points: [number, number][] };

export type NewLayer = { kind: 'empty' } | { kind: 'file'; path: string } | { kind: 'duplicate'; layerId: string };

export type EngineEvent =
  | { type: 'job-progress'; jobId: string; docId: string; progress: JobProgress }
  | { type: 'job-done'; jobId: string; docId: string; layerId: string; stats: RunStats; provider: ProviderId; warnings: string[]; styleVector?: number[] }
  | { type: 'job-cancelled'; jobId: string; docId: string }
  | { type: 'job-failed'; jobId: string; docId: string; error: ErrorInfo }
  | { type: 'document-changed'; docId: string; dirty: boolean; title: string }
  | { type: 'autosave-failed'; docId: string; error: ErrorInfo }
  /** Something the user should know that stops nothing (e.g. undo history cannot spill to disk). */
  | { type: 'warning'; message: string }
  | { type: 'batch-file'; batchId: string; file: FileReport }
  | { type: 'batch-progress'; batchId: string; progress: BatchProgress }
  | { type: 'batch-done'; batchId: string; report: BatchReport }
  | { type: 'batch-failed'; batchId: string; error: ErrorInfo }
  | ModelEvent;

export interface DoctorReport {
  modelsDir: string;
  providers: ProviderReport;
  models: ModelStatus[];
}

function layerInfo(l: Layer): LayerInfo {
  return {
    id: l.id,
    ...l.props,
    bounds: l.bounds,
    width: l.raster.width,
    height: l.raster.height,
    channels: l.raster.channels,
    bitDepth: l.raster.depth,
    hasMask: l.mask !== null,
    version: l.version,
    kind: l.origin.kind,
    modelId: l.origin.kind === 'ai' ? l.origin.modelId : null,
    canUndo: l.history.canUndo,
    canRedo: l.history.canRedo,
  };
}

/**
 * Autosaves carry the undo history while it is this small; beyond it they keep the pixels only,
 * so an autosave every few minutes never rewrites gigabytes of history or stalls editing.
 */
const AUTOSAVE_HISTORY_LIMIT = 512 * 2 ** 20;

/** Whether a file is a Ganvas project, by its first bytes rather than its name. */
async function isProjectFile(path: string): Promise<boolean> {
  const fh = await openFile(path, 'r').catch(() => null);
  if (!fh) return extname(path).toLowerCase() === `.${PROJECT_EXTENSION}`;
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return head.toString('latin1') === '\x89GVS';
  } finally {
    await fh.close();
  }
}

interface OpenDoc {
  doc: PhotoDocument;
  lost: string[];
  /** Edits, saves and undo run one at a time per document, in the order they were asked for. */
  queue: Promise<unknown>;
  autosavedRevision: number;
  timer: NodeJS.Timeout | null;
}

/**
 * The application core: documents with layers and histories, tools run as jobs, projects,
 * autosave, export, models. Electron's main process, the CLI and the tests drive this same
 * object; it imports nothing from Electron.
 */
export class Engine {
  readonly store: ModelStore;
  readonly models: ModelManager;
  readonly settings: SettingsFile;
  readonly recovery: RecoveryStore;
  private readonly history: HistoryStore;
  private readonly jobs: JobHost;
  private readonly docs = new Map<string, OpenDoc>();
  private readonly running = new Map<string, { docId: string; cancel: () => void; cancelled: boolean }>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private nextDoc = 1;
  private readonly batches = new Map<string, BatchRun>();
  private readonly smallCopies = new WeakMap<Raster, Map<number, Promise<Raster>>>();
  private nextBatch = 1;

  constructor(private readonly options: EngineOptions = {}) {
    const catalogPath = options.catalogPath ?? bundledCatalogPath;
    const modelsDir = options.modelsDir ?? defaultModelsDir();
    const readOnly = options.readOnlyModelDirs ?? [];
    const dataDir = options.dataDir ?? userDataDir();
    const bundled = options.bundledModelsDir === undefined ? bundledModelsDir() : options.bundledModelsDir;
    const verifiedCache = join(dataDir, 'cache', 'verified-models.json');
    this.store = new ModelStore(loadCatalog(catalogPath, modelsDir), modelsDir, { readOnlyDirs: readOnly, bundledDir: bundled, verifiedCache });
    this.settings = SettingsFile.in(dataDir);
    this.recovery = new RecoveryStore(join(dataDir, 'recovery'));
    this.history = new HistoryStore(this.settings.get().historyBudgetBytes, join(dataDir, 'cache', 'history'), (message) =>
      this.emit({ type: 'warning', message }),
    );
    this.jobs = new JobHost(
      {
        catalogPath,
        modelsDir,
        readOnlyModelDirs: readOnly,
        bundledModelsDir: bundled,
        verifiedModelsCache: verifiedCache,
        provider: options.provider ?? 'auto',
      },
      options.memoryBudgetBytes,
    );
    this.models = new ModelManager(
      this.store,
      (e) => this.emit(e),
      () => this.jobs.reloadModels(),
    );
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  private entry(id: string): OpenDoc {
    const d = this.docs.get(id);
    if (!d) throw new GanvasError('NOT_FOUND', `No open document "${id}".`);
    return d;
  }

  doc(id: string): PhotoDocument {
    return this.entry(id).doc;
  }

  /** Runs `work` on a document after everything queued before it; reports the change when it is one. */
  private async edit<T>(docId: string, work: (doc: PhotoDocument) => T | Promise<T>): Promise<T> {
    const e = this.entry(docId);
    const run = e.queue.then(async () => {
      const before = e.doc.revision;
      const result = await work(e.doc);
      if (e.doc.revision !== before) this.emit({ type: 'document-changed', docId, dirty: e.doc.dirty, title: this.title(e.doc) });
      return result;
    });
    e.queue = run.catch(() => {});
    return run;
  }

  /** An edit (see `edit`), answered with the document's new state. */
  private async change(docId: string, work: (doc: PhotoDocument) => unknown): Promise<DocumentInfo> {
    await this.edit(docId, work);
    return this.info(docId);
  }

  private title(doc: PhotoDocument): string {
    return doc.projectPath ? basename(doc.projectPath) : doc.source.meta.fileName;
  }

  /** Opens a photo or a project (.ganvas). */
  async open(path: string): Promise<DocumentInfo> {
    const full = resolve(path);
    await checkReadableFile(full, 'photo or project');
    const id = `doc-${this.nextDoc++}`;
    if (await isProjectFile(full)) {
      const { doc, lost } = await loadProject(full, id, this.history, this.options.open?.limitInputPixels);
      return this.register(doc, lost);
    }
    const { raster, meta, notices } = await openImage(full, this.options.open);
    return this.register(PhotoDocument.fromImage(id, { path: await realpath(full), meta }, raster, this.history), notices);
  }

  private register(doc: PhotoDocument, lost: string[]): DocumentInfo {
    const e: OpenDoc = { doc, lost, queue: Promise.resolve(), autosavedRevision: doc.revision, timer: null };
    this.docs.set(doc.id, e);
    this.startAutosave(e);
    return this.info(doc.id);
  }

  /** (Re)starts a document's autosave timer at the current setting (the app only). */
  private startAutosave(e: OpenDoc): void {
    if (!this.options.autosave) return;
    if (e.timer) clearInterval(e.timer);
    e.timer = setInterval(() => void this.autosave(e.doc.id), this.settings.get().autosaveMinutes * 60_000);
    e.timer.unref();
  }

  /** Every open document, e.g. to ask about unsaved changes before quitting. */
  documents(): DocumentInfo[] {
    return [...this.docs.keys()].map((id) => this.info(id));
  }

  info(docId: string): DocumentInfo {
    const { doc: d, lost } = this.entry(docId);
    return {
      id: d.id,
      title: this.title(d),
      fileName: d.source.meta.fileName,
      path: d.source.path,
      projectPath: d.projectPath,
      dirty: d.dirty,
      width: d.width,
      height: d.height,
      bitDepth: d.layers.some((l) => l.raster.depth === 16) ? 16 : 8,
      hasIcc: d.source.meta.icc !== null,
      hasExif: d.source.meta.exif !== null,
      layers: d.layers.map(layerInfo),
      canUndoDocument: d.history.canUndo,
      canRedoDocument: d.history.canRedo,
      hasSelection: currentSelection(d) !== null && d.selectionMarked,
      lost,
    };
  }

  /** Closes a document, cancelling its jobs; its autosave is removed (the user chose to close). */
  async close(docId: string): Promise<void> {
    const e = this.entry(docId);
    for (const [jobId, job] of this.running) if (job.docId === docId) this.cancel(jobId);
    if (e.timer) clearInterval(e.timer);
    this.docs.delete(docId);
    await e.queue;
    await this.recovery.discard(e.doc);
  }

  // ── Layers ────────────────────────────────────────────────────────────────────────────────

  async addLayer(docId: string, what: NewLayer): Promise<DocumentInfo> {
    if (what.kind === 'file') {
      // Decoding can take a while; do it before taking the document's turn.
      const { raster, meta } = await openImage(resolve(what.path), this.options.open);
      return this.change(docId, (doc) => doc.addImageLayer(raster, meta.fileName));
    }
    return this.change(docId, (doc) => (what.kind === 'empty' ? doc.addEmptyLayer() : doc.duplicateLayer(what.layerId)));
  }

  deleteLayer(docId: string, layerId: string): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.deleteLayer(layerId));
  }

  /** Moves a layer to `index` in the stack (0 = bottom). */
  moveLayer(docId: string, layerId: string, index: number): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.moveLayer(layerId, index));
  }

  setLayerProps(docId: string, layerId: string, props: Partial<LayerProps>): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.setLayerProps(layerId, props, propsLabel(props)));
  }

  setLayerVisible(docId: string, layerId: string, visible: boolean): Promise<DocumentInfo> {
    return this.setLayerProps(docId, layerId, { visible });
  }

  /** Gives a layer a mask that shows everything ('reveal') or hides everything ('hide'). */
  addMask(docId: string, layerId: string, fill: 'reveal' | 'hide'): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.addMask(layerId, fill));
  }

  removeMask(docId: string, layerId: string): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.commitPixels(layerId, 'mask', null, 'Delete mask'));
  }

  /** Paints on a layer's mask (adding one that shows everything if it has none). Points are in canvas pixels. */
  paintMask(docId: string, layerId: string, stroke: Stroke): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.paintMask(layerId, stroke));
  }

  mergeDown(docId: string, layerId: string): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.mergeDown(layerId));
  }

  flatten(docId: string): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.flatten());
  }

  // ── History ───────────────────────────────────────────────────────────────────────────────

  undo(docId: string, scope: HistoryScope): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.undo(scope));
  }

  redo(docId: string, scope: HistoryScope): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.redo(scope));
  }

  historyOf(docId: string, scope: HistoryScope): HistoryInfo {
    const doc = this.doc(docId);
    const h = scope === 'document' ? doc.history : doc.layer(scope.layerId).history;
    const first = scope === 'document' ? 'Opened' : originLabel(doc.layer(scope.layerId));
    return { entries: [{ label: first, done: true }, ...h.entries()], position: h.position };
  }

  /** Undoes or redoes until `position` edits of that history are in effect. */
  jumpHistory(docId: string, scope: HistoryScope, position: number): Promise<DocumentInfo> {
    return this.change(docId, (doc) => doc.jump(scope, position));
  }

  /** History pixels in memory and on disk, and the budget (for the bench and the About box). */
  historyMemory(): { memoryBytes: number; diskBytes: number; budgetBytes: number; settled: Promise<void> } {
    return { memoryBytes: this.history.memoryBytes, diskBytes: this.history.diskBytes, budgetBytes: this.history.budget, settled: this.history.settled() };
  }

  // ── Pixels for the screen ─────────────────────────────────────────────────────────────────

  /** An 8-bit PNG of a layer (its mask applied as transparency), no longer than `maxSide` on its long edge. */
  layerPreview(docId: string, layerId: string, maxSide: number): Promise<{ width: number; height: number; png: Uint8Array }> {
    const l = this.doc(docId).layer(layerId);
    return layerPng(l.raster, l.mask, maxSide);
  }

  // ── Tools ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Starts a tool on a layer. The document is untouched until the result arrives (job-done), so
   * a cancel or failure leaves it as it was. The result becomes a new layer above the source, or
   * (setting "replace") the source's new pixels as one step of its history. A result with more
   * pixels than the layer's place on the canvas grows the canvas so nothing is thrown away.
   */
  runTool(docId: string, layerId: string, toolId: ToolId, rawParams: unknown, extra: { reference?: Raster } = {}): string {
    const doc = this.doc(docId);
    const source = doc.layer(layerId);
    const tool = getTool(toolId);
    const params = tool.params.parse(rawParams ?? {});
    this.checkModels(tool, params);
    const mask = tool.usesMask ? selectionOnLayer(doc, source) : null;
    const input = { raster: source.raster, mask, reference: extra.reference ?? null };
    const job = this.jobs.run(toolId, input, params, (progress) => this.emit({ type: 'job-progress', jobId: job.id, docId, progress }));
    const entry = { docId, cancel: job.cancel, cancelled: false };
    this.running.set(job.id, entry);
    job.result.then(
      async (r) => {
        // Cancelled (or its document closed) while the result was on its way: it is dropped.
        const wanted = () => !entry.cancelled && this.docs.has(docId);
        if (!wanted()) {
          this.running.delete(job.id);
          return this.emit({ type: 'job-cancelled', jobId: job.id, docId });
        }
        try {
          const layer = await this.edit(docId, (d) => {
            if (!wanted()) throw new CancelledError();
            this.running.delete(job.id);
            return d.placeResult(layerId, { toolId, modelId: r.modelId, provider: r.provider, params }, r, this.settings.get().aiResult);
          });
          if (tool.usesMask) this.doc(docId).selection = null;
          this.emit({
            type: 'job-done',
            jobId: job.id,
            docId,
            layerId: layer.id,
            stats: r.stats,
            provider: r.provider,
            warnings: r.warnings ?? [],
            ...(r.styleVector ? { styleVector: r.styleVector } : {}),
          });
          if (this.options.autosave) void this.autosave(docId);
        } catch (err) {
          this.running.delete(job.id);
          this.emit(isCancelled(err) ? { type: 'job-cancelled', jobId: job.id, docId } : { type: 'job-failed', jobId: job.id, docId, error: toErrorInfo(err) });
        }
      },
      (err: unknown) => {
        this.running.delete(job.id);
        this.emit(isCancelled(err) ? { type: 'job-cancelled', jobId: job.id, docId } : { type: 'job-failed', jobId: job.id, docId, error: toErrorInfo(err) });
      },
    );
    return job.id;
  }

  /**
   * The models a run needs are there and of the right kind, before any work starts: a missing one
   * is reported with where it comes from (the Models window offers the download).
   */
  private checkModels(tool: Tool<unknown>, params: unknown): void {
    for (const id of tool.models(params)) {
      const model = this.store.model(id);
      if (tool.modelTasks && !tool.modelTasks.includes(model.task)) {
        throw new GanvasError('INVALID_INPUT', `"${model.displayName}" is not a model for ${tool.id}.`);
      }
      if (!this.store.locate(model)) {
        throw new GanvasError('MODEL_MISSING', `“${model.displayName}” is not installed. ${this.store.installHint(model)}`);
      }
    }
  }

  // ── Selection (what Erase removes) ────────────────────────────────────────────────────────

  /** The selection to change (a fresh copy at canvas size), installed when `change` is done. */
  private changeSelection(docId: string, edit: (sel: Raster) => void | Promise<void>): Promise<DocumentInfo> {
    return this.change(docId, async (doc) => {
      const next = editableSelection(doc);
      await edit(next);
      doc.selection = next;
    });
  }

  /** Paints on the selection (value 255 marks, 0 unmarks); points in canvas pixels. */
  paintSelection(docId: string, stroke: Stroke): Promise<DocumentInfo> {
    // The brush paints into a new raster of its own, so the selection needs no copy first.
    return this.change(docId, async (doc) => {
      doc.selection = (await paintStrokeAsync(currentSelection(doc) ?? emptySelection(doc), stroke)).raster;
    });
  }

  /** Marks (255) or unmarks (0) a rectangle or a lasso polygon, in canvas pixels. */
  selectShape(docId: string, shape: SelectionShape, value: number): Promise<DocumentInfo> {
    return this.changeSelection(docId, (sel) => (shape.kind === 'rect' ? fillRect(sel, shape.rect, value) : fillPolygon(sel, shape.points, value)));
  }

  invertSelection(docId: string): Promise<DocumentInfo> {
    return this.changeSelection(docId, (sel) => {
      for (let i = 0; i < sel.data.length; i++) sel.data[i] = 255 - sel.data[i]!;
    });
  }

  clearSelection(docId: string): Promise<DocumentInfo> {
    return this.change(docId, (doc) => void (doc.selection = null));
  }

  /** Uses a mask image (white = remove) as the selection; it must be the canvas's size. */
  async selectionFromFile(docId: string, path: string): Promise<DocumentInfo> {
    const doc = this.doc(docId);
    const mask = await readMaskImage(resolve(path), doc);
    return this.changeSelection(docId, (sel) => sel.data.set(mask));
  }

  /** The selection as a white PNG whose alpha is the mask, no longer than `maxSide`; null when there is none. */
  async selectionPreview(docId: string, maxSide: number): Promise<{ width: number; height: number; png: Uint8Array } | null> {
    const sel = currentSelection(this.doc(docId));
    return sel && selectionPng(sel, maxSide);
  }

  /**
   * A tool's result on a copy of a layer no larger than `maxSide`, as a PNG, without touching the
   * document: for previews and thumbnails. Style runs at its working size either way, so a
   * preview at that size looks like the full-resolution result.
   */
  async previewTool(
    docId: string,
    layerId: string,
    toolId: string,
    rawParams: unknown,
    maxSide: number,
  ): Promise<{ width: number; height: number; png: Uint8Array; warnings: string[] }> {
    const layer = this.doc(docId).layer(layerId);
    const params = getTool(toolId).params.parse(rawParams ?? {});
    const r = await this.jobs.run(toolId, { raster: await this.downscaled(layer.raster, maxSide), mask: null }, params).result;
    const png = await sharp(...sharpInput(r.raster))
      .toColourspace(colourspaceOf({ channels: r.raster.channels, depth: 8 }))
      .png({ compressionLevel: 1 })
      .toBuffer();
    return { width: r.raster.width, height: r.raster.height, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), warnings: r.warnings ?? [] };
  }

  /**
   * A copy no longer than `maxSide`, kept with the raster it came from: every thumbnail and every
   * preview of a layer starts from the same small copy instead of resizing the full photo again.
   * Rasters never change, so the copy stays valid for as long as its raster lives.
   */
  private async downscaled(r: Raster, maxSide: number): Promise<Raster> {
    const scale = Math.min(1, maxSide / Math.max(r.width, r.height));
    if (scale === 1) return r;
    const sizes = this.smallCopies.get(r) ?? new Map<number, Promise<Raster>>();
    this.smallCopies.set(r, sizes);
    let copy = sizes.get(maxSide);
    if (!copy) {
      copy = resizeRaster(r, Math.max(1, Math.round(r.width * scale)), Math.max(1, Math.round(r.height * scale)));
      sizes.set(maxSide, copy);
      copy.catch(() => sizes.delete(maxSide));
    }
    return copy;
  }

  /** An image to learn from (e.g. a painting for Style), decoded like any photo. */
  async openReference(path: string): Promise<Raster> {
    return (await openImage(resolve(path), this.options.open)).raster;
  }

  /** Every style the Style panel offers: Monet first, the painters' vectors, the fixed styles, the user's own. */
  async stylePresets(): Promise<StylePreset[]> {
    return listStylePresets(await this.store.resolve(STYLE_VECTORS), this.userStylesPath);
  }

  /** Keeps a style learned from a painting under a name (replacing one of the same name). */
  async saveStylePreset(name: string, vector: number[]): Promise<StylePreset[]> {
    await saveUserStyle(this.userStylesPath, name, vector);
    return this.stylePresets();
  }

  private get userStylesPath(): string {
    return join(this.options.dataDir ?? userDataDir(), 'styles.json');
  }

  /** Runs a tool on pixels that belong to no document (batch), on the same worker as everything else. */
  runOnPixels(toolId: string, raster: Raster, rawParams: unknown): { result: Promise<ToolResult & { stats: RunStats }>; cancel: () => void } {
    const tool = getTool(toolId);
    const params = tool.params.parse(rawParams ?? {});
    this.checkModels(tool, params);
    const job = this.jobs.run(toolId, { raster, mask: null }, params);
    return { result: job.result, cancel: job.cancel };
  }

  /** Starts a batch; its progress, per-file results and report arrive as events. */
  startBatch(options: Omit<BatchOptions, 'recordAiProvenance'>): { batchId: string; done: Promise<BatchReport> } {
    // A model missing for any step is said once, before any photo is read.
    for (const step of options.recipe.steps) if (step.tool !== 'resize') this.checkModels(getTool(step.tool), getTool(step.tool).params.parse(step.params));
    const batchId = `batch-${this.nextBatch++}`;
    const run = new BatchRun(
      { ...options, recordAiProvenance: this.settings.get().recordAiProvenance },
      (toolId, raster, params) => this.runOnPixels(toolId, raster, params),
      this.options.open ?? {},
      (file) => this.emit({ type: 'batch-file', batchId, file }),
      (progress) => this.emit({ type: 'batch-progress', batchId, progress }),
    );
    this.batches.set(batchId, run);
    run.done
      .then(
        (report) => this.emit({ type: 'batch-done', batchId, report }),
        (err: unknown) => this.emit({ type: 'batch-failed', batchId, error: toErrorInfo(err) }),
      )
      .finally(() => this.batches.delete(batchId));
    return { batchId, done: run.done };
  }

  controlBatch(batchId: string, action: 'pause' | 'resume' | 'cancel'): void {
    const run = this.batches.get(batchId);
    if (!run) throw new GanvasError('NOT_FOUND', 'That batch is not running.');
    run[action]();
  }

  /**
   * The AI edits of a document as a batch recipe: every visible layer made by Enhance, Style or
   * Low light, bottom to top (each tool having worked on the result below it, as the panels do).
   */
  recipeFromDocument(docId: string): Recipe {
    return recipeFromDocument(this.doc(docId));
  }

  /** Resolves when the job ends, with its event. */
  waitFor(jobId: string): Promise<Extract<EngineEvent, { type: 'job-done' | 'job-cancelled' | 'job-failed' }>> {
    return new Promise((resolve) => {
      const off = this.onEvent((e) => {
        if ((e.type === 'job-done' || e.type === 'job-cancelled' || e.type === 'job-failed') && e.jobId === jobId) {
          off();
          resolve(e);
        }
      });
    });
  }

  cancel(jobId: string): void {
    const job = this.running.get(jobId);
    if (!job) return;
    job.cancelled = true;
    job.cancel();
  }

  // ── Files ─────────────────────────────────────────────────────────────────────────────────

  /** Saves the document as a project (atomically) at `path`, or where it was last saved. */
  async saveProject(docId: string, path?: string, opts: { includeHistory?: boolean } = {}): Promise<DocumentInfo> {
    const e = this.entry(docId);
    const chosen = path ?? e.doc.projectPath;
    if (!chosen) throw new GanvasError('INVALID_INPUT', 'This document has not been saved as a project yet; choose a file name.');
    const target = resolve(chosen);
    if (target === e.doc.source.path)
      throw new GanvasError('INVALID_INPUT', `Refusing to overwrite the original ${basename(target)} with a project; choose another file name.`);
    await this.edit(docId, async (doc) => {
      await saveProject(doc, target, { includeHistory: opts.includeHistory ?? this.settings.get().saveHistoryInProjects });
      doc.markSaved(target);
    });
    if (!e.doc.dirty) await this.recovery.discard(e.doc);
    return this.info(docId);
  }

  /** Writes the document to the recovery folder if it changed since the last autosave. */
  async autosave(docId: string): Promise<void> {
    const e = this.docs.get(docId);
    if (!e || e.doc.revision === e.autosavedRevision || !e.doc.dirty) return;
    try {
      await this.edit(docId, async (doc) => {
        const revision = doc.revision;
        await this.recovery.save(doc, this.title(doc), this.history.memoryBytes + this.history.diskBytes <= AUTOSAVE_HISTORY_LIMIT);
        e.autosavedRevision = revision;
      });
    } catch (err) {
      this.emit({ type: 'autosave-failed', docId, error: toErrorInfo(err) });
    }
  }

  /** Autosaves left by a session that crashed or was killed. */
  recoverable(): Promise<RecoveryEntry[]> {
    return this.recovery.orphans();
  }

  /** Opens an autosave as an unsaved document (its project path kept, so Ctrl+S saves where the user had saved). */
  async restore(key: string): Promise<DocumentInfo> {
    const entry = (await this.recovery.orphans()).find((r) => r.key === key);
    if (!entry) throw new GanvasError('NOT_FOUND', 'That autosave is no longer there.');
    const { doc, lost } = await loadProject(this.recovery.projectFile(key), `doc-${this.nextDoc++}`, this.history, this.options.open?.limitInputPixels);
    doc.markRestored(entry.projectPath);
    const info = this.register(doc, lost);
    await this.autosave(doc.id);
    await this.recovery.discard(key);
    return { ...info, dirty: true };
  }

  /** Deletes an autosave the user chose not to restore: only one that `recoverable` offered. */
  async discardRecovery(key: string): Promise<void> {
    if (!(await this.recovery.orphans()).some((r) => r.key === key)) throw new GanvasError('NOT_FOUND', 'That autosave is no longer there.');
    await this.recovery.discard(key);
  }

  /** Flattens and writes the document; AI provenance follows the setting unless `recordAiProvenance` says otherwise. */
  async export(
    docId: string,
    path: string,
    opts: ExportOptions & { recordAiProvenance?: boolean },
  ): Promise<{ path: string; width: number; height: number; aiEdits: number }> {
    const doc = this.doc(docId);
    const target = resolve(path);
    if (target === doc.source.path) {
      throw new GanvasError('INVALID_INPUT', `Refusing to overwrite the original ${basename(target)}; choose another file name.`);
    }
    const { pixels, aiEdits } = await this.edit(docId, async (d) => ({ pixels: await d.render(), aiEdits: d.visibleAiEdits() }));
    const xmp =
      (opts.recordAiProvenance ?? this.settings.get().recordAiProvenance) && aiEdits.length > 0 ? aiProvenanceXmp(aiEdits, `Ganvas ${appVersion}`) : null;
    await saveImage(pixels, target, opts, { exif: doc.source.meta.exif, icc: doc.source.meta.icc, xmp });
    await removeLeftoverTemps(dirname(target));
    return { path: target, width: pixels.width, height: pixels.height, aiEdits: aiEdits.length };
  }

  getSettings(): Settings {
    return this.settings.get();
  }

  async updateSettings(patch: z.input<typeof settingsPatch>): Promise<Settings> {
    const before = this.settings.get();
    const s = await this.settings.update(patch);
    this.history.setBudget(s.historyBudgetBytes);
    if (s.autosaveMinutes !== before.autosaveMinutes) for (const e of this.docs.values()) this.startAutosave(e);
    return s;
  }

  async doctor(verifyModels = false): Promise<DoctorReport> {
    const models = await Promise.all(this.store.catalog.models.map((m) => this.store.status(m, verifyModels)));
    return { modelsDir: this.store.dir, providers: await this.jobs.providers(), models };
  }

  /** Stops jobs and timers. Autosaves stay (they are removed by closing a document, not by quitting with it open). */
  async dispose(): Promise<void> {
    for (const b of this.batches.values()) b.cancel();
    await Promise.all([...this.batches.values()].map((b) => b.done.catch(() => {})));
    for (const id of [...this.running.keys()]) this.cancel(id);
    for (const e of this.docs.values()) if (e.timer) clearInterval(e.timer);
    await Promise.all([...this.docs.values()].map((e) => e.queue));
    await this.jobs.close();
    await this.history.dispose();
  }
}

function propsLabel(p: Partial<LayerProps>): string {
  if (p.name !== undefined) return `Rename to “${p.name}”`;
  if (p.opacity !== undefined) return `Opacity ${Math.round(p.opacity * 100)} %`;
  if (p.blend !== undefined) return `Blend: ${p.blend}`;
  if (p.visible !== undefined) return p.visible ? 'Show' : 'Hide';
  if (p.locked !== undefined) return p.locked ? 'Lock' : 'Unlock';
  return 'Layer settings';
}

function originLabel(l: Layer): string {
  switch (l.origin.kind) {
    case 'image':
      return `Opened ${l.origin.fileName}`;
    case 'empty':
      return 'New layer';
    case 'ai':
      return `Made by ${l.origin.toolId} (${l.origin.modelId})`;
    case 'composite':
      return 'Merged';
  }
}
