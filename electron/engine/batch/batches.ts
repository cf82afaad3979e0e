import { GanvasError, toErrorInfo } from '../errors.js';
import type { OpenOptions } from '../images/open.js';
import type { EngineEvent } from '../info.js';
import { BatchRun, type BatchOptions, type BatchReport, type RunTool } from './batch.js';
import type { Recipe } from './recipe.js';
import { runFarmBatch, type FarmBatchOptions } from '../farm/submit.js';

/** What the running batches use from the engine. */
export interface BatchServices {
  /** Throws when a model a recipe needs is missing, before any photo is read. */
  checkRecipe(recipe: Recipe): void;
  runTool: RunTool;
  open: OpenOptions;
  recordAiProvenance(): boolean;
  emit(e: EngineEvent): void;
}

/** The batches running now, by id; their progress, per-file results and report go out as events. */
export class Batches {
  private readonly running = new Map<string, BatchRun>();
  /** Farm batches followed from here. */
  private readonly onFarm = new Map<string, { cancel: AbortController; detach: AbortController; done: Promise<BatchReport> }>();
  private next = 1;

  constructor(readonly services: BatchServices) {}

  start(options: Omit<BatchOptions, 'recordAiProvenance'>): { batchId: string; done: Promise<BatchReport> } {
    const { checkRecipe, runTool, open, recordAiProvenance, emit } = this.services;
    checkRecipe(options.recipe);
    const batchId = `batch-${this.next++}`;
    const run = new BatchRun(
      { ...options, recordAiProvenance: recordAiProvenance() },
      runTool,
      open,
      (file) => emit({ type: 'batch-file', batchId, file }),
      (progress) => emit({ type: 'batch-progress', batchId, progress }),
    );
    this.running.set(batchId, run);
    this.settle(batchId, run.done, () => this.running.delete(batchId));
    return { batchId, done: run.done };
  }

  /** A batch spread over a farm's workers (see farm/): the same events as one on this computer. */
  startOnFarm(options: Omit<FarmBatchOptions, 'recordAiProvenance'>): { batchId: string; done: Promise<BatchReport> } {
    const { recordAiProvenance, emit } = this.services;
    const batchId = `batch-${this.next++}`;
    const cancel = new AbortController();
    const detach = new AbortController();
    const done = runFarmBatch(
      { ...options, recordAiProvenance: recordAiProvenance() },
      {
        onProgress: (progress) => emit({ type: 'batch-progress', batchId, progress }),
        onFile: (file) => emit({ type: 'batch-file', batchId, file }),
        cancel: cancel.signal,
        detach: detach.signal,
      },
    );
    this.onFarm.set(batchId, { cancel, detach, done });
    this.settle(batchId, done, () => this.onFarm.delete(batchId));
    return { batchId, done };
  }

  control(batchId: string, action: 'pause' | 'resume' | 'cancel'): void {
    const farm = this.onFarm.get(batchId);
    if (farm && action !== 'cancel')
      throw new GanvasError('INVALID_INPUT', 'A batch on a farm cannot be paused: cancel it, and start it again later to go on where it stopped.');
    if (farm) return farm.cancel.abort();
    const run = this.running.get(batchId);
    if (!run) throw new GanvasError('NOT_FOUND', 'That batch is not running.');
    run[action]();
  }

  private settle(batchId: string, done: Promise<BatchReport>, after: () => void): void {
    const { emit } = this.services;
    done
      .then(
        (report) => emit({ type: 'batch-done', batchId, report }),
        (err: unknown) => emit({ type: 'batch-failed', batchId, error: toErrorInfo(err) }),
      )
      .finally(after);
  }

  /** Cancels every batch and waits for each to end. */
  async dispose(): Promise<void> {
    // A farm batch goes on without us: only following it stops.
    for (const farm of this.onFarm.values()) farm.detach.abort();
    for (const run of this.running.values()) run.cancel();
    await Promise.all([...this.running.values(), ...this.onFarm.values()].map((run) => run.done.catch(() => {})));
  }
}
