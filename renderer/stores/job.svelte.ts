import type { CallInput, EncodedImage, JobProgress, Rect } from '../../electron/contract.js';
import { toolSpec, type ToolId } from '../../electron/engine/tools/specs.js';
import { api } from '../api.js';
import { deliver, on, type RendererEvent } from '../event-bus.js';
import { shortcut } from '../keys.js';
import { app } from './app.svelte.js';
import { attempt, imageOf, session } from './document.svelte.js';
import { messages } from './messages.svelte.js';

/** A finished part of the running job's result, where it goes on the canvas. */
export interface ResultPart {
  rect: Rect;
  image: ImageBitmap;
}

/** The running job (one at a time): which tool, how far, the parts of its result so far. */
class JobStore {
  current = $state<{ id: string; tool: ToolId; progress: JobProgress | null; cancelling: boolean; parts: ResultPart[] } | null>(null);

  readonly running = $derived(this.current !== null);

  /** Calls that start a job and have not answered with its id yet. */
  private starting = 0;
  /** How jobs ended that were heard of before their start answered (a quick job's end can overtake the answer). */
  private readonly endedEarly = new Map<string, RendererEvent>();

  /** Starts a tool on the active layer. */
  start(run: Omit<CallInput<'runTool'>, 'docId' | 'layerId'>): Promise<void> {
    return attempt('Could not start', async () => {
      const info = session.info;
      if (!info || !session.active || this.current) return;
      const layerId = session.active;
      await this.starts(run.tool, async () => (await api.call('runTool', { ...run, docId: info.id, layerId } as CallInput<'runTool'>)).jobId);
    });
  }

  /** Runs a call that starts a job of `tool` and answers its id (null when it started none), and follows that job. */
  async starts(tool: ToolId, call: () => Promise<string | null>): Promise<void> {
    this.starting++;
    let id: string | null;
    try {
      id = await call();
    } finally {
      this.starting--;
    }
    if (!id) return;
    this.current = { id, tool, progress: null, cancelling: false, parts: [] };
    const end = this.endedEarly.get(id);
    this.endedEarly.clear();
    if (end) await deliver(end);
  }

  /** Keeps the end of a job whose start has not answered yet, for when it does; true when it was kept. */
  heldBack(e: RendererEvent & { jobId: string }): boolean {
    if (this.starting === 0 || this.current?.id === e.jobId) return false;
    this.endedEarly.set(e.jobId, e);
    return true;
  }

  async partDone(jobId: string, rect: Rect, encoded: EncodedImage): Promise<void> {
    const image = await imageOf(encoded);
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
on('job-part', (e) => job.partDone(e.jobId, e.rect, e.image));
on('job-done', async (e) => {
  if (job.heldBack(e)) return;
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
    [
      `${toolSpec(tool).doneVerb} in ${(e.stats.totalMs / 1000).toFixed(1)} s on ${e.device}`,
      size,
      ...e.notes,
      `${shortcut('compare')} compares before and after`,
    ].join(' · '),
  );
  for (const w of e.warnings) messages.notify(w);
});
on('job-cancelled', (e) => {
  if (job.heldBack(e)) return;
  if (job.ended(e.jobId)) messages.say('Cancelled; the photo is unchanged.');
});
on('job-failed', (e) => {
  if (job.heldBack(e)) return;
  const tool = job.ended(e.jobId);
  messages.fail(`${tool ? toolSpec(tool).label : 'The tool'} did not finish`, e.error);
  if (e.error.code === 'MODEL_MISSING') app.dialog = 'models';
});
