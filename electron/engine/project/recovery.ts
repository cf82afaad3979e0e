import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { extname, isAbsolute, join } from 'node:path';
import { ContainerReader } from './container.js';
import { GanvasError } from '../errors.js';
import { processAlive } from '../process-alive.js';
import type { PhotoDocument } from '../document/document.js';
import { saveProject } from './project.js';

export interface RecoveryEntry {
  key: string;
  /** The document's title when it was autosaved. */
  title: string;
  /** Where the user had saved it as a project, if anywhere. */
  projectPath: string | null;
  sourcePath: string;
  savedAt: string;
  pid: number;
}

/** `<pid>-<12 hex>`, as `keyFor` makes them: anything else names no autosave of ours. */
const KEY_FORMAT = /^\d{1,10}-[0-9a-f]{12}$/;

/**
 * Autosaves in the user's data folder: one project file per open document plus a small JSON
 * record. A clean close removes them; what remains after a crash is offered for restore.
 */
export class RecoveryStore {
  private readonly keys = new Map<string, string>();

  constructor(readonly dir: string) {}

  private keyFor(doc: PhotoDocument): string {
    let key = this.keys.get(doc.id);
    if (!key) {
      key = `${process.pid}-${randomBytes(6).toString('hex')}`;
      this.keys.set(doc.id, key);
    }
    return key;
  }

  projectFile(key: string): string {
    return join(this.dir, `${key}.ganvas`);
  }

  private recordFile(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  async save(doc: PhotoDocument, title: string, includeHistory: boolean): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const key = this.keyFor(doc);
    await saveProject(doc, this.projectFile(key), { includeHistory });
    const entry: RecoveryEntry = {
      key,
      title,
      projectPath: doc.saveState.projectPath,
      sourcePath: doc.source.path,
      savedAt: new Date().toISOString(),
      pid: process.pid,
    };
    await writeFileAtomic(this.recordFile(key), JSON.stringify(entry));
  }

  async discard(docOrKey: PhotoDocument | string): Promise<void> {
    const key = typeof docOrKey === 'string' ? docOrKey : this.keys.get(docOrKey.id);
    if (!key) return;
    // Keys come from the renderer too: only ever delete inside the recovery folder, and only ours.
    if (!KEY_FORMAT.test(key)) throw new GanvasError('INVALID_INPUT', 'That is not an autosave of Ganvas.');
    if (typeof docOrKey !== 'string') this.keys.delete(docOrKey.id);
    await rm(this.recordFile(key), { force: true });
    await rm(this.projectFile(key), { force: true });
  }

  /** Autosaves left by sessions that are no longer running: the ones to offer after a crash. */
  async orphans(): Promise<RecoveryEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries: RecoveryEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && KEY_FORMAT.test(n.slice(0, -5)))) {
      try {
        const e = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as RecoveryEntry;
        // The record names its own key; the file's name is the one to trust.
        if (e.key !== name.slice(0, -5) || !Number.isInteger(e.pid)) continue;
        if (!processAlive(e.pid) || (e.pid === process.pid && ![...this.keys.values()].includes(e.key))) entries.push(e);
      } catch {
        // A record cut short by the crash itself: its project file, if complete, has no title to show.
      }
    }
    return entries.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }
}

/**
 * The project an autosave's record says it belongs to, kept only when it is one: a `.ganvas`
 * file (not a link) that opens as a Ganvas project. The record is a file anyone can write, and
 * Save writes to this path without asking; anything else is forgotten, so Save asks where.
 */
export async function restoredProjectPath(path: string | null): Promise<string | null> {
  if (!path || !isAbsolute(path) || extname(path).toLowerCase() !== '.ganvas') return null;
  if (!(await lstat(path).catch(() => null))?.isFile()) return null;
  return ContainerReader.open(path).then(
    async (reader) => {
      await reader.close();
      return path;
    },
    () => null,
  );
}
