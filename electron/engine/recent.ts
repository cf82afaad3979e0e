import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

const MAX_RECENT = 10;

/** Recently opened photos and projects, most recent first, kept in the user data folder (null: this session only). */
export class RecentFiles {
  private readonly file: string | null;
  private paths: string[];

  constructor(dataDir: string | null, initial: string[] = []) {
    this.file = dataDir && join(dataDir, 'recent.json');
    this.paths = this.file ? RecentFiles.read(this.file) : initial.slice(0, MAX_RECENT);
  }

  private static read(file: string): string[] {
    try {
      const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  list(): readonly string[] {
    return this.paths;
  }

  /** Puts `path` first; the list on disk follows (atomically, so a crash leaves the old list or the new). */
  add(path: string): Promise<void> {
    this.paths = [path, ...this.paths.filter((p) => p !== path)].slice(0, MAX_RECENT);
    return this.file ? writeFileAtomic(this.file, JSON.stringify(this.paths)) : Promise.resolve();
  }
}
