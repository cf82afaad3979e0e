import type { CallInput, JobProgress, Rect } from '../../electron/contract.js';
import type { ToolId } from '../../electron/engine/tools/specs.js';
import { api } from '../api.js';
import { attempt, session } from './document.svelte.js';

/** A finished part of the running job's result, where it goes on the canvas. */
export interface ResultPart {
  rect: Rect;
  image: HTMLImageElement;
}

/** The running job (one at a time): which tool, how far, the parts of its result so far. */
class JobStore {
  current = $state<{ id: string; tool: ToolId; progress: JobProgress | null; cancelling: boolean; parts: ResultPart[] } | null>(null);

  readonly running = $derived(this.current !== null);

  /** Starts a tool on the active layer. */
  start(run: Omit<CallInput<'runTool'>, 'docId' | 'layerId'>): Promise<void> {
    return attempt('Could not start', async () => {
      const info = session.info;
      if (!info || !session.active || this.current) return;
      const { jobId } = await api.call('runTool', { ...run, docId: info.id, layerId: session.active } as CallInput<'runTool'>);
      this.began(jobId, run.tool);
    });
  }

  began(id: string, tool: ToolId): void {
    this.current = { id, tool, progress: null, cancelling: false, parts: [] };
  }

  async partDone(jobId: string, rect: Rect, dataUrl: string): Promise<void> {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    if (this.current?.id === jobId) this.current = { ...this.current, parts: [...this.current.parts, { rect, image }] };
  }

  progressed(jobId: string, progress: JobProgress): void {
    if (this.current?.id === jobId) this.current = { ...this.current, progress };
  }

  /** The job ended (done, cancelled or failed); answers which tool it was, if it was ours. */
  ended(jobId: string): ToolId | null {
    if (this.current?.id !== jobId) return null;
    const tool = this.current.tool;
    this.current = null;
    return tool;
  }

  cancel(): void {
    if (!this.current || this.current.cancelling) return;
    this.current = { ...this.current, cancelling: true };
    void api.call('cancelJob', { jobId: this.current.id });
  }
}

export const job = new JobStore();
