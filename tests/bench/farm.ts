/**
 * The render-farm rows of `npm run bench`: throughput with 1, 2 and 3 workers on this machine
 * against a batch on this computer of the same folder, and the queue's latency from enqueue to start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { jobId, QUEUE_NAME } from '../../electron/engine/farm/farm.js';
import { cli, photo, testModelsDir } from '../support/paths.js';
import { TestRedis } from '../support/redis.js';
import { median, ms, row } from './measure.js';

const env = { ...process.env, GANVAS_MODELS_DIR: testModelsDir };
const RECIPE = ['--lowlight', 'sci-easy', '--format', 'jpeg'];
const FILES = 60;

function startWorker(url: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'worker', '--queue', url, '--name', name], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready once it says it takes files.
  return new Promise((resolve) => child.stderr!.setEncoding('utf8').on('data', (t: string) => t.includes('takes files') && resolve(child)));
}

async function stopAll(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.kill('SIGINT')))));
}

/** A whole `ganvas batch` process: how long it took, and what it said. */
function batch(args: string[]): { seconds: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'batch', ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ganvas batch failed: ${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stderr: r.stderr };
}

export async function farmBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ganvas-bench-farm-'));
  const input = join(dir, 'in');
  mkdirSync(input);
  const jpeg = await sharp(photo('coffee.png')).resize(1000, 667, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
  for (let i = 0; i < FILES; i++) await sharp(jpeg).toFile(join(input, `p${i}.jpg`));
  const redis = await TestRedis.start();
  try {
    const local = batch([input, join(dir, 'local'), ...RECIPE, '--concurrency', '1']).seconds;
    const perMinute = (s: number) => (FILES / (s / 60)).toFixed(0);
    row(`Batch on this computer: ${FILES} × 0.67 MP, Low light (SCI), 1 at a time`, `${local.toFixed(1)} s, ${perMinute(local)} files/min`);
    for (const n of [1, 2, 3]) {
      const workers = await Promise.all(Array.from({ length: n }, (_, i) => startWorker(redis.url, `bench${n}-${i}`)));
      const farm = batch([input, join(dir, `farm${n}`), ...RECIPE, '--queue', redis.url]).seconds;
      await stopAll(workers);
      row(
        `Farm batch, ${n} worker${n > 1 ? 's' : ''} on this 2-core machine: time, files/min, / local`,
        `${farm.toFixed(1)} s, ${perMinute(farm)} files/min, ${(farm / local).toFixed(3)}`,
        n === 1 ? '≤ 1.05 (queue overhead)' : '',
      );
    }
    row('Queue latency, enqueue to start (idle worker)', await queueLatency(redis.url, input, join(dir, 'latency')));
  } finally {
    await redis.stop();
  }
}

/** From a job's enqueue to a worker starting it, with a worker waiting: BullMQ's own timestamps, one file at a time. */
async function queueLatency(url: string, input: string, output: string): Promise<string> {
  const worker = await startWorker(url, 'latency');
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection });
  const waits: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { stderr } = batch([input, join(output, String(i)), ...RECIPE, '--queue', url, '--include', `p${i}.jpg`]);
    const job = await queue.getJob(jobId(/Farm batch ([0-9a-f]+)/.exec(stderr)![1]!, `p${i}.jpg`));
    if (job?.processedOn) waits.push(job.processedOn - job.timestamp);
  }
  await queue.close();
  connection.disconnect();
  await stopAll([worker]);
  return `${ms(median(waits))} median of ${waits.length} (longest ${ms(Math.max(...waits))})`;
}
