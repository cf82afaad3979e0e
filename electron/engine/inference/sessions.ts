import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { GanvasError, errorMessage } from '../errors.js';
import { checkProvider, providerOrder, type ProviderCheck, type ProviderId } from './providers.js';

export interface ProviderAttempt extends ProviderCheck {
  tried: boolean;
}

export interface LoadedSession {
  modelId: string;
  session: ort.InferenceSession;
  provider: ProviderId;
  /** Every provider considered for this model, in order, with why it was or was not used. */
  attempts: ProviderAttempt[];
}

/** One ORT session per model, created on first use with the first provider that works. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<LoadedSession>>();

  constructor(private readonly preferred: ProviderId | 'auto' = 'auto') {}

  get(modelId: string, path: string): Promise<LoadedSession> {
    let s = this.sessions.get(modelId);
    if (!s) {
      s = this.create(modelId, path);
      this.sessions.set(modelId, s);
      s.catch(() => this.sessions.delete(modelId));
    }
    return s;
  }

  loaded(): Promise<LoadedSession[]> {
    return Promise.all([...this.sessions.values()].map((s) => s.catch(() => null))).then((all) => all.filter((s): s is LoadedSession => s !== null));
  }

  async release(modelId: string): Promise<void> {
    const s = this.sessions.get(modelId);
    this.sessions.delete(modelId);
    if (s) await (await s.catch(() => null))?.session.release();
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
  }

  private async create(modelId: string, path: string): Promise<LoadedSession> {
    const attempts: ProviderAttempt[] = [];
    for (const id of providerOrder(this.preferred)) {
      const check = checkProvider(id);
      if (!check.available) {
        attempts.push({ ...check, tried: false });
        continue;
      }
      try {
        const session = await ort.InferenceSession.create(path, {
          executionProviders: [id],
          graphOptimizationLevel: 'all',
        });
        attempts.push({ ...check, tried: true, reason: `in use: ${check.reason}` });
        return { modelId, session, provider: id, attempts };
      } catch (err) {
        attempts.push({ id, available: false, tried: true, reason: `failed to start: ${errorMessage(err)}` });
      }
    }
    const why = attempts.map((a) => `${a.id}: ${a.reason}`).join('; ');
    throw new GanvasError('INFERENCE_FAILED', `Model "${modelId}" could not be loaded by any execution provider (${why}).`);
  }
}
