import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../electron/engine/batch/batch.js';
import { QUEUE_NAME, jobId } from '../../electron/engine/farm/farm.js';
import { cli, photo, testModelsDir } from '../support/paths.js';
import { TestRedis } from '../support/redis.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';

const env = { ...process.env, GANVAS_MODELS_DIR: testModelsDir };
/** A short lock, so that a killed worker's file goes to another within seconds (a busy machine could also lose it: only where needed). */
const QUICK_LOCK = { GANVAS_FARM_LOCK_MS: '2000' };
const RECIPE = ['--lowlight', 'sci-easy', '--resize', '40'];

/** A worker process as a user starts one; its log says which files it did. */
class WorkerProcess {
  readonly log: string[] = [];
  readonly child: ChildProcess;
  constructor(url: string, name: string, extraEnv: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [cli, 'worker', '--queue', url, '--name', name], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => this.log.push(...text.split('\n').filter(Boolean)));
  }
  done(): string[] {
    return this.log.filter((l) => l.startsWith('done ')).map((l) => l.split(/\s+/)[1]!);
  }
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

/** `ganvas batch IN OUT --queue …` as a child process: its exit status and report. */
function submit(
  url: string,
  input: string,
  output: string,
  recipe = RECIPE,
): { promise: Promise<{ status: number | null; stderr: string }>; said: () => string } {
  const child = spawn(process.execPath, [cli, 'batch', input, output, ...recipe, '--queue', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return { said: () => stderr, promise: new Promise((resolve) => child.once('exit', (status) => resolve({ status, stderr }))) };
}

const ganvas = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });

const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'ganvas-batch-report.json'), 'utf8')) as BatchReport;
/**
 * A report's content without the times it took, and without the decoder's own words after a
 * failure's reason: libvips keeps one message buffer per thread, so two files decoded at once can
 * mix each other's warnings there, on one computer as on a farm.
 */
const content = (r: BatchReport) => ({
  totals: r.totals,
  devices: r.devices,
  files: r.files
    .map(({ input, output, status, reason }) => ({ input, output, status, reason: reason?.replace(/ \(.*\)$/s, '') }))
    .sort((a, b) => a.input.localeCompare(b.input)),
});

/** Every output decodes whole: no file was left half-written. */
async function allDecodable(dir: string): Promise<number> {
  const outputs = readdirSync(dir).filter((n) => n.endsWith('.png') && !n.startsWith('.'));
  for (const n of outputs) await sharp(join(dir, n)).raw().toBuffer();
  return outputs.length;
}

async function photos(dir: string, count: number, width: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const base = await sharp(photo('coffee.png')).resize(width).png().toBuffer();
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `p${String(i).padStart(3, '0')}.png`), base);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a batch on a render farm (Redis, BullMQ)', () => {
  let redis: TestRedis;
  const root = mkdtempSync(join(tmpdir(), 'ganvas-farm-'));
  const workers: WorkerProcess[] = [];
  const startWorkers = (n: number, prefix: string, extraEnv: Record<string, string> = {}) => {
    const started = Array.from({ length: n }, (_, i) => new WorkerProcess(redis.url, `${prefix}${i + 1}`, extraEnv));
    workers.push(...started);
    return started;
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  // Workers of one test must not take the next test's files.
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('300 files over 3 workers: each good file done once, broken ones reported, the same report as a batch on this computer', async () => {
    const input = join(root, 'in300');
    await photos(input, 300, 48);
    const jpeg = await sharp(photo('coffee.png')).jpeg().toBuffer();
    for (let i = 0; i < 3; i++) writeFileSync(join(input, `broken${i}.jpg`), jpeg.subarray(0, 400));
    for (const n of ['notes.txt', 'p000.xmp', 'clip.mov']) writeFileSync(join(input, n), 'not a photo');

    const local = spawnSync(process.execPath, [cli, 'batch', input, join(root, 'local'), ...RECIPE], { env, encoding: 'utf8' });
    expect(local.status, local.stderr).toBe(1);

    const team = startWorkers(3, 'a');
    const farm = await submit(redis.url, input, join(root, 'farm')).promise;
    expect(farm.status, farm.stderr).toBe(1);
    expect(farm.stderr).toMatch(/306 files: 300 done, 3 skipped, 3 failed/);
    expect(farm.stderr).toMatch(/workers: .*a1 \(CPU/);
    const id = /Farm batch ([0-9a-f]+)/.exec(farm.stderr)![1]!;
    expect(ganvas('batch', '--queue', redis.url, '--status', id).stdout).toMatch(/^300 done, 3 skipped, 3 failed$/m);

    expect(content(report(join(root, 'farm')))).toEqual(content(report(join(root, 'local'))));
    const done = team.flatMap((w) => w.done());
    expect(done).toHaveLength(300);
    expect(new Set(done).size).toBe(300);
    // The work was shared.
    for (const w of team) expect(w.done().length, w.log.join('\n')).toBeGreaterThan(0);
    expect(await allDecodable(join(root, 'farm'))).toBe(300);
    await Promise.all(team.map((w) => w.stop()));
  }, 300_000);

  it('a worker killed in the middle of a file: another redoes it, no partial output, nothing done twice', async () => {
    const input = join(root, 'in-kill');
    await photos(input, 40, 600);
    const [doomed, survivor] = startWorkers(2, 'k', QUICK_LOCK);
    const run = submit(redis.url, input, join(root, 'kill'));
    await until(() => doomed!.done().length >= 3, 120_000);
    await doomed!.stop('SIGKILL');
    const end = await run.promise;
    expect(end.status, end.stderr).toBe(0);
    expect(report(join(root, 'kill')).totals).toMatchObject({ files: 40, done: 40, failed: 0 });
    const all = [...doomed!.done(), ...survivor!.done()];
    expect(new Set(all).size).toBe(40);
    // At most the file the killed worker had written but not yet reported is done again.
    expect(all.length).toBeLessThanOrEqual(41);
    expect(await allDecodable(join(root, 'kill'))).toBe(40);
    // What the killed worker may have been writing is not left behind either.
    expect(readdirSync(join(root, 'kill')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await survivor!.stop();
  }, 300_000);

  it('Ctrl+C on a worker finishes the file in hand and takes no more; another worker does the rest', async () => {
    const input = join(root, 'in-ctrl-c');
    await photos(input, 20, 600);
    const [first] = startWorkers(1, 'q');
    const run = submit(redis.url, input, join(root, 'ctrl-c'));
    await until(() => first!.done().length >= 2, 120_000);
    const exited = new Promise<number | null>((r) => first!.child.once('exit', r));
    first!.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(first!.log.join('\n')).toContain('Stopping: finishing the files in hand');
    const doneByFirst = first!.done();
    expect(doneByFirst.length).toBeLessThan(20);
    const [second] = startWorkers(1, 'q2');
    const end = await run.promise;
    expect(end.status, end.stderr).toBe(0);
    // Nothing the first worker had started was lost or done again.
    expect([...doneByFirst, ...second!.done()].sort()).toEqual(readdirSync(input).sort());
  }, 180_000);

  it('Redis restarted in the middle: workers and the submitter reconnect and the batch completes', async () => {
    const input = join(root, 'in-restart');
    await photos(input, 40, 400);
    const team = startWorkers(2, 'r');
    const run = submit(redis.url, input, join(root, 'restart'));
    await until(() => team.some((w) => w.done().length >= 3), 120_000);
    await redis.restart(1500);
    const end = await run.promise;
    expect(end.status, end.stderr).toBe(0);
    expect(report(join(root, 'restart')).totals).toMatchObject({ files: 40, done: 40, failed: 0 });
    expect(await allDecodable(join(root, 'restart'))).toBe(40);
    await Promise.all(team.map((w) => w.stop()));
  }, 300_000);

  it('followed and cancelled from another process, then run again: only the rest is done', async () => {
    const input = join(root, 'in-resume');
    const output = join(root, 'resume');
    await photos(input, 80, 600);
    const [worker] = startWorkers(1, 's');
    const first = submit(redis.url, input, output);
    await until(() => worker!.done().length >= 8, 120_000);
    const id = /Farm batch ([0-9a-f]+)/.exec(first.said())![1]!;
    const status = ganvas('batch', '--queue', redis.url, '--status', id);
    expect(status.stdout).toMatch(new RegExp(`Batch ${id}: .*in-resume → .*resume`));
    expect(status.stdout).toMatch(/^\d+ done, 0 skipped, 0 failed$/m);
    // Workers that went away are listed until their 30 s announcement runs out.
    expect(status.stdout).toMatch(/Workers: .*s1 \(CPU, \d+ files?\)/);
    const cancel = ganvas('batch', '--queue', redis.url, '--cancel', id);
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(cancel.stderr).toMatch(new RegExp(`Cancelled batch ${id}: \\d+ files taken off the queue`));
    const cancelled = await first.promise;
    expect(cancelled.status, cancelled.stderr).toBe(130);
    const doneFirst = new Set(worker!.done());
    const partial = report(output);
    expect(partial.cancelled).toBe(true);
    expect(partial.totals.done).toBeGreaterThanOrEqual(8);
    expect(partial.totals.done).toBeLessThan(80);

    const second = await submit(redis.url, input, output).promise;
    expect(second.status, second.stderr).toBe(0);
    expect(report(output).totals).toMatchObject({ files: 80, done: 80 });
    const doneSecond = worker!.done().filter((f) => !doneFirst.has(f));
    expect(doneSecond.length + doneFirst.size).toBe(80);
    expect(new Set(worker!.done()).size).toBe(worker!.done().length);
    await worker!.stop();
  }, 300_000);

  it('a job naming a path outside the batch’s folders is refused by the worker; nothing is read or written there', async () => {
    const input = join(root, 'in-confined');
    const output = join(root, 'confined');
    await photos(input, 2, 48);
    const secret = join(root, 'secret.png');
    writeFileSync(secret, await sharp(photo('coffee.png')).resize(48).png().toBuffer());
    const [worker] = startWorkers(1, 'c');
    const end = await submit(redis.url, input, output).promise;
    expect(end.status, end.stderr).toBe(0);
    const batchId = /Farm batch ([0-9a-f]+)/.exec(end.stderr)![1]!;

    // A job as a hostile or mistaken client could write it, straight into the queue.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    for (const [rel, out] of [
      ['../secret.png', 'stolen.png'],
      ['p000.png', '../escaped.png'],
      [secret, 'abs.png'],
    ] as const) {
      await queue.add('photo', { batchId, input: rel, output: out }, { jobId: jobId(batchId, rel + out), attempts: 1 });
    }
    await until(() => worker!.log.filter((l) => l.startsWith('refused')).length === 3, 60_000);
    expect(existsSync(join(output, 'stolen.png'))).toBe(false);
    expect(existsSync(join(output, 'abs.png'))).toBe(false);
    expect(existsSync(join(root, 'escaped.png'))).toBe(false);
    const outcomes = await connection.hgetall(`ganvas:batch:${batchId}:outcomes`);
    expect(JSON.parse(outcomes['../secret.png']!)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/refused/) });
    await queue.close();
    connection.disconnect();
    await worker!.stop();
  }, 120_000);

  it('planted batch records and jobs: only outputs planning could name, in the real output folder, with a valid recipe', async () => {
    const input = join(root, 'in-planted');
    const output = join(root, 'planted');
    await photos(input, 2, 48);
    const [worker] = startWorkers(1, 'p');
    const end = await submit(redis.url, input, output).promise;
    expect(end.status, end.stderr).toBe(0);
    const batchId = /Farm batch ([0-9a-f]+)/.exec(end.stderr)![1]!;
    const outputs = Object.fromEntries(readdirSync(output).map((n) => [n, readFileSync(join(output, n))]));
    // A user's folder a stranger names as a batch's output, with a file they want replaced.
    const victim = join(root, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'notes.txt'), 'my notes');
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    const planted = {
      id: 'f00df00df00df00d',
      input,
      output: victim,
      skipExisting: false,
      recordAiProvenance: false,
      date: '2026-01-01',
      notPhotos: 0,
      cancelled: false,
    };
    await connection.set('ganvas:batch:f00df00df00df00d', JSON.stringify({ ...planted, recipe: { steps: [{ tool: 'resize', params: { longSide: 16 } }] } }));
    await connection.set('ganvas:batch:badbadbadbadbad0', JSON.stringify({ ...planted, id: 'badbadbadbadbad0', recipe: { steps: 'all of them' } }));
    const jobs: [string, string, string][] = [
      ['f00df00df00df00d', 'p000.png', 'notes.txt'],
      [batchId, 'p000.png', 'ganvas-batch-report.json'],
      [batchId, 'p000.png', 'p001-small.png'],
      [batchId, 'p000.png', '.ganvas-batch/journal.png'],
      ['badbadbadbadbad0', 'p000.png', 'p000.png'],
    ];
    for (const [id, rel, out] of jobs) await queue.add('photo', { batchId: id, input: rel, output: out }, { jobId: `${id}-${out}`, attempts: 1 });
    await until(() => worker!.log.filter((l) => l.startsWith('refused')).length === jobs.length, 60_000);
    expect(worker!.log.filter((l) => l.startsWith('refused'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/p000\.png → notes\.txt is not an output name this batch gives that photo/),
        expect.stringMatching(/ganvas-batch-report\.json is not an output name/),
        expect.stringMatching(/p001-small\.png is not an output name/),
        expect.stringMatching(/The queue's record of batch badbadbadbadbad0 is not a Ganvas batch \(recipe\.steps/),
      ]),
    );
    expect(readFileSync(join(victim, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(victim)).toEqual(['notes.txt']);
    expect(Object.fromEntries(readdirSync(output).map((n) => [n, readFileSync(join(output, n))]))).toEqual(outputs);
    await queue.close();
    connection.disconnect();
  }, 120_000);

  it('an output folder holding a link that leads out: the worker writes nothing through it', async () => {
    const input = join(root, 'in-linked');
    await photos(join(input, 'sub'), 1, 48);
    await photos(input, 1, 48);
    const output = join(root, 'linked');
    const elsewhere = join(root, 'linked-elsewhere');
    mkdirSync(output);
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(output, 'sub'));
    startWorkers(1, 'l');
    const end = await submit(redis.url, input, output, [...RECIPE, '--recursive']).promise;
    expect(end.status).toBe(1);
    const files = report(output).files;
    expect(files.find((f) => f.input === 'p000.png')).toMatchObject({ status: 'done' });
    expect(files.find((f) => f.input === 'sub/p000.png')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/leaves the batch's folders/) });
    expect(readdirSync(elsewhere)).toEqual([]);
  }, 120_000);

  it.skipIf(!smallDiskSupport.ok)(
    'a full output disk stops the farm batch as it stops one on this computer',
    async () => {
      const input = join(root, 'in-full');
      await photos(input, 20, 64);
      const disk = smallDisk(96 * 1024);
      try {
        startWorkers(1, 'f');
        const run = submit(redis.url, input, disk.dir, ['--enhance', '2:fast', '--format', 'tiff']);
        const ended = await Promise.race([run.promise, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
        expect(ended, 'the submitter never stopped').not.toBeNull();
        expect(ended!.stderr).toMatch(/output disk is full/);
        expect(ended!.status).toBe(1);
        const said = ended!.stderr.match(/failed/g)?.length ?? 0;
        expect(said).toBeLessThan(20);
      } finally {
        disk.free();
      }
    },
    150_000,
  );

  it('a worker that lacks the recipe’s model or cannot see the folders says so; the file is reported failed with that reason', async () => {
    const input = join(root, 'in-lacking');
    await photos(input, 2, 48);
    // This worker's models folder is empty: High quality's x4plus is not bundled, so it is missing here.
    const bare = new WorkerProcess(redis.url, 'bare', { GANVAS_MODELS_DIR: mkdtempSync(join(tmpdir(), 'ganvas-no-models-')) });
    workers.push(bare);
    const hq = await submit(redis.url, input, join(root, 'lacking'), ['--enhance', '4:hq']).promise;
    expect(hq.status, hq.stderr).toBe(1);
    const lacking = report(join(root, 'lacking'));
    expect(lacking.totals).toMatchObject({ done: 0, failed: 2 });
    expect(lacking.files[0]!.reason).toMatch(/x4plus.*is not installed/);

    // The input folder moved after the batch was queued: as on a worker where the share is not mounted.
    await bare.stop();
    const moved = join(root, 'in-moved');
    await photos(moved, 2, 48);
    const queued = submit(redis.url, moved, join(root, 'unseen'));
    await until(() => /Farm batch/.test(queued.said()), 30_000);
    renameSync(moved, `${moved}-elsewhere`);
    workers.push(new WorkerProcess(redis.url, 'blind'));
    const unseen = await queued.promise;
    expect(unseen.status, unseen.stderr).toBe(1);
    expect(report(join(root, 'unseen')).files[0]!.reason).toMatch(
      /worker blind cannot see the input folder .*in-moved; mount the shared folder at the same path/,
    );
  }, 120_000);

  it('over TLS (rediss://) with a password', async () => {
    const secure = await TestRedis.start({ tls: true });
    try {
      const input = join(root, 'in-tls');
      await photos(input, 4, 48);
      const trust = { NODE_EXTRA_CA_CERTS: secure.ca };
      workers.push(new WorkerProcess(secure.url, 'tls', trust));
      const run = spawnSync(process.execPath, [cli, 'batch', input, join(root, 'tls'), ...RECIPE, '--queue', secure.url], {
        env: { ...env, ...trust },
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('4 files: 4 done');
      expect(run.stderr).not.toContain('farm-secret');
      // Plain text to the TLS port, or no password: it says it cannot reach the queue, and why.
      const plain = ganvas('batch', '--queue', `redis://localhost:${secure.port}/0`, '--status', 'x');
      expect(plain.stderr).toMatch(/Cannot reach the queue at redis:\/\/localhost:\d+\/0/);
      const noPassword = spawnSync(process.execPath, [cli, 'batch', '--queue', `rediss://localhost:${secure.port}/0`, '--status', 'x'], {
        env: { ...env, ...trust },
        encoding: 'utf8',
      });
      expect(noPassword.stderr).toMatch(/it needs a password, and the URL has none or a wrong one/);
    } finally {
      await secure.stop();
    }
  }, 120_000);

  it('says clearly when the queue cannot be reached or the URL is not Redis', () => {
    const down = spawnSync(process.execPath, [cli, 'batch', root, join(root, 'x'), ...RECIPE, '--queue', 'redis://:pw@127.0.0.1:1/0'], {
      env,
      encoding: 'utf8',
    });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
    expect(down.stderr).not.toContain(':pw@');
    const http = spawnSync(process.execPath, [cli, 'worker', '--queue', 'http://example.com'], { env, encoding: 'utf8' });
    expect(http.stderr).toMatch(/not a Redis URL/);
  });
});
