/** What the engine and main tell the renderer, routed to the stores it concerns. */
import type { AppEvent } from '../electron/contract.js';
import { toolSpec } from '../electron/engine/tools/specs.js';
import type { Action } from '../electron/keymap.js';
import { api } from './api.js';
import { shortcut, show } from './commands.js';
import { app } from './stores/app.svelte.js';
import { batch } from './stores/batch.svelte.js';
import { session } from './stores/document.svelte.js';
import { job } from './stores/job.svelte.js';
import { messages } from './stores/messages.svelte.js';
import { style } from './stores/style.svelte.js';

export async function handleEvent(e: AppEvent, actions: Record<Action, () => void>): Promise<void> {
  switch (e.type) {
    case 'job-progress':
      job.progressed(e.jobId, e.progress);
      break;
    case 'job-part':
      await job.partDone(e.jobId, e.rect, e.dataUrl);
      break;
    case 'job-done': {
      if (e.styleVector) style.learned = e.styleVector;
      const ours = session.info?.id === e.docId;
      if (ours) {
        session.active = e.layerId;
        await session.update(await api.call('documentInfo', { docId: e.docId }));
      }
      // Only now, with the result on the canvas: its parts give way to it without a flash of the photo.
      const tool = job.ended(e.jobId);
      // A preview was of the layer as it was.
      style.preview = null;
      if (!ours || !tool) break;
      const size = `${session.info!.width}×${session.info!.height}`;
      // Every AI result can be compared with what was there before it.
      messages.say(
        `${toolSpec(tool).doneVerb} in ${(e.stats.totalMs / 1000).toFixed(1)} s on ${e.device} · ${size} · ${shortcut('compare')} compares before and after`,
      );
      for (const w of e.warnings) messages.notify(w);
      break;
    }
    case 'job-cancelled':
      if (job.ended(e.jobId)) messages.say('Cancelled; the photo is unchanged.');
      break;
    case 'job-failed': {
      const tool = job.ended(e.jobId);
      messages.fail(`${tool ? toolSpec(tool).label : 'The tool'} did not finish`, e.error);
      if (e.error.code === 'MODEL_MISSING') app.dialog = 'models';
      break;
    }
    case 'document-changed':
      if (session.info?.id === e.docId) session.info = { ...session.info, dirty: e.dirty, title: e.title };
      break;
    case 'model-progress':
      app.models = app.models.map((m) => (m.id === e.progress.id ? { ...m, state: 'downloading', progress: e.progress } : m));
      break;
    case 'models-changed':
      await app.refreshModels();
      break;
    case 'model-installed':
      messages.say(`Installed “${app.models.find((m) => m.id === e.id)?.displayName ?? e.id}”.`);
      break;
    case 'model-download-failed':
      if (e.error.code !== 'CANCELLED') messages.fail('The download did not finish', e.error);
      else messages.say(e.error.message);
      break;
    case 'autosave-failed':
      messages.warn(`Autosave failed: ${e.error.message}`);
      break;
    case 'warning':
      messages.warn(e.message);
      break;
    case 'document-opened':
      await show(e.doc);
      break;
    case 'menu':
      actions[e.action]();
      break;
    case 'batch-file':
    case 'batch-progress':
    case 'batch-failed':
      batch.onEvent(e);
      break;
    case 'batch-done':
      batch.onEvent(e);
      if (app.dialog !== 'batch')
        messages.say(`Batch finished: ${e.report.totals.done} done, ${e.report.totals.skipped} skipped, ${e.report.totals.failed} failed.`);
      break;
  }
}
