/**
 * The Enhance rows of `npm run bench`. BENCH_BIG_MP sets the photo size for the peak-RSS row
 * (default 12).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Engine } from '../../electron/engine/engine.js';
import { findModel, loadCatalog, tensorContract } from '../../electron/engine/models/catalog.js';
import { runTiled } from '../../electron/engine/inference/runner.js';
import { SessionPool } from '../../electron/engine/inference/sessions.js';
import { sessionInference } from '../../electron/engine/inference/tensors.js';
import { testEngine, testModelStore } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { rasterOf } from '../support/rasters.js';
import { enhancePipelineBench } from './enhance-pipeline.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { gib, ms, row, withLag, withPeakRss } from './measure.js';

export async function photoOfSize(width: number, height: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'ganvas-bench-')), `astronaut-${width}x${height}.png`);
  await sharp(photo('astronaut.png')).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).png({ compressionLevel: 1 }).toFile(file);
  return file;
}

async function enhanceThroughEngine(engine: Engine, file: string, params: object) {
  const doc = await engine.open(file);
  const { result: end, lagP99Ms } = await withLag(() => engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', params)));
  if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
  await engine.close(doc.id);
  return { stats: end.stats, lagP99Ms };
}

export async function enhanceBench(): Promise<void> {
  const catalog = loadCatalog();
  const store = testModelStore();
  const pool = new SessionPool('cpu');
  const engine = testEngine();

  // First, while nothing else in this process has run: the whole process against the model alone.
  const mp1 = await photoOfSize(1000, 1000);
  await enhancePipelineBench(mp1);

  // Megapixels (of output) per second for each model, through the engine.
  const small = await photoOfSize(256, 256);
  await enhanceThroughEngine(engine, small, { scale: 4, quality: 'fast' }); // warm-up: session load
  for (const [quality, file] of [
    ['fast', await photoOfSize(512, 512)],
    ['hq', await photoOfSize(128, 128)],
  ] as const) {
    const { stats } = await enhanceThroughEngine(engine, file, { scale: 4, quality });
    const inPx = quality === 'fast' ? 512 * 512 : 128 * 128;
    row(
      `${quality === 'fast' ? 'realesr-general-x4v3' : 'realesrgan-x4plus'} throughput`,
      `${((inPx * 16) / 1e6 / (stats.totalMs / 1000)).toFixed(2)} output MP/s (${(inPx / 1e6 / (stats.totalMs / 1000)).toFixed(3)} input MP/s)`,
    );
  }

  // 1 MP photo: share of time inside session.run, and main-thread lag while it runs.
  const one = await enhanceThroughEngine(engine, mp1, { scale: 4, quality: 'fast' });
  row('1 MP Enhance ×4 Fast: end-to-end time', `${(one.stats.totalMs / 1000).toFixed(1)} s`);
  row('1 MP: share of time inside session.run', (one.stats.inferenceMs / one.stats.totalMs).toFixed(3), '≥ 0.85');
  row('main-thread event-loop lag p99 during Enhance', `${one.lagP99Ms.toFixed(1)} ms`, '≤ 50 ms');

  // Tiled (the app's settings) vs one whole-image pass, same input, same session.
  const model = findModel(catalog, 'realesr-general-x4v3');
  const infer = sessionInference(await pool.get(model.id, await store.resolve(model.id)), tensorContract(model));
  const src = await rasterOf(mp1);
  const time = async (tile: number) => {
    const t0 = performance.now();
    await runTiled(infer, src, { tile, overlap: 16, scale: 4 });
    return performance.now() - t0;
  };
  const whole = await time(1000);
  const tiled = await time(384);
  row(
    '1 MP tiled (384/16) vs whole-image time',
    `${(tiled / 1000).toFixed(1)} s vs ${(whole / 1000).toFixed(1)} s = ${((tiled / whole - 1) * 100).toFixed(1)} % overhead`,
    '≤ 10 %',
  );

  await cancelLatency(engine);

  // Peak RSS for ×4 of a big photo (BENCH_BIG_MP megapixels, 3:2).
  const bigMp = Number(process.env.BENCH_BIG_MP ?? 12);
  const bigW = Math.round(Math.sqrt(bigMp * 1e6 * 1.5));
  const big = await photoOfSize(bigW, Math.round(bigW / 1.5));
  const { result: b, peak } = await withPeakRss(() => enhanceThroughEngine(engine, big, { scale: 4, quality: 'fast' }), 100);
  row(`${bigMp} MP Enhance ×4 Fast: time, peak RSS`, `${(b.stats.totalMs / 1000).toFixed(0)} s, ${(peak / 2 ** 30).toFixed(2)} GiB`, '≤ 4 GB');

  await enhanceMemory(engine);

  await engine.dispose();
  await pool.releaseAll();
}

const rss = () => process.memoryUsage().rss;

/**
 * The engine's memory through Enhance ×2 Fast of a 24 MP photo (6000×4000): at rest with the photo
 * open, the peak while it runs, and 5 s after the end (the ×2 layer, 12000×8000, is then held by
 * the document) and after a cancel a quarter of the way in.
 */
async function enhanceMemory(engine: Engine): Promise<void> {
  const file = await photoOfSize(6000, 4000);
  const doc = await engine.open(file);
  const layerId = doc.layers[0]!.id;
  const measureRun = async (cancelAt: number | null) => {
    await sleep(5000);
    const before = rss();
    const { result: end, peak } = await withPeakRss(async () => {
      const jobId = engine.tools.run(doc.id, layerId, 'enhance', { scale: 2, quality: 'fast' });
      const off = engine.onEvent((e) => {
        if (cancelAt !== null && e.type === 'job-progress' && e.jobId === jobId && e.progress.done >= e.progress.total * cancelAt) engine.tools.cancel(jobId);
      });
      const ended = await engine.tools.waitFor(jobId);
      off();
      return ended;
    }, 100);
    const endType = end.type;
    await sleep(5000);
    return { before, peak, after: rss(), endType };
  };
  const done = await measureRun(null);
  if (done.endType !== 'job-done') throw new Error(`Enhance ×2 of 24 MP ended ${done.endType}`);
  row(
    '24 MP Enhance ×2 Fast: engine memory at rest → peak → 5 s after the end (holding the 0.27 GiB result)',
    `${gib(done.before)} → ${gib(done.peak)} → ${gib(done.after)}`,
    'peak ≤ 1.5 GB; at rest + result',
  );
  const cancelled = await measureRun(0.25);
  if (cancelled.endType !== 'job-cancelled') throw new Error(`the cancelled Enhance ended ${cancelled.endType}`);
  row(
    '24 MP Enhance ×2 Fast cancelled a quarter in: memory at rest → peak → 5 s after',
    `${gib(cancelled.before)} → ${gib(cancelled.peak)} → ${gib(cancelled.after)}`,
    'back to rest',
  );
  await engine.close(doc.id);
}

/**
 * How long a cancel takes on High quality, the slowest network: cancels at several moments into
 * a tile (the tile in flight has to finish), from the click to the job's end. The longest counts.
 */
async function cancelLatency(engine: Engine): Promise<void> {
  const file = await photoOfSize(600, 400);
  const latencies: number[] = [];
  let tiles = 0;
  for (const wait of [100, 600, 1100]) {
    const doc = await engine.open(file);
    const jobId = engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { scale: 4, quality: 'hq' });
    // Once a tile is done, the next is in flight: cancel `wait` ms into it.
    await new Promise<void>((resolve) => {
      const off = engine.onEvent((e) => {
        if (e.type === 'job-progress' && e.jobId === jobId && e.progress.done >= 1) {
          tiles = e.progress.total;
          off();
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    engine.tools.cancel(jobId);
    const end = await engine.tools.waitFor(jobId);
    if (end.type !== 'job-cancelled') throw new Error(`expected a cancel, got ${end.type}`);
    latencies.push(performance.now() - t0);
    await engine.close(doc.id);
  }
  row(
    'Cancel latency, Enhance ×4 High quality (600×400)',
    `${ms(Math.max(...latencies))} longest of ${latencies.map((l) => ms(l)).join(', ')} (${tiles} tiles)`,
    '≤ 2000 ms',
  );
}
