import { resolve } from 'node:path';
import { QueueEvents } from 'bullmq';
import { clearDebris, planBatch, writeReport, type BatchOptions, type BatchProgress, type BatchReport, type FileReport } from '../batch/batch.js';
import { Journal } from '../batch/journal.js';
import { CancelledError } from '../errors.js';
import {
  ATTEMPTS,
  HANDED_BACK,
  connect,
  halted,
  jobId,
  keys,
  openQueue,
  QUEUE_NAME,
  reachable,
  readBatch,
  readOutcomes,
  readWorkers,
  writeBatch,
  type FarmBatch,
  type FileOutcome,
  type WorkerInfo,
  outcomesSince,
  writeOutcome,
  withRedis,
  knownBatch,
  removeWaiting,
} from './farm.js';

export type FarmProgress = Required<BatchProgress>;

export type FarmBatchOptions = Omit<BatchOptions, 'concurrency'> & { url: string };

/** Who follows a farm batch: its progress and files, and the signals that cancel it or only stop following it. */
export interface FarmFollow {
  onProgress: (p: FarmProgress) => void;
  onFile?: (f: FileReport) => void;
  /** Cancels the batch on the farm (files not started are taken off the queue). */
  cancel?: AbortSignal;
  /** Stops following (this process ends); the farm goes on and the same batch submitted again picks it up. */
  detach?: AbortSignal;
}

const POLL_MS = 500;

/** A file's line in the report, as a batch on this computer writes it. */
function fileReport(planned: FileReport, o: FileOutcome): FileReport {
  return {
    input: planned.input,
    output: o.status === 'failed' ? null : planned.output,
    status: o.status,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(planned.note || o.note ? { note: [planned.note, o.note].filter(Boolean).join(' ') } : {}),
    ...(o.ms !== undefined ? { ms: o.ms } : {}),
  };
}

function counts(outcomes: Map<string, FileOutcome>): { done: number; skipped: number; failed: number } {
  const c = { done: 0, skipped: 0, failed: 0 };
  for (const o of outcomes.values()) c[o.status]++;
  return c;
}

/**
 * Submits a batch to a farm and follows it to the end: one job per photo (the same batch — same
 * folders and recipe — has the same jobs, so submitting again resumes: files done are not redone,
 * failed ones are tried again), progress across all workers, and the same report as a batch on
 * this computer, written into the output folder.
 */
export async function runFarmBatch(opts: FarmBatchOptions, follow: FarmFollow): Promise<BatchReport> {
  const { onProgress, onFile = () => {}, cancel: signal, detach } = follow;
  const redis = connect(opts.url);
  await reachable(redis, opts.url);
  const events = new QueueEvents(QUEUE_NAME, { connection: redis.duplicate() });
  try {
    const [input, output] = [resolve(opts.input), resolve(opts.output)];
    const id = Journal.key({ input, output, recipe: opts.recipe });
    const earlier = await readBatch(redis, id);
    const date = earlier?.date ?? new Date().toISOString().slice(0, 10);
    const plan = await planBatch(opts, async () => ({ date }));
    const batch: FarmBatch = {
      id,
      input,
      output,
      recipe: opts.recipe,
      skipExisting: opts.skipExisting,
      recordAiProvenance: opts.recordAiProvenance,
      date,
      notPhotos: plan.others.length,
      cancelled: false,
      stoppedBecause: null,
    };
    await writeBatch(redis, batch);
    const queue = openQueue(redis);
    const startedAt = new Date();

    // A file left over by an earlier run (failed, or cancelled before its turn) goes in again; one done stays done.
    const before = await readOutcomes(redis, id);
    const todo = plan.photos.filter((f) => {
      const o = before.get(f.input);
      return !o || o.status === 'failed';
    });
    if (earlier) {
      for (const f of todo) {
        const job = await queue.getJob(jobId(id, f.input));
        const state = await job?.getState();
        // Waiting or in a worker's hands: it ends by itself. Ended: unless it was just done, it goes in again.
        if (!job || (state !== 'completed' && state !== 'failed')) continue;
        const now = await redis.hget(keys.outcomes(id), f.input);
        if (now && (JSON.parse(now) as FileOutcome).status !== 'failed') continue;
        await redis.hdel(keys.outcomes(id), f.input);
        await job.remove();
      }
    }
    const fileOf = new Map(plan.photos.map((f) => [jobId(id, f.input), f.input]));
    const planned = new Map(plan.photos.map((f) => [f.input, f]));
    // Outcomes of this plan's files only (a refused job a client made up has its own line).
    const ours = (all: Map<string, FileOutcome>) => new Map([...all].filter(([rel]) => planned.has(rel)));
    const asJob = (f: FileReport) => ({
      name: 'photo',
      data: { batchId: id, input: f.input, output: f.output! },
      opts: { jobId: jobId(id, f.input), attempts: ATTEMPTS, backoff: { type: 'fixed' as const, delay: 1000 }, removeOnComplete: false, removeOnFail: false },
    });
    // A file that killed every worker it went to fails in BullMQ without its worker saying so: say it here.
    events.on('failed', ({ jobId: failed, failedReason }) => {
      const rel = fileOf.get(failed);
      if (!rel) return;
      // Handed back while the batch was cancelled, before this submission made it live again: queue it again.
      if (failedReason === HANDED_BACK)
        void (async () => {
          if (halted(await readBatch(redis, id))) return;
          const job = await queue.getJob(failed);
          // Queued again already (by the resume above, when this submission started after the hand-back): that
          // job may be waiting, in a worker's hands or done; removing and adding it again had a file done twice.
          if (job && (await job.getState()) !== 'failed') return;
          await job?.remove();
          const again = asJob(planned.get(rel)!);
          await queue.add(again.name, again.data, again.opts);
        })();
      else void writeOutcome(redis, id, rel, { status: 'failed', reason: failedReason, inferenceRuns: 0, inferenceMs: 0, worker: '' }, true);
    });
    await queue.addBulk(todo.map(asJob));

    // The outcomes so far, read once; from here on only what changed (a list position per batch).
    let cursor = await redis.llen(keys.changes(id));
    const outcomes = ours(await readOutcomes(redis, id));
    const finishedBefore = outcomes.size;
    for (const [rel, o] of outcomes) onFile(fileReport(planned.get(rel)!, o));
    let cancelled = false;
    let stoppedBecause: string | null = null;
    for (;;) {
      const fresh = await outcomesSince(redis, id, cursor);
      cursor = fresh.cursor;
      for (const [rel, o] of ours(fresh.outcomes)) {
        outcomes.set(rel, o);
        onFile(fileReport(planned.get(rel)!, o));
      }
      const record = await readBatch(redis, id);
      cancelled = signal?.aborted || record?.cancelled === true;
      stoppedBecause = record?.stoppedBecause ?? null;
      const c = counts(outcomes);
      const finished = outcomes.size;
      const minutes = (Date.now() - startedAt.getTime()) / 60_000;
      const rate = finished > finishedBefore ? (finished - finishedBefore) / minutes : null;
      onProgress({
        total: plan.photos.length + plan.others.length,
        ...c,
        skipped: c.skipped + plan.others.length,
        running: [],
        paused: false,
        farm: { id, workers: await readWorkers(redis) },
        filesPerMinute: rate,
        etaSeconds: rate ? ((plan.photos.length - finished) / rate) * 60 : null,
      });
      if (finished >= plan.photos.length || cancelled || stoppedBecause) break;
      if (detach?.aborted) throw new CancelledError();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (signal?.aborted) await cancelFarmBatch(opts.url, id);

    const files: FileReport[] = plan.photos.map((f) => {
      const o = outcomes.get(f.input);
      return o ? fileReport(f, o) : { ...f, status: 'queued', reason: stoppedBecause ?? 'cancelled' };
    });
    files.push(...plan.others);
    // Every file has ended: what a worker of this machine left when it died is debris (other machines' workers clear their own).
    await clearDebris(output, plan.photos);
    return await writeReport({
      recipe: opts.recipe.name,
      input,
      output,
      startedAt: startedAt.toISOString(),
      cancelled,
      stoppedBecause,
      inferenceRuns: [...outcomes.values()].reduce((n, o) => n + o.inferenceRuns, 0),
      inferenceMs: [...outcomes.values()].reduce((n, o) => n + o.inferenceMs, 0),
      devices: [...new Set([...outcomes.values()].flatMap((o) => o.devices ?? []))],
      files,
    });
  } finally {
    await events.close();
    redis.disconnect();
  }
}

/** The workers connected to a farm now, each with its provider and speed. */
export function farmWorkers(url: string): Promise<WorkerInfo[]> {
  return withRedis(url, readWorkers);
}

/** A farm batch's state, from any machine: its files so far and the workers connected. */
export function farmStatus(url: string, id: string): Promise<{ batch: FarmBatch; done: number; skipped: number; failed: number; workers: WorkerInfo[] }> {
  return withRedis(url, async (redis) => {
    const batch = await knownBatch(redis, id);
    const c = counts(await readOutcomes(redis, id));
    return { batch, ...c, skipped: c.skipped + batch.notPhotos, workers: await readWorkers(redis) };
  });
}

/** Cancels a farm batch from any machine: files not started are taken off the queue; those running finish. */
export function cancelFarmBatch(url: string, id: string): Promise<number> {
  return withRedis(url, async (redis) => {
    await writeBatch(redis, { ...(await knownBatch(redis, id)), cancelled: true });
    return removeWaiting(redis, id);
  });
}
