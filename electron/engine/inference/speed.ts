import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import type { ProviderId } from './providers.js';

/**
 * Each tiled model's speed on this machine (seconds per input pixel, by model and provider), as
 * its runs measured it, kept in a small file so the next session (or CLI call) sizes its tiles
 * right from the first one. A slow network's tiles are kept short with it, so a cancel takes effect
 * quickly (see chooseTile). A missing or unreadable file only means speeds are measured again.
 */
export class ModelSpeeds {
  private readonly speeds: Record<string, number>;
  /** The last write, so they happen one at a time (and a test can wait for it). */
  saving: Promise<void> = Promise.resolve();

  constructor(private readonly path: string | null) {
    this.speeds = path ? read(path) : {};
  }

  get(modelId: string, provider: ProviderId): number | null {
    return this.speeds[`${modelId}|${provider}`] ?? null;
  }

  record(modelId: string, provider: ProviderId, secondsPerPixel: number): void {
    this.speeds[`${modelId}|${provider}`] = secondsPerPixel;
    const path = this.path;
    if (!path) return;
    const json = JSON.stringify(this.speeds);
    // Best effort, one write at a time: a speed that is not kept is measured again next time.
    this.saving = this.saving.then(() => writeFileAtomic(path, json)).catch(() => {});
  }
}

function read(path: string): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0 && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}
