import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GanvasError } from '../errors.js';
import { findModel, type Catalog, type ModelEntry } from './catalog.js';
import { sha256File } from './sha256.js';

export type ModelState = 'installed' | 'missing' | 'corrupt' | 'unavailable';

export interface ModelStatus {
  id: string;
  displayName: string;
  task: ModelEntry['task'];
  state: ModelState;
  path: string | null;
  detail: string;
}

/**
 * Installed models: one writable folder (the user's) plus read-only folders searched after it
 * (models bundled with a packaged app).
 */
export class ModelStore {
  /** path -> "size:mtime" of files whose sha256 was checked in this process. */
  private readonly verified = new Map<string, string>();

  constructor(
    readonly catalog: Catalog,
    readonly dir: string,
    readonly readOnlyDirs: readonly string[] = [],
  ) {}

  model(id: string): ModelEntry {
    return findModel(this.catalog, id);
  }

  /** Where an install of this model goes. */
  targetPath(model: ModelEntry): string {
    return join(this.dir, basename(model.file));
  }

  locate(model: ModelEntry): string | null {
    for (const dir of [this.dir, ...this.readOnlyDirs]) {
      const p = join(dir, basename(model.file));
      if (existsSync(p)) return p;
    }
    return null;
  }

  installHint(model: ModelEntry): string {
    if (model.availability === 'unavailable') return `Model "${model.id}" has no known download source yet.`;
    const from = model.availability === 'mirror' ? '--from <mirror folder>' : `--url ${model.url ?? '<url>'}`;
    return (
      `Install it with \`ganvas models install ${model.id} ${from}\` ` +
      `(or in the app: Models › Install). Models live in ${this.dir}; set GANVAS_MODELS_DIR or --models-dir to use another folder.`
    );
  }

  async status(model: ModelEntry, verify: boolean): Promise<ModelStatus> {
    const base = { id: model.id, displayName: model.displayName, task: model.task };
    if (model.availability === 'unavailable') {
      return { ...base, state: 'unavailable', path: null, detail: 'no known source' };
    }
    const path = this.locate(model);
    if (!path) return { ...base, state: 'missing', path: null, detail: 'not installed' };
    const problem = await this.problemWith(model, path, verify);
    return problem
      ? { ...base, state: 'corrupt', path, detail: problem }
      : { ...base, state: 'installed', path, detail: verify ? 'sha256 verified' : 'size matches' };
  }

  /** The verified path of an installed model, or an error saying how to install it. */
  async resolve(id: string): Promise<string> {
    const model = this.model(id);
    const path = this.locate(model);
    if (!path) {
      throw new GanvasError('MODEL_MISSING', `Model "${model.displayName}" (${model.id}) is not installed. ${this.installHint(model)}`);
    }
    const problem = await this.problemWith(model, path, true);
    if (problem) {
      throw new GanvasError(
        'MODEL_CORRUPT',
        `Model file ${path} failed verification (${problem}). Reinstall it: ${this.installHint(model)}`,
      );
    }
    return path;
  }

  private async problemWith(model: ModelEntry, path: string, verify: boolean): Promise<string | null> {
    const st = statSync(path);
    if (model.bytes !== null && st.size !== model.bytes) return `size ${st.size} bytes, expected ${model.bytes}`;
    if (!verify || model.sha256 === null) return null;
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (this.verified.get(path) === stamp) return null;
    const actual = await sha256File(path);
    if (actual !== model.sha256) return `sha256 ${actual}, expected ${model.sha256}`;
    this.verified.set(path, stamp);
    return null;
  }
}
