import { CancelledError } from '../errors.js';
import type { ToolProgress } from './tool.js';

/**
 * A tool's work as named steps, in the manner of chaiNNer's progress context: starting a step
 * reports the ones before it done (so every job shows progress) and stops the job if the user
 * cancelled since the last one.
 */
export class Steps {
  private done = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly report: (p: ToolProgress) => void,
    private readonly signal: AbortSignal,
  ) {}

  /** Begins the step called `name` (one of the names given), after checking for a cancel. */
  start(name: string, detail = ''): void {
    throwIfCancelled(this.signal);
    const at = this.names.indexOf(name);
    if (at < 0) throw new Error(`step "${name}" is not one of ${this.names.join(', ')}`);
    this.done = at;
    this.report({ done: at, total: this.names.length, unit: 'steps', message: detail ? `${name} (${detail})` : name });
  }

  /** All steps are done. */
  finish(): void {
    this.done = this.names.length;
    this.report({ done: this.done, total: this.names.length, unit: 'steps', message: 'done' });
  }
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
