import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { GanvasError, errorMessage } from '../errors.js';
import type { GpuAdapter } from './gpu-adapter.js';
import { KnownFallbacks } from './known-fallbacks.js';
import { providerChecks, providerContext, type ProviderCheck, type ProviderChoice, type ProviderId } from './providers.js';

export interface ProviderAttempt extends ProviderCheck {
  tried: boolean;
}

export function isAllocationError(err: unknown): boolean {
  return /alloc|out of memory|bad_alloc|\boom\b/i.test(errorMessage(err));
}

/**
 * No memory pattern: it plans allocations for one input shape, and our models see a new shape with
 * almost every crop or tile size; planning doubled the run that follows a new shape (the inpainting
 * network on 512×400 after 512×512: 685 ms, then 344 ms; 428 ms unplanned) and gained nothing on
 * later runs of the same shape (DirectML refuses it outright).
 */
export function sessionOptions(provider: ProviderId): ort.InferenceSession.SessionOptions {
  return { executionProviders: [provider], graphOptimizationLevel: 'all', enableMemPattern: false };
}

function openSession(path: string, provider: ProviderId): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, sessionOptions(provider));
}

/**
 * A model's session on the provider it runs on. If a GPU fails on one of its runs (an operator
 * the provider gets wrong, memory it cannot have), the model moves to the CPU for the rest of
 * the process and the run is repeated there: a job never fails because of the GPU, and `fallback`
 * says why (doctor, the Models window, the result's notice).
 */
export class LoadedSession {
  private opening: Promise<ort.InferenceSession> | null = null;

  constructor(
    readonly modelId: string,
    /** Null while unloaded: the next run opens it again on the same provider. */
    private session: ort.InferenceSession | null,
    public provider: ProviderId,
    /** Every provider considered for this model, in order, with why it was or was not used. */
    readonly attempts: ProviderAttempt[],
    private readonly path: string,
    /** Why the model does not run on the GPU it would have (null: it does, or there is none). */
    public fallback: string | null = null,
    /** The GPU WebGPU runs it on, where it does. */
    readonly adapter: GpuAdapter | null = null,
    private readonly onFallback: (reason: string) => void = () => {},
  ) {}

  /** `retriesSmaller`: the caller (a tiler) retries an allocation failure with smaller tiles, so the GPU keeps the model until then. */
  async run(feeds: Record<string, ort.Tensor>, outputs: string[], retriesSmaller = false): Promise<ort.InferenceSession.ReturnType> {
    try {
      return await (await this.open()).run(feeds, outputs);
    } catch (err) {
      if (this.provider === 'cpu' || (retriesSmaller && isAllocationError(err))) throw err;
      const why = `${this.provider} failed on this model (${errorMessage(err).split('\n')[0]}); it runs on the CPU`;
      const gpu = this.session;
      this.session = await openSession(this.path, 'cpu');
      this.attempts.push({ id: 'cpu', available: true, tried: true, reason: `in use: ${why}` });
      [this.provider, this.fallback] = ['cpu', why];
      this.onFallback(why);
      await gpu?.release().catch(() => undefined);
      return this.session.run(feeds, outputs);
    }
  }

  private open(): Promise<ort.InferenceSession> {
    if (this.session) return Promise.resolve(this.session);
    // Runs that start together share one opening.
    this.opening ??= openSession(this.path, this.provider).then((session) => {
      [this.session, this.opening] = [session, null];
      return session;
    });
    return this.opening;
  }

  /**
   * Gives back the session's memory (ONNX Runtime keeps its largest run's buffers for as long as
   * the session lives: 0.37 GB after Enhance's 384-px tiles); what it learnt about its provider
   * stays, and the next run opens it again (30–80 ms for most models here, 1.6 s for x4plus).
   */
  async unload(): Promise<void> {
    const session = this.session;
    this.session = null;
    await session?.release();
  }
}

/** One ORT session per model, created on first use with the first provider that works. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<LoadedSession>>();

  constructor(
    private readonly preferred: ProviderChoice = 'auto',
    private readonly known: KnownFallbacks = new KnownFallbacks(null),
  ) {}

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
    if (s) await (await s.catch(() => null))?.unload();
  }

  /** Gives back every session's memory while keeping what is known about their providers. */
  async unloadAll(): Promise<void> {
    await Promise.all((await this.loaded()).map((s) => s.unload()));
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
  }

  private async create(modelId: string, path: string): Promise<LoadedSession> {
    const attempts: ProviderAttempt[] = [];
    const ctx = await providerContext(this.preferred);
    let fallback: string | null = null;
    for (const check of providerChecks(this.preferred, ctx)) {
      // A new ONNX Runtime or another GPU may well run it: the failure is kept for this pair only.
      const device = `${check.id === 'webgpu' ? `${ctx.gpu.adapter?.name ?? ''}, ` : ''}ONNX Runtime ${ort.env.versions.node ?? ort.env.versions.common}`;
      const failedBefore = check.id === 'cpu' ? null : this.known.get(modelId, check.id, device);
      if (failedBefore) {
        fallback ??= failedBefore;
        attempts.push({ ...check, available: false, tried: false, reason: `failed on this model here before: ${failedBefore}` });
        continue;
      }
      if (!check.available) {
        attempts.push({ ...check, tried: false });
        continue;
      }
      try {
        const session = await openSession(path, check.id);
        attempts.push({ ...check, tried: true, reason: `in use: ${check.reason}` });
        const onFallback = (reason: string) => this.known.record({ modelId, provider: check.id, device, reason });
        return new LoadedSession(modelId, session, check.id, attempts, path, fallback, check.id === 'webgpu' ? ctx.gpu.adapter : null, onFallback);
      } catch (err) {
        attempts.push({ id: check.id, available: false, tried: true, reason: `failed to start: ${errorMessage(err)}` });
      }
    }
    const why = attempts.map((a) => `${a.id}: ${a.reason}`).join('; ');
    throw new GanvasError('INFERENCE_FAILED', `Model "${modelId}" could not be loaded by any execution provider (${why}).`);
  }
}
