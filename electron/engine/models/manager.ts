import { errorMessage, GanvasError, isCancelled, toErrorInfo, type ErrorInfo } from '../errors.js';
import { addCustomModel, forgetCustomModel } from './custom.js';
import type { CustomModelTask } from './tasks.js';
import { checkMirror, findInFolder, installFromDir, installFromUrl, removeModel, type InstallProgress } from './install.js';
import type { ModelTask } from './catalog.js';
import type { ModelStatus, ModelStore } from './store.js';

/** A model as the Models window shows it: its status, and its download while one runs. */
export interface ModelListing extends Omit<ModelStatus, 'state'> {
  state: ModelStatus['state'] | 'downloading';
  progress: InstallProgress | null;
}

export type ModelEvent =
  | { type: 'model-progress'; progress: InstallProgress }
  | { type: 'model-installed'; id: string }
  | { type: 'model-download-failed'; id: string; error: ErrorInfo }
  | { type: 'models-changed' };

/**
 * What the Models window and `ganvas models` do: list every catalog model with its state, download
 * (one at a time per model, cancellable, resumable), install from a folder, remove, verify, and add
 * the user's own ONNX. `changed` is called after any change, so the inference thread can reload.
 */
export class ModelManager {
  private readonly downloads = new Map<string, { abort: AbortController; progress: InstallProgress | null; done: Promise<void> }>();

  constructor(
    readonly store: ModelStore,
    private readonly emit: (e: ModelEvent) => void,
    private readonly changed: () => void,
  ) {}

  async list(task?: ModelTask, verify = false): Promise<ModelListing[]> {
    const models = this.store.catalog.models.filter((m) => !task || m.task === task);
    return Promise.all(
      models.map(async (m) => {
        const status = await this.store.status(m, verify);
        const download = this.downloads.get(m.id);
        return download ? { ...status, state: 'downloading' as const, progress: download.progress } : { ...status, progress: null };
      }),
    );
  }

  /** Starts downloading a model from its catalog URL; progress and the end arrive as events. */
  download(id: string): { done: Promise<void> } {
    const model = this.store.model(id);
    if (!model.url) throw new GanvasError('MODEL_INSTALL_FAILED', `"${model.displayName}" has no download location. ${this.store.installHint(model)}`);
    const running = this.downloads.get(id);
    if (running) return { done: running.done };
    const abort = new AbortController();
    const entry = { abort, progress: null as InstallProgress | null, done: Promise.resolve() };
    entry.done = installFromUrl(this.store, model, model.url, {
      signal: abort.signal,
      onProgress: (p) => {
        entry.progress = p;
        this.emit({ type: 'model-progress', progress: p });
      },
    }).then(
      () => {
        this.downloads.delete(id);
        this.changed();
        this.emit({ type: 'model-installed', id });
        this.emit({ type: 'models-changed' });
      },
      (err: unknown) => {
        this.downloads.delete(id);
        this.emit({ type: 'model-download-failed', id, error: toErrorInfo(err) });
        this.emit({ type: 'models-changed' });
        if (!isCancelled(err)) throw err;
      },
    );
    this.downloads.set(id, entry);
    this.emit({ type: 'models-changed' });
    // The events carry the outcome; callers that wait (the CLI) get it from `done`.
    entry.done.catch(() => {});
    return { done: entry.done };
  }

  cancelDownload(id: string): void {
    this.downloads.get(id)?.abort.abort();
  }

  /** Installs from a folder (a mirror or one file's folder): the models named, or every one it holds that is missing. */
  async installFromFolder(folder: string, ids?: string[]): Promise<{ installed: string[]; failed: { id: string; reason: string }[] }> {
    await checkMirror(folder);
    const named = ids?.length ? ids.map((id) => this.store.model(id)) : null;
    const missing = this.store.catalog.models.filter((m) => (m.availability === 'mirror' || m.availability === 'download') && !this.store.locate(m));
    // Looking for every missing model in a folder: those it does not hold are not failures.
    const candidates = named ?? (await Promise.all(missing.map(async (m) => ((await findInFolder(folder, m)) ? [m] : [])))).flat();
    const installed: string[] = [];
    const failed: { id: string; reason: string }[] = [];
    for (const m of candidates) {
      try {
        await installFromDir(this.store, m, folder);
        installed.push(m.id);
      } catch (err) {
        failed.push({ id: m.id, reason: errorMessage(err) });
      }
    }
    if (named === null && installed.length === 0 && failed.length === 0) throw new GanvasError('NOT_FOUND', `${folder} holds none of the models Ganvas is missing.`);
    this.changed();
    this.emit({ type: 'models-changed' });
    return { installed, failed };
  }

  async remove(id: string): Promise<void> {
    const model = this.store.model(id);
    this.cancelDownload(id);
    await removeModel(this.store, model);
    if (model.availability === 'custom') await forgetCustomModel(this.store, id);
    this.changed();
    this.emit({ type: 'models-changed' });
  }

  async verify(id: string): Promise<ModelListing> {
    const [listing] = (await this.list(undefined, true)).filter((m) => m.id === id);
    if (!listing) throw new GanvasError('MODEL_UNKNOWN', `Unknown model "${id}".`);
    return listing;
  }

  async addCustom(task: CustomModelTask, file: string, name: string): Promise<ModelListing> {
    const entry = await addCustomModel(this.store, task, file, name);
    this.changed();
    this.emit({ type: 'models-changed' });
    return (await this.list(task)).find((m) => m.id === entry.id)!;
  }
}
