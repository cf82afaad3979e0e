import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';

/**
 * Small facts this machine learned while running models (a model's speed, a GPU that fails on
 * it), kept by key in a JSON file so the next session or CLI call knows them from the start. A
 * missing or unreadable file, or an entry of the wrong kind, only means it is learned again.
 */
export class KeptValues<T> {
  private readonly values: Record<string, T>;
  /** The last write, so they happen one at a time (and a test can wait for it). */
  saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string | null,
    valid: (value: unknown) => value is T,
  ) {
    this.values = path ? read(path, valid) : {};
  }

  get(key: string): T | null {
    return this.values[key] ?? null;
  }

  entries(): [string, T][] {
    return Object.entries(this.values);
  }

  set(key: string, value: T): void {
    this.values[key] = value;
    const path = this.path;
    if (!path) return;
    const json = JSON.stringify(this.values);
    // Best effort, one write at a time: what is not kept is learned again next time.
    this.saving = this.saving.then(() => writeFileAtomic(path, json)).catch(() => {});
  }
}

function read<T>(path: string, valid: (value: unknown) => value is T): Record<string, T> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, T] => valid(e[1])));
  } catch {
    return {};
  }
}
