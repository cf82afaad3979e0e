import { GanvasError, toErrorInfo } from '../errors.js';
import type { OpenOptions } from '../images/open.js';
import type { EngineEvent } from '../info.js';
import { BatchRun, type BatchOptions, type BatchReport, type RunTool } from './batch.js';
import type { Recipe } from './recipe.js';

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
    run.done
      .then(
        (report) => emit({ type: 'batch-done', batchId, report }),
        (err: unknown) => emit({ type: 'batch-failed', batchId, error: toErrorInfo(err) }),
      )
      .finally(() => this.running.delete(batchId));
    return { batchId, done: run.done };
  }

  control(batchId: string, action: 'pause' | 'resume' | 'cancel'): void {
    const run = this.running.get(batchId);
    if (!run) throw new GanvasError('NOT_FOUND', 'That batch is not running.');
    run[action]();
  }

  /** Cancels every batch and waits for each to end. */
  async dispose(): Promise<void> {
    for (const run of this.running.values()) run.cancel();
    await Promise.all([...this.running.values()].map((run) => run.done.catch(() => {})));
  }
}
