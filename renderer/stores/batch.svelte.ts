import type { BatchProgress, BatchReport, FileReport, Recipe, WorkerInfo } from '../../electron/contract.js';
import { api, errorInfo } from '../api.js';
import { on } from '../event-bus.js';
import { app } from './app.svelte.js';
import { messages } from './messages.svelte.js';

type Step = Recipe['steps'][number];

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A batch as the Batch dialog sets it up, and its run, which goes on in the background when the
 * dialog is closed: the status bar shows its progress and reopens the dialog.
 */
class BatchStore {
  input = $state<string | null>(null);
  output = $state<string | null>(null);
  recursive = $state(true);
  include = $state('');
  exclude = $state('');
  formats = $state('');
  recipe = $state<Recipe>({
    version: 1,
    name: 'my-recipe',
    steps: [{ tool: 'enhance', params: { scale: 2, quality: 'fast' } }],
    output: { format: 'same', quality: 92, bitDepth: 8, naming: '{name}-{recipe}' },
  });
  skipExisting = $state(true);
  concurrency = $state(2);
  /** Where it runs: this computer, or a farm's workers through a Redis queue. */
  runOn = $state<'computer' | 'farm'>('computer');
  queue = $state('');
  /** The farm's workers when last checked (null: not checked). */
  workers = $state<WorkerInfo[] | null>(null);
  batchId = $state<string | null>(null);
  progress = $state<BatchProgress | null>(null);
  files = $state<Record<string, FileReport>>({});
  report = $state<BatchReport | null>(null);
  error = $state<string | null>(null);

  readonly running = $derived(this.batchId !== null && this.report === null && this.error === null);

  async attempt(work: () => Promise<void>): Promise<void> {
    try {
      this.error = null;
      await work();
    } catch (err) {
      this.error = errorInfo(err).message;
    }
  }

  choose(which: 'input' | 'output'): Promise<void> {
    return this.attempt(async () => {
      const path = await api.call('chooseFolder', { purpose: which });
      if (path && which === 'input') this.input = path;
      else if (path) this.output = path;
    });
  }

  start(): Promise<void> {
    return this.attempt(async () => {
      if (!this.input || !this.output) return;
      this.files = {};
      this.report = null;
      this.progress = null;
      const r = await api.call('startBatch', {
        input: this.input,
        output: this.output,
        recipe: this.recipe,
        recursive: this.recursive,
        include: list(this.include),
        exclude: list(this.exclude),
        extensions: list(this.formats),
        skipExisting: this.skipExisting,
        concurrency: this.concurrency,
        queue: this.runOn === 'farm' ? this.queue.trim() : null,
      });
      this.batchId = r.batchId;
    });
  }

  checkFarm(): Promise<void> {
    return this.attempt(async () => {
      this.workers = null;
      this.workers = await api.call('farmWorkers', { queue: this.queue.trim() });
    });
  }

  control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const batchId = this.batchId;
    return batchId ? this.attempt(async () => void (await api.call('controlBatch', { batchId, action }))) : Promise.resolve();
  }

  showOutput(): Promise<void> {
    const path = this.output;
    return path ? this.attempt(async () => void (await api.call('showOutputFolder', { path }))) : Promise.resolve();
  }

  setStep(i: number, step: Step): void {
    this.recipe = { ...this.recipe, steps: this.recipe.steps.map((s, k) => (k === i ? step : s)) };
  }
}

export const batch = new BatchStore();

const ours = (e: { batchId: string }) => e.batchId === batch.batchId;
on('batch-file', (e) => ours(e) && (batch.files = { ...batch.files, [e.file.input]: e.file }));
on('batch-progress', (e) => ours(e) && (batch.progress = e.progress));
on('batch-failed', (e) => ours(e) && (batch.error = e.error.message));
on('batch-done', (e) => {
  if (ours(e)) batch.report = e.report;
  const t = e.report.totals;
  if (app.dialog !== 'batch') messages.say(`Batch finished: ${t.done} done, ${t.skipped} skipped, ${t.failed} failed.`);
});
