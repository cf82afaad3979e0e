import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, isAbsolute } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { GanvasError } from '../errors.js';
import { findModel, type Catalog, type ModelEntry } from './catalog.js';
import { TOOLS_BY_TASK } from '../tools/specs.js';
import { sha256File } from './sha256.js';

/**
 * bundled: shipped with the app (the repository's models/ folder, or the packaged app's
 * resources); installed: in the user's models folder (preferred over a bundled copy);
 * corrupt: there but its size or sha256 is wrong.
 */
export type ModelState = 'bundled' | 'installed' | 'missing' | 'corrupt' | 'unavailable';

export interface ModelStatus {
  id: string;
  displayName: string;
  task: ModelEntry['task'];
  state: ModelState;
  path: string | null;
  detail: string;
  bytes: number | null;
  licence: string;
  source: string;
  /** Where the app can download it from, or null. */
  url: string | null;
  /** Added by the user from their own ONNX file. */
  custom: boolean;
  /** The tools that use it, for people. */
  usedBy: readonly string[];
}

export interface ModelStoreOptions {
  /** Folders searched after the user's own (e.g. models a packaged app was built with). */
  readOnlyDirs?: readonly string[];
  /** The models shipped with the app, laid out as the catalog's `file` paths; searched last. */
  bundledDir?: string | null;
  /**
   * A small JSON file remembering which files' sha256 was checked (by path, size and mtime), so a
   * model is hashed once per version of its file, not at every start.
   */
  verifiedCache?: string | null;
}

type Stamp = `${number}:${number}`;

/**
 * Installed models: one writable folder (the user's) plus read-only ones searched after it, and
 * the bundled ones last, so a user-installed copy of the same id wins.
 */
export class ModelStore {
  private readonly verified: Map<string, Stamp>;
  readonly readOnlyDirs: readonly string[];
  readonly bundledDir: string | null;
  private readonly verifiedCache: string | null;

  constructor(
    readonly catalog: Catalog,
    readonly dir: string,
    options: ModelStoreOptions = {},
  ) {
    this.readOnlyDirs = options.readOnlyDirs ?? [];
    this.bundledDir = options.bundledDir ?? null;
    this.verifiedCache = options.verifiedCache ?? null;
    this.verified = new Map(Object.entries(this.readVerifiedCache()));
  }

  private readVerifiedCache(): Record<string, Stamp> {
    if (!this.verifiedCache) return {};
    try {
      const json = JSON.parse(readFileSync(this.verifiedCache, 'utf8')) as unknown;
      return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, Stamp>) : {};
    } catch {
      return {};
    }
  }

  model(id: string): ModelEntry {
    return findModel(this.catalog, id);
  }

  /** Where an install of this model goes. */
  targetPath(model: ModelEntry): string {
    return join(this.dir, basename(model.file));
  }

  /** The file the engine uses for a model: the user's copy first, then read-only folders, then the bundled one. */
  locate(model: ModelEntry): string | null {
    for (const dir of [this.dir, ...this.readOnlyDirs]) {
      const p = join(dir, basename(model.file));
      if (existsSync(p)) return p;
    }
    const bundled = this.bundledDir && model.bundled ? join(this.bundledDir, model.file) : null;
    return bundled && existsSync(bundled) ? bundled : null;
  }

  /** Whether a path is the bundled copy (which the user cannot remove). */
  isBundled(path: string): boolean {
    if (!this.bundledDir) return false;
    const r = relative(this.bundledDir, path);
    return !r.startsWith('..') && !isAbsolute(r);
  }

  /** Where a model can come from, in words, and the command or button that gets it. */
  installHint(model: ModelEntry): string {
    if (model.availability === 'unavailable') return `Model "${model.displayName}" has no known source yet (${model.source}).`;
    if (model.availability === 'custom') return `It was added from your own file: add it again with \`ganvas models add\` or Models › Add your own ONNX.`;
    if (model.availability === 'bundled') return `It ships with Ganvas as models/${model.file}: reinstall Ganvas to get it back.`;
    if (model.url) return `Download it with \`ganvas models install ${model.id}\` or in the app: Models › Download.`;
    return (
      `It comes from ${model.source}. Put ${basename(model.file)} in a folder and install it with ` +
      `\`ganvas models install ${model.id} --from <folder>\`, or in the app: Models › Install from a folder….`
    );
  }

  async status(model: ModelEntry, verify: boolean): Promise<ModelStatus> {
    const base = {
      id: model.id,
      displayName: model.displayName,
      task: model.task,
      bytes: model.bytes,
      licence: model.licence,
      source: model.source,
      url: model.url ?? null,
      custom: model.availability === 'custom',
      usedBy: TOOLS_BY_TASK[model.task],
    };
    if (model.availability === 'unavailable') {
      return { ...base, state: 'unavailable', path: null, detail: 'no known source' };
    }
    const path = this.locate(model);
    if (!path) return { ...base, state: 'missing', path: null, detail: 'not installed' };
    const problem = await this.problemWith(model, path, verify);
    if (problem) return { ...base, state: 'corrupt', path, detail: problem };
    const checked = verify || this.verified.has(path) ? 'sha256 verified' : 'size matches';
    return { ...base, state: this.isBundled(path) ? 'bundled' : 'installed', path, detail: checked };
  }

  /** The verified path of a model, or an error saying where it can come from. */
  async resolve(id: string): Promise<string> {
    const model = this.model(id);
    const path = this.locate(model);
    if (!path) {
      throw new GanvasError('MODEL_MISSING', `Model "${model.displayName}" (${model.id}) is not installed. ${this.installHint(model)}`);
    }
    const problem = await this.problemWith(model, path, true);
    if (problem) {
      throw new GanvasError('MODEL_CORRUPT', `Model file ${path} failed verification (${problem}). Reinstall it: ${this.installHint(model)}`);
    }
    return path;
  }

  private async problemWith(model: ModelEntry, path: string, verify: boolean): Promise<string | null> {
    const st = statSync(path);
    if (model.bytes !== null && st.size !== model.bytes) return `size ${st.size} bytes, expected ${model.bytes}`;
    if (!verify || model.sha256 === null) return null;
    const stamp: Stamp = `${st.size}:${st.mtimeMs}`;
    if (this.verified.get(path) === stamp) return null;
    const actual = await sha256File(path);
    if (actual !== model.sha256) return `sha256 ${actual}, expected ${model.sha256}`;
    this.verified.set(path, stamp);
    await this.saveVerifiedCache();
    return null;
  }

  /** Forgets that a file was verified (it was replaced or removed). */
  forget(path: string): void {
    this.verified.delete(path);
  }

  private async saveVerifiedCache(): Promise<void> {
    if (!this.verifiedCache) return;
    // Another process (the app's inference thread, a CLI) may have checked other files meanwhile.
    const merged = { ...this.readVerifiedCache(), ...Object.fromEntries(this.verified) };
    await writeFileAtomic(this.verifiedCache, JSON.stringify(merged)).catch(() => {
      // Only a cache: the next start hashes again.
    });
  }
}
