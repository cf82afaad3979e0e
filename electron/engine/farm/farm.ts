/**
 * A batch spread over several machines through Redis with BullMQ: what the submitter and the
 * workers share — the queue, the batch's record, each file's job and its outcome.
 */
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { GanvasError, errorMessage, schemaIssues } from '../errors.js';
import type { FileReport } from '../batch/batch.js';
import { recipeSchema } from '../batch/recipe.js';

export const QUEUE_NAME = 'ganvas-batch';
/** Tries per file: a worker that dies on it hands it to another, at most this many times. */
export const ATTEMPTS = 3;

/**
 * A batch as every worker reads it: the folders (the same path on every machine), the recipe and
 * the options. Read from Redis, which anyone who reaches it can write, so checked as a recipe
 * file is.
 */
const farmBatchSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  input: z.string().refine(isAbsolute, 'must be an absolute path'),
  output: z.string().refine(isAbsolute, 'must be an absolute path'),
  recipe: recipeSchema,
  skipExisting: z.boolean(),
  recordAiProvenance: z.boolean(),
  /** The date in output names ({date}), fixed when the batch was first submitted. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Files found that are not photos (or left out with a reason): skipped, never queued. */
  notPhotos: z.number().int().min(0),
  cancelled: z.boolean(),
  /** Why a worker stopped the whole batch (its output disk is full), or null. */
  stoppedBecause: z.string().nullable().default(null),
});
export type FarmBatch = z.infer<typeof farmBatchSchema>;

/** One file's job: its paths relative to the batch's folders (a worker refuses any that leaves them). */
export interface FileJob {
  batchId: string;
  input: string;
  output: string;
}

/** How a file ended, kept per file (a file redone after a crash replaces its own line, never adds one). */
export interface FileOutcome {
  status: Extract<FileReport['status'], 'done' | 'skipped' | 'failed'>;
  reason?: string;
  note?: string;
  ms?: number;
  inferenceRuns: number;
  inferenceMs: number;
  /** What the networks ran on for this file. */
  devices?: string[];
  worker: string;
}

/** What a worker says about itself while it is connected. */
export interface WorkerInfo {
  name: string;
  provider: string;
  concurrency: number;
  filesDone: number;
  /** Over the files this worker finished. */
  filesPerMinute: number | null;
  since: string;
  /** When it last said so (every 10 s while connected): one silent for 30 s is gone. */
  seenAt: string;
}

const WORKER_SILENT_MS = 30_000;

/** Why a worker hands back a file of a cancelled or stopped batch: the batch submitted again puts it back on the queue. */
export const HANDED_BACK = 'its batch was cancelled or stopped';

/** Whether the batch takes no more files: cancelled, or stopped by a worker (its output disk is full). */
export const halted = (batch: FarmBatch | null) => batch !== null && (batch.cancelled || batch.stoppedBecause !== null);

export const keys = {
  batch: (id: string) => `ganvas:batch:${id}`,
  outcomes: (id: string) => `ganvas:batch:${id}:outcomes`,
  /** Every file whose outcome was written, in order: a follower reads only what is new since it last looked. */
  changes: (id: string) => `ganvas:batch:${id}:changes`,
  /** Each connected worker's announcement, by name: one small hash, never a scan of the keyspace (which a big queue fills). */
  workers: 'ganvas:workers',
};

/** A file's job id: stable for the same batch and file, so submitting again adds nothing twice. */
export const jobId = (batchId: string, rel: string) => `${batchId}-${createHash('sha256').update(rel).digest('hex').slice(0, 16)}`;

/** The URL without its password, for messages. */
export function shownUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}

/** A Redis connection from a redis:// or rediss:// (TLS) URL, with its user and password; it reconnects by itself when Redis restarts. */
export function connect(url: string): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GanvasError('INVALID_INPUT', `--queue ${shownUrl(url)} is not a URL; give redis://host:6379/0 or rediss://… for TLS.`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new GanvasError('INVALID_INPUT', `--queue ${shownUrl(url)} is not a Redis URL; give redis://host:6379/0 or rediss://… for TLS.`);
  // BullMQ's blocking commands must wait through a reconnect instead of failing after a few retries.
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 250, 2000) });
  // While Redis is away (restarted, unreachable) ioredis retries; the last reason is kept for `reachable`.
  redis.on('error', (err: Error) => lastError.set(redis, err));
  return redis;
}

const lastError = new WeakMap<Redis, Error>();

/** Fails with a clear message when Redis cannot be reached at all (a wrong host or password), instead of retrying forever. */
export async function reachable(redis: Redis, url: string): Promise<void> {
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) =>
        setTimeout(() => {
          // Connected but never ready: something else listens there (Redis's ready check got no answer it understood).
          const notRedis =
            redis.status === 'connect' ? new Error('it does not answer as Redis does (connected, but no reply it understands within 5 s)') : null;
          reject(lastError.get(redis) ?? notRedis ?? new Error('no answer within 5 s'));
        }, 5_000).unref(),
      ),
    ]);
    // Something that accepts anything (another service on the port) would be read as an empty queue.
    if (pong !== 'PONG') throw new Error(`it does not answer as Redis does (PING gave ${JSON.stringify(String(pong)).slice(0, 40)})`);
  } catch (err) {
    redis.disconnect();
    const why = /NOAUTH|WRONGPASS/.test(errorMessage(err))
      ? 'it needs a password, and the URL has none or a wrong one (redis://:PASSWORD@host:6379/0)'
      : errorMessage(err);
    throw new GanvasError('NOT_FOUND', `Cannot reach the queue at ${shownUrl(url)}: ${why}.`, { cause: err });
  }
}

export function openQueue(redis: Redis): Queue<FileJob, FileOutcome> {
  return new Queue<FileJob, FileOutcome>(QUEUE_NAME, { connection: redis });
}

export async function readBatch(redis: Redis, id: string): Promise<FarmBatch | null> {
  const text = await redis.get(keys.batch(id));
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = farmBatchSchema.safeParse(json);
  if (!parsed.success || parsed.data.id !== id) {
    const why = parsed.success ? 'its id is not the key it is kept under' : schemaIssues(parsed.error, 'the record');
    throw new GanvasError('INVALID_INPUT', `The queue's record of batch ${id} is not a Ganvas batch (${why}); nothing of it is done.`);
  }
  return parsed.data;
}

/** Takes a batch's files that no worker has started off the queue; answers how many. */
export async function removeWaiting(redis: Redis, id: string): Promise<number> {
  let removed = 0;
  for (const job of await openQueue(redis).getJobs(['waiting', 'delayed', 'prioritized'])) {
    if (job.data.batchId === id) {
      await job.remove().catch(() => {});
      removed++;
    }
  }
  return removed;
}

export async function writeBatch(redis: Redis, batch: FarmBatch): Promise<void> {
  await redis.set(keys.batch(batch.id), JSON.stringify(batch));
}

/** Writes a file's outcome (replacing an earlier one of the same file) and notes the change for followers. */
export async function writeOutcome(redis: Redis, batchId: string, rel: string, outcome: FileOutcome, onlyIfNone = false): Promise<void> {
  const json = JSON.stringify(outcome);
  const written = onlyIfNone ? await redis.hsetnx(keys.outcomes(batchId), rel, json) : await redis.hset(keys.outcomes(batchId), rel, json).then(() => 1);
  if (written) await redis.rpush(keys.changes(batchId), rel);
}

/** The outcomes written since `cursor` (a position in the batch's changes), and the new cursor. */
export async function outcomesSince(redis: Redis, id: string, cursor: number): Promise<{ outcomes: Map<string, FileOutcome>; cursor: number }> {
  const listed = await redis.lrange(keys.changes(id), cursor, -1);
  const changed = [...new Set(listed)];
  const values = changed.length ? await redis.hmget(keys.outcomes(id), ...changed) : [];
  const outcomes = new Map<string, FileOutcome>();
  changed.forEach((rel, i) => values[i] && outcomes.set(rel, JSON.parse(values[i]) as FileOutcome));
  return { outcomes, cursor: cursor + listed.length };
}

export async function readOutcomes(redis: Redis, id: string): Promise<Map<string, FileOutcome>> {
  const all = await redis.hgetall(keys.outcomes(id));
  return new Map(Object.entries(all).map(([rel, json]) => [rel, JSON.parse(json) as FileOutcome]));
}

export async function readWorkers(redis: Redis): Promise<WorkerInfo[]> {
  const all = Object.values(await redis.hgetall(keys.workers)).map((v) => JSON.parse(v) as WorkerInfo);
  return all.filter((w) => Date.now() - Date.parse(w.seenAt) < WORKER_SILENT_MS);
}

/** Runs `work` on a connection known to reach Redis, and closes it afterwards. */
export async function withRedis<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = connect(url);
  try {
    await reachable(redis, url);
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** A batch the queue knows, or an error that names it. */
export async function knownBatch(redis: Redis, id: string): Promise<FarmBatch> {
  const batch = await readBatch(redis, id);
  if (!batch) throw new GanvasError('NOT_FOUND', `The queue has no batch ${id}.`);
  return batch;
}
