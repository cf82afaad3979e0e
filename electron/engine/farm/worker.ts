import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { removeLeftoverTemps } from '../atomic-file.js';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { diskFull, isOutOfSpace, plannedName, renderPhoto } from '../batch/batch.js';
import type { BatchServices } from '../batch/batches.js';
import { CancelledError, GanvasError, errorMessage } from '../errors.js';
import { inFolder, within } from '../paths.js';
import {
  ATTEMPTS,
  HANDED_BACK,
  connect,
  halted,
  keys,
  QUEUE_NAME,
  reachable,
  readBatch,
  removeWaiting,
  writeBatch,
  writeOutcome,
  type FarmBatch,
  type FileJob,
  type FileOutcome,
  type WorkerInfo,
} from './farm.js';

export interface FarmWorkerOptions {
  url: string;
  name?: string;
  concurrency: number;
  provider: string;
  /** How long a file's lock lasts without renewal: a worker that dies is noticed after about this long. */
  lockMs?: number;
  log?: (line: string) => void;
}

/**
 * Why a job is refused, or null: its files must lie in the batch's folders (also through links),
 * and its output must be a name planning could have given that photo — never a report, a journal,
 * another photo's output or a file of the user's.
 */
function refusal(batch: FarmBatch, rel: string, outRel: string, source: string | null, target: string | null): string | null {
  if (!source || !target) return "leaves the batch's folders";
  if (!plannedName(rel, outRel, batch.recipe, batch.date)) return 'is not an output name this batch gives that photo';
  if (within(target, batch.input) && existsSync(target)) return 'would replace a file in the input folder';
  return null;
}

/**
 * A farm worker: takes files from the queue and runs the batch's recipe on each with this
 * machine's engine, writing outputs atomically into the batch's output folder. It never reads or
 * writes a path outside the batch's two folders, whatever a job says.
 */
export async function startFarmWorker(services: BatchServices, opts: FarmWorkerOptions): Promise<{ name: string; close: (force?: boolean) => Promise<void> }> {
  const name = opts.name ?? `${hostname()}-${process.pid}`;
  const log = opts.log ?? (() => {});
  const redis = connect(opts.url);
  await reachable(redis, opts.url);
  const since = new Date();
  let filesDone = 0;
  let closing = false;
  const cleaned = new Set<string>();
  /** The network run in flight for each file in hand, to stop on a forced close. */
  const running = new Map<string, () => void>();

  const announce = async () => {
    const minutes = (Date.now() - since.getTime()) / 60_000;
    const info: WorkerInfo = {
      name,
      provider: opts.provider,
      concurrency: opts.concurrency,
      filesDone,
      filesPerMinute: filesDone > 0 ? filesDone / minutes : null,
      since: since.toISOString(),
      seenAt: new Date().toISOString(),
    };
    await redis.hset(keys.workers, name, JSON.stringify(info)).catch(() => {});
  };
  await announce();
  const heartbeat = setInterval(() => void announce(), 10_000);

  const record = async (job: Job<FileJob>, outcome: Omit<FileOutcome, 'worker'>) => {
    const full = { ...outcome, worker: name };
    await writeOutcome(redis, job.data.batchId, job.data.input, full);
    return full;
  };

  const processFile = async (job: Job<FileJob, FileOutcome>): Promise<FileOutcome> => {
    const { batchId, input: rel, output: outRel } = job.data;
    // Read for every file: a cancel can come at any time.
    const batch = await readBatch(redis, batchId).catch((err: unknown) => {
      log(`refused: ${errorMessage(err)}`);
      throw new UnrecoverableError(errorMessage(err));
    });
    if (!batch) throw new UnrecoverableError(`batch ${batchId} is not known to the queue`);
    if (halted(batch)) throw new UnrecoverableError(HANDED_BACK);
    const source = inFolder(batch.input, rel);
    const target = inFolder(batch.output, outRel);
    const refused = refusal(batch, rel, outRel, source, target);
    if (refused || !source || !target) {
      const reason = `refused: ${rel} → ${outRel} ${refused}`;
      log(reason);
      await record(job, { status: 'failed', reason, inferenceRuns: 0, inferenceMs: 0 });
      throw new UnrecoverableError(reason);
    }
    const t0 = performance.now();
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? ATTEMPTS);
    try {
      // Another worker may see the share or have the model: only the last try reports these.
      if (!existsSync(batch.input))
        throw new Error(`worker ${name} cannot see the input folder ${batch.input}; mount the shared folder at the same path on every worker`);
      if (!existsSync(batch.output)) throw new Error(`worker ${name} cannot see the output folder ${batch.output}; mount it at the same path on every worker`);
      services.checkRecipe(batch.recipe);
      if (batch.skipExisting && existsSync(target))
        return await record(job, { status: 'skipped', reason: 'the output exists', inferenceRuns: 0, inferenceMs: 0 });
      // Once per folder and batch: what a worker of this machine was writing when it died is debris now.
      const folder = `${batchId}\n${dirname(target)}`;
      if (!cleaned.has(folder)) {
        cleaned.add(folder);
        await removeLeftoverTemps(dirname(target));
      }
      const rendered = await renderPhoto(source, target, {
        outputFolder: batch.output,
        recipe: batch.recipe,
        runTool: services.runTool,
        openOptions: services.open,
        recordAiProvenance: batch.recordAiProvenance,
        stopping: () => false,
        onRun: (cancel) => (cancel ? running.set(job.id!, cancel) : running.delete(job.id!)),
      });
      filesDone++;
      void announce();
      log(`done    ${rel} → ${outRel}`);
      return await record(job, {
        status: 'done',
        ms: Math.round(performance.now() - t0),
        inferenceRuns: rendered.inferenceRuns,
        inferenceMs: Math.round(rendered.inferenceMs),
        devices: rendered.devices,
        ...(rendered.notices.length ? { note: rendered.notices.join(' ') } : {}),
      });
    } catch (err) {
      if (err instanceof CancelledError && closing) throw new Error(`worker ${name} stopped while working on ${rel}`);
      // Every later file would fail the same way after its inference: the whole batch stops, as on one computer.
      if (isOutOfSpace(err)) {
        const now = await readBatch(redis, batchId);
        if (now && !halted(now)) await writeBatch(redis, { ...now, stoppedBecause: diskFull(batch.output) });
        await removeWaiting(redis, batchId);
      }
      // A file that cannot be read or a recipe this machine cannot run is not helped by trying again here.
      const theFile = err instanceof GanvasError && err.code !== 'MODEL_MISSING';
      if (theFile || final) {
        log(`failed  ${rel} — ${errorMessage(err)}`);
        await record(job, { status: 'failed', reason: errorMessage(err), inferenceRuns: 0, inferenceMs: 0 });
        if (theFile) throw new UnrecoverableError(errorMessage(err));
      }
      throw err;
    } finally {
      running.delete(job.id!);
    }
  };

  const worker = new Worker<FileJob, FileOutcome>(QUEUE_NAME, processFile, {
    connection: redis.duplicate(),
    concurrency: opts.concurrency,
    name,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.lockMs ?? 30_000,
    // A file whose worker died is given to another; a file that kills every worker is failed after ATTEMPTS.
    maxStalledCount: ATTEMPTS - 1,
  });
  worker.on('error', (err) => log(`queue: ${errorMessage(err)}`));
  log(`worker ${name} (${opts.provider}, ${opts.concurrency} at once) takes files from ${QUEUE_NAME}`);

  return {
    name,
    close: async (force = false) => {
      closing = true;
      clearInterval(heartbeat);
      if (force) for (const cancel of running.values()) cancel();
      await worker.close(force);
      await redis.hdel(keys.workers, name).catch(() => {});
      redis.disconnect();
    },
  };
}
