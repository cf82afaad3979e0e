import { KeptValues } from './kept-values.js';
import type { ProviderId } from './providers.js';

const isReason = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 2000;

/** A model a GPU failed on, on this machine: not tried there again (no failed run each session), and listed by doctor. */
export interface KnownFallback {
  modelId: string;
  provider: ProviderId;
  /** The adapter it failed on (WebGPU) and the ONNX Runtime version. */
  device: string;
  reason: string;
}

/** The models each GPU failed on here, kept between sessions (see KeptValues). */
export class KnownFallbacks {
  private readonly kept: KeptValues<string>;

  constructor(path: string | null) {
    this.kept = new KeptValues(path, isReason);
  }

  get(modelId: string, provider: ProviderId, device: string): string | null {
    return this.kept.get(JSON.stringify([modelId, provider, device]));
  }

  record(f: KnownFallback): void {
    this.kept.set(JSON.stringify([f.modelId, f.provider, f.device]), f.reason);
  }

  /** The last write: a job whose model fell back waits for it, so a CLI run that ends at once still keeps it. */
  get saving(): Promise<void> {
    return this.kept.saving;
  }

  all(): KnownFallback[] {
    return this.kept.entries().map(([key, reason]) => {
      const [modelId, provider, device] = JSON.parse(key) as [string, ProviderId, string];
      return { modelId, provider, device, reason };
    });
  }
}
