import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MAX_RECENT = 10;

/** Recently opened photos, most recent first, kept in the user data folder. */
export class RecentFiles {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'recent.json');
  }

  list(): string[] {
    try {
      const v: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  add(path: string): void {
    const next = [path, ...this.list().filter((p) => p !== path)].slice(0, MAX_RECENT);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(next));
    renameSync(tmp, this.file);
  }
}
