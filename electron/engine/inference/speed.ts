import { KeptValues } from './kept-values.js';
import type { ProviderId } from './providers.js';

const isSpeed = (v: unknown): v is number => typeof v === 'number' && v > 0 && Number.isFinite(v);

/**
 * Each tiled model's speed on this machine (seconds per input pixel, by model and provider), as
 * its runs measured it, kept so the next session (or CLI call) sizes its tiles right from the
 * first one. A slow network's tiles are kept short with it, so a cancel takes effect quickly (see
 * chooseTile).
 */
export class ModelSpeeds {
  private readonly speeds: KeptValues<number>;

  constructor(path: string | null) {
    this.speeds = new KeptValues(path, isSpeed);
  }

  get saving(): Promise<void> {
    return this.speeds.saving;
  }

  get(modelId: string, provider: ProviderId): number | null {
    return this.speeds.get(`${modelId}|${provider}`);
  }

  record(modelId: string, provider: ProviderId, secondsPerPixel: number): void {
    this.speeds.set(`${modelId}|${provider}`, secondsPerPixel);
  }
}
