import { freemem } from 'node:os';
import { jobId, type JobId } from '../ids.js';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { CancelledError, GanvasError, fromErrorInfo } from '../errors.js';
import { sharpInput } from '../images/raster.js';
import { plainBytes, type EncodedImage } from '../images/preview.js';
import { workerUrl } from '../worker-url.js';
import type { ResultPart, ToolInput, ToolProgress } from '../tools/tool.js';
import type { ProviderChoice } from '../inference/providers.js';
import type { FromWorker, JobResultMessage, ProviderReport, ToWorker, WorkerConfig } from './protocol.js';

export interface JobProgress extends ToolProgress {
  /** Seconds left at the pace so far, or null before the first unit is done. */
  etaSeconds: number | null;
}

/** A finished part of a result, in the input's pixels, as a JPEG. */
export interface PartPicture {
  x: number;
  y: number;
  width: number;
  height: number;
  image: EncodedImage;
}

/** Who listens to a job as it runs; `onPart` also asks the tool for its finished parts. */
export interface JobListeners {
  onProgress?: (p: JobProgress) => void;
  onPart?: (part: PartPicture) => void;
}

export interface JobHandle {
  id: JobId;
  result: Promise<JobResultMessage>;
  cancel(): void;
}

/** Memory one run may plan for: half of what is free, between 1 and 4 GB. */
function defaultMemoryBudget(): number {
  return Math.min(4e9, Math.max(1e9, freemem() * 0.5));
}

interface Pending {
  id: JobId;
  start: () => void;
  listeners: JobListeners;
  resolve: (r: JobResultMessage) => void;
  reject: (e: Error) => void;
  /** The user cancelled: whatever the worker sends afterwards, the job ends as cancelled. */
  cancelled: boolean;
  firstProgressAt: number | null;
  /** Resolves when every part received so far has gone to `onPart`. */
  partsSent: Promise<void>;
  /** Resolves when the job has ended, however it ended. */
  settled: Promise<void>;
}

/** How long closing waits for a running job to stop. */
const CLOSE_GRACE_MS = 30_000;

/**
 * Runs tools on the inference worker, one job at a time in order, and turns the worker's
 * messages into progress (with an ETA), results and typed errors. Every job ends exactly once:
 * done, cancelled (also when its result comes after the cancel) or failed (also when the worker
 * thread dies under it; a new worker then takes the jobs that wait).
 */
export class JobHost {
  private worker!: Worker;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private readonly providerWaiters: { resolve: (r: ProviderReport) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  private closing = false;
  /** What the worker said before it stopped (an uncaught error), for the failed job's message. */
  private lastWorkerError: Error | null = null;

  constructor(
    private readonly config: WorkerConfig,
    private readonly memoryBudgetBytes = defaultMemoryBudget(),
    private readonly script: URL = workerUrl(import.meta.url, './worker.js', 'jobs'),
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(this.script, { workerData: this.config });
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => (this.lastWorkerError = err));
    this.worker.on('exit', (code) => this.onExit(code));
    this.worker.unref();
  }

  run(toolId: string, input: ToolInput, params: unknown, listeners: JobListeners = {}): JobHandle {
    const id = jobId(this.nextId++);
    let pending!: Pending;
    const result = new Promise<JobResultMessage>((resolve, reject) => {
      pending = {
        id,
        listeners,
        resolve,
        reject,
        cancelled: false,
        firstProgressAt: null,
        partsSent: Promise.resolve(),
        settled: Promise.resolve(),
        start: () =>
          this.post({
            type: 'run',
            jobId: id,
            toolId,
            params,
            input: input.raster,
            mask: input.mask,
            reference: input.reference ?? null,
            memoryBudgetBytes: this.memoryBudgetBytes,
            showParts: listeners.onPart !== undefined,
          }),
      };
    });
    pending.settled = result.then(
      () => {},
      () => {},
    );
    this.queue.push(pending);
    this.pump();
    return {
      id,
      result,
      cancel: () => {
        if (pending.cancelled) return;
        pending.cancelled = true;
        const queued = this.queue.indexOf(pending);
        if (queued >= 0) this.queue.splice(queued, 1)[0]!.reject(new CancelledError());
        else if (this.current === pending) this.post({ type: 'cancel', jobId: id });
      },
    };
  }

  /** Tells the inference thread that models changed (installed, removed, added); it reloads before the next job. */
  /** Later jobs run on `provider`; models already loaded are loaded again there. */
  useProvider(provider: ProviderChoice): void {
    this.post({ type: 'use-provider', provider });
  }

  reloadModels(): void {
    this.post({ type: 'reload-models' });
    if (!this.current && this.queue.length === 0) this.worker.unref();
  }

  providers(): Promise<ProviderReport> {
    return new Promise((resolve, reject) => {
      this.providerWaiters.push({ resolve, reject });
      this.post({ type: 'providers' });
    });
  }

  /**
   * Stops the worker. Queued jobs are cancelled and the running one is asked to stop and given
   * time to finish its current network run: terminating a thread inside ONNX Runtime aborts the
   * whole process.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const p of this.queue.splice(0)) p.reject(new CancelledError());
    const running = this.current;
    if (running) {
      running.cancelled = true;
      this.post({ type: 'cancel', jobId: running.id });
      await Promise.race([running.settled, new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())]);
    }
    await this.worker.terminate();
  }

  private post(msg: ToWorker): void {
    this.worker.ref();
    this.worker.postMessage(msg);
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    this.current = this.queue.shift()!;
    this.current.start();
  }

  private finish(): void {
    this.current = null;
    if (this.queue.length === 0 && this.providerWaiters.length === 0) this.worker.unref();
    this.pump();
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'providers') {
      this.providerWaiters.shift()?.resolve(msg.report);
      if (!this.current && this.providerWaiters.length === 0) this.worker.unref();
      return;
    }
    const job = this.current;
    if (!job || job.id !== msg.jobId) return;
    switch (msg.type) {
      case 'progress': {
        if (job.cancelled) break;
        const now = performance.now();
        if (msg.progress.done === 0 || job.firstProgressAt === null) job.firstProgressAt = now;
        const { done, total } = msg.progress;
        const elapsed = (now - job.firstProgressAt) / 1000;
        const etaSeconds = done > 0 && total > done ? (elapsed / done) * (total - done) : done >= total && total > 0 ? 0 : null;
        job.listeners.onProgress?.({ ...msg.progress, etaSeconds });
        break;
      }
      case 'part':
        if (!job.cancelled) job.partsSent = job.partsSent.then(() => this.sendPart(job, msg.part));
        break;
      case 'done':
        // A cancel that crossed the result on its way: the user asked for nothing, so nothing arrives.
        if (job.cancelled) job.reject(new CancelledError());
        // Its parts are all out before the whole: none arrives for a job that has ended.
        else void job.partsSent.then(() => job.resolve(msg.result));
        this.finish();
        break;
      case 'failed':
        job.reject(job.cancelled ? new CancelledError() : fromErrorInfo(msg.error));
        this.finish();
        break;
    }
  }

  /** Encodes a part as a small JPEG for its listener; a part that cannot be encoded is only not shown. */
  private async sendPart(job: Pending, { image, ...rect }: ResultPart): Promise<void> {
    if (job.cancelled || !job.listeners.onPart) return;
    const jpeg = await sharp(...sharpInput(image))
      .jpeg({ quality: 85 })
      .toBuffer()
      .catch(() => null);
    if (jpeg && !job.cancelled) job.listeners.onPart({ ...rect, image: { bytes: plainBytes(jpeg), type: 'image/jpeg' } });
  }

  /** The worker thread ended: when not by `close`, its job fails, and a new worker serves the rest. */
  private onExit(code: number): void {
    if (this.closing) return;
    const why = this.lastWorkerError ? `: ${this.lastWorkerError.message}` : ` (exit code ${code})`;
    this.lastWorkerError = null;
    const job = this.current;
    this.current = null;
    job?.reject(
      job.cancelled
        ? new CancelledError()
        : new GanvasError('INFERENCE_FAILED', `The inference thread stopped unexpectedly${why}. The photo was not changed; try again.`),
    );
    for (const w of this.providerWaiters.splice(0)) w.reject(new GanvasError('INFERENCE_FAILED', `The inference thread stopped unexpectedly${why}.`));
    this.spawn();
    this.pump();
  }
}
