import type { CallInput, JobProgress, Rect } from '../../electron/contract.js';
import { toolSpec, type ToolId } from '../../electron/engine/tools/specs.js';
import { api } from '../api.js';
import { deliver, on } from '../event-bus.js';
import { shortcut } from '../keys.js';
import { app } from './app.svelte.js';
import { attempt, session } from './document.svelte.js';
import { messages } from './messages.svelte.js';

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

on('job-progress', (e) => job.progressed(e.jobId, e.progress));
on('job-part', (e) => job.partDone(e.jobId, e.rect, e.dataUrl));
on('job-done', async (e) => {
  const ours = session.info?.id === e.docId;
  if (ours) {
    session.active = e.layerId;
    await session.update(await api.call('documentInfo', { docId: e.docId }));
  }
  // Only now, with the result on the canvas: its parts give way to it without a flash of the photo.
  const tool = job.ended(e.jobId);
  if (!tool) return;
  await deliver({ type: 'result-shown', tool, layerId: e.layerId });
  if (!ours) return;
  const size = `${session.info!.width}×${session.info!.height}`;
  // Every AI result can be compared with what was there before it.
  messages.say(
    `${toolSpec(tool).doneVerb} in ${(e.stats.totalMs / 1000).toFixed(1)} s on ${e.device} · ${size} · ${shortcut('compare')} compares before and after`,
  );
  for (const w of e.warnings) messages.notify(w);
});
on('job-cancelled', (e) => {
  if (job.ended(e.jobId)) messages.say('Cancelled; the photo is unchanged.');
});
on('job-failed', (e) => {
  const tool = job.ended(e.jobId);
  messages.fail(`${tool ? toolSpec(tool).label : 'The tool'} did not finish`, e.error);
  if (e.error.code === 'MODEL_MISSING') app.dialog = 'models';
});
