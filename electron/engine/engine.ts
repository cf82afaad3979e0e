import { open as openFile, realpath } from 'node:fs/promises';
import { docId, type DocId } from './ids.js';
import { basename, extname, join, resolve } from 'node:path';
import { Batches } from './batch/batches.js';
import { PhotoDocument } from './document/document.js';
import { HistoryStore } from './document/history-store.js';
import { GanvasError, toErrorInfo } from './errors.js';
import { checkReadableFile } from './files.js';
import { formatFromPath } from './images/formats.js';
import { DEFAULT_PIXEL_LIMIT, openImage, type OpenOptions } from './images/open.js';
import { layerInits } from './layered/document.js';
import { isLayeredPath, openLayered } from './layered/save.js';
import { modelShortName, type DocumentInfo, type DoctorReport, type EngineEvent } from './info.js';
import type { ProviderChoice } from './inference/providers.js';
import { JobHost } from './jobs/host.js';
import type { ProviderReport } from './jobs/protocol.js';
import { bundledCatalogPath, loadCatalog } from './models/catalog.js';
import { ModelManager } from './models/manager.js';
import { ModelStore } from './models/store.js';
import { bundledModelsDir, defaultModelsDir, userDataDir } from './paths.js';
import { loadProject, PROJECT_EXTENSION } from './project/project.js';
import { RecoveryStore, restoredProjectPath, type RecoveryEntry } from './project/recovery.js';
import { DocumentSession, type SessionServices } from './session.js';
import { ToolJobs } from './tool-jobs.js';
import { SettingsFile, type Settings, type settingsPatch } from './settings.js';
import { toolSpec } from './tools/specs.js';
import { StyleLibrary } from './tools/style/presets.js';
import { STYLE_VECTORS } from './tools/style/spec.js';
import type { z } from 'zod';

export interface EngineOptions {
  catalogPath?: string;
  modelsDir?: string;
  readOnlyModelDirs?: string[];
  /** The models shipped with the app (default: found beside it); null for none. */
  bundledModelsDir?: string | null;
  provider?: ProviderChoice;
  open?: OpenOptions;
  memoryBudgetBytes?: number;
  /** Settings, autosaves and the history spill folder live here (default: the user data folder). */
  dataDir?: string;
  /** Autosave on a timer and after each AI result (the app); off for one-shot use such as the CLI. */
  autosave?: boolean;
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
  readonly styles: StyleLibrary;
  readonly batches: Batches;
  readonly tools: ToolJobs;
  private readonly history: HistoryStore;
  private readonly sessionServices: SessionServices;
  private readonly jobs: JobHost;
  private readonly docs = new Map<string, DocumentSession>();
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private nextDoc = 1;

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
        modelSpeedCache: join(dataDir, 'cache', 'model-speed.json'),
        providerFallbackCache: join(dataDir, 'cache', 'provider-fallbacks.json'),
        provider: options.provider ?? this.settings.get().provider,
      },
      options.memoryBudgetBytes,
    );
    this.models = new ModelManager(
      this.store,
      (e) => this.emit(e),
      () => this.jobs.reloadModels(),
    );
    this.styles = new StyleLibrary(() => this.store.resolve(STYLE_VECTORS), join(dataDir, 'styles.json'));
    this.tools = new ToolJobs({
      jobs: this.jobs,
      store: this.store,
      document: (id) => this.document(id),
      isOpen: (id) => this.docs.has(id),
      aiResult: () => this.settings.get().aiResult,
      autosave: options.autosave ?? false,
      open: options.open ?? {},
      emit: (e) => this.emit(e),
      onEvent: (l) => this.onEvent(l),
    });
    this.batches = new Batches({
      // A model missing for any step is said once, before any photo is read.
      checkRecipe: (recipe) => {
        for (const step of recipe.steps) if (step.tool !== 'resize') this.tools.checkModels(toolSpec(step.tool), step.params);
      },
      runTool: (toolId, raster, params) => this.tools.onPixels(toolId, raster, params),
      open: options.open ?? {},
      recordAiProvenance: () => this.settings.get().recordAiProvenance,
      emit: (e) => this.emit(e),
    });
    this.sessionServices = {
      settings: this.settings,
      recovery: this.recovery,
      open: this.options.open ?? {},
      modelName: (id) => modelShortName(this.store.catalog.models.find((m) => m.id === id)?.displayName ?? id),
      autosaveWithHistory: () => this.history.memoryBytes + this.history.diskBytes <= AUTOSAVE_HISTORY_LIMIT,
      changed: (s) => this.emit({ type: 'document-changed', docId: s.id, dirty: s.doc.saveState.dirty, title: s.title }),
      autosaveFailed: (s, err) => this.emit({ type: 'autosave-failed', docId: s.id, error: toErrorInfo(err) }),
    };
  }

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** An open document, to edit, save or export. */
  document(id: DocId): DocumentSession {
    const session = this.docs.get(id);
    if (!session) throw new GanvasError('NOT_FOUND', `No open document "${id}".`);
    return session;
  }

  /**
   * Opens a photo or a project (.ganvas). `inPlace`: the photo was handed over by another program
   * to be edited (Lightroom's Edit in, the system's open-file), so Save writes the result back into it.
   */
  async open(path: string, { inPlace = false } = {}): Promise<DocumentInfo> {
    const full = resolve(path);
    await checkReadableFile(full, 'photo or project');
    const id = docId(this.nextDoc++);
    if (await isProjectFile(full)) {
      const { doc, lost } = await loadProject(full, id, this.history, this.options.open?.limitInputPixels);
      return this.register(doc, lost);
    }
    const { doc, notices } = await this.openPicture(full, id);
    if (inPlace) {
      if (formatFromPath(full)) doc.saveState.editsInPlace(doc.source.path);
      else notices.push(`Ganvas cannot write ${basename(full)} back in its own format; Save keeps the work as a project instead.`);
    }
    return this.register(doc, notices);
  }

  private async openPicture(full: string, id: DocId): Promise<{ doc: PhotoDocument; notices: string[] }> {
    if (isLayeredPath(full)) {
      const { image, meta, notices } = await openLayered(full, this.options.open?.limitInputPixels ?? DEFAULT_PIXEL_LIMIT);
      const fileName = basename(full);
      const bitDepth = image.layers.some((l) => l.pixels.depth === 16) ? 16 : 8;
      const source = {
        path: await realpath(full),
        meta: { fileName, format: extname(full).slice(1).toLowerCase(), exif: meta.exif, icc: meta.icc, xmp: meta.xmp, orientation: 1, bitDepth } as const,
      };
      return { doc: PhotoDocument.fromLayers(id, source, image, layerInits(image, fileName), this.history), notices };
    }
    const { raster, meta, notices } = await openImage(full, this.options.open);
    return { doc: PhotoDocument.fromImage(id, { path: await realpath(full), meta }, raster, this.history), notices };
  }

  private register(doc: PhotoDocument, lost: string[]): DocumentInfo {
    const session = new DocumentSession(doc, lost, this.sessionServices);
    this.docs.set(doc.id, session);
    if (this.options.autosave) session.autosaveEvery(this.settings.get().autosaveMinutes);
    return session.info();
  }

  /** Every open document, e.g. to ask about unsaved changes before quitting. */
  documents(): DocumentInfo[] {
    return [...this.docs.values()].map((s) => s.info());
  }

  /** Closes a document, cancelling its jobs; its autosave is removed (the user chose to close). */
  async close(docId: DocId): Promise<void> {
    const session = this.document(docId);
    this.tools.cancelAll(docId);
    this.docs.delete(docId);
    await session.close();
    await this.recovery.discard(session.doc);
  }

  /** History pixels in memory and on disk, and the budget (for the bench and the About box). */
  historyMemory(): { memoryBytes: number; diskBytes: number; budgetBytes: number; settled: Promise<void> } {
    return { memoryBytes: this.history.memoryBytes, diskBytes: this.history.diskBytes, budgetBytes: this.history.budget, settled: this.history.settled() };
  }

  // ── Tools ─────────────────────────────────────────────────────────────────────────────────

  // ── Recovery ──────────────────────────────────────────────────────────────────────────────

  /** Autosaves left by a session that crashed or was killed. */
  recoverable(): Promise<RecoveryEntry[]> {
    return this.recovery.orphans();
  }

  /** Opens an autosave as an unsaved document (its project path kept, so Ctrl+S saves where the user had saved). */
  async restore(key: string): Promise<DocumentInfo> {
    const entry = (await this.recovery.orphans()).find((r) => r.key === key);
    if (!entry) throw new GanvasError('NOT_FOUND', 'That autosave is no longer there.');
    const { doc, lost } = await loadProject(this.recovery.projectFile(key), docId(this.nextDoc++), this.history, this.options.open?.limitInputPixels);
    doc.saveState.restored(await restoredProjectPath(entry.projectPath));
    const info = this.register(doc, lost);
    await this.document(doc.id).autosave();
    await this.recovery.discard(key);
    return { ...info, dirty: true };
  }

  /** Deletes an autosave the user chose not to restore: only one that `recoverable` offered. */
  async discardRecovery(key: string): Promise<void> {
    if (!(await this.recovery.orphans()).some((r) => r.key === key)) throw new GanvasError('NOT_FOUND', 'That autosave is no longer there.');
    await this.recovery.discard(key);
  }

  getSettings(): Settings {
    return this.settings.get();
  }

  async updateSettings(patch: z.input<typeof settingsPatch>): Promise<Settings> {
    const before = this.settings.get();
    const s = await this.settings.update(patch);
    this.history.setBudget(s.historyBudgetBytes);
    // A provider given for this run (flag, environment) stays; otherwise the models reload on the new one.
    if (!this.options.provider && s.provider !== before.provider) this.jobs.useProvider(s.provider);
    if (this.options.autosave && s.autosaveMinutes !== before.autosaveMinutes) for (const d of this.docs.values()) d.autosaveEvery(s.autosaveMinutes);
    return s;
  }

  /** The execution providers, the GPU, and what each loaded model runs on. */
  providers(): Promise<ProviderReport> {
    return this.jobs.providers();
  }

  async doctor(verifyModels = false): Promise<DoctorReport> {
    const models = await Promise.all(this.store.catalog.models.map((m) => this.store.status(m, verifyModels)));
    return { modelsDir: this.store.dir, providers: await this.jobs.providers(), models };
  }

  /** Stops jobs and timers. Autosaves stay (they are removed by closing a document, not by quitting with it open). */
  async dispose(): Promise<void> {
    await this.batches.dispose();
    this.tools.cancelAll();
    await Promise.all([...this.docs.values()].map((d) => d.close()));
    await this.jobs.close();
    await this.history.dispose();
  }
}
