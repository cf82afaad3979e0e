/**
 * How close Enhance comes to the machine: the whole CLI process against the model's own time on
 * the same tiles, the FLOP rate, the rewritten model file against the published one, and how soon
 * the first tile is on the canvas.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { rasterFromBuffer, type Raster } from '../../electron/engine/images/raster.js';
import { readPlanarRgb } from '../../electron/engine/inference/tensors.js';
import { planTiles } from '../../electron/engine/inference/tiling.js';
import { sessionOptions } from '../../electron/engine/inference/sessions.js';
import { findModel, loadCatalog } from '../../electron/engine/models/catalog.js';
import { testEngine, testModelStore } from '../support/engine.js';
import { cli, modelMirror } from '../support/paths.js';
import { row } from './measure.js';

/**
 * realesr-general-x4v3's cost per input pixel: its 3×3 convolutions 3→64, 32 × 64→64 and 64→48,
 * 2 FLOP per multiply-add: 2 · 9 · (3·64 + 32·64·64 + 64·48) = 2.418 MFLOP (the upsampling and
 * activations are noise).
 */
const X4V3_FLOP_PER_PIXEL = 2 * 9 * (3 * 64 + 32 * 64 * 64 + 64 * 48);
const TILE = 512;
const OVERLAP = 16;

interface ModelOnly {
  seconds: number;
  firstTile: number;
  pixels: number;
}

/** Seconds inside session.run for every tile of the plan, in a fresh session (the first run allocates, as in a real one). */
async function modelOnlySeconds(modelFile: string, src: Raster): Promise<ModelOnly> {
  const session = await ort.InferenceSession.create(modelFile, sessionOptions('cpu'));
  const plan = planTiles(src.width, src.height, TILE, OVERLAP);
  const [w, h] = [plan.cols.length, plan.rows.length];
  let seconds = 0;
  let firstTile = 0;
  for (const y of plan.rows.starts)
    for (const x of plan.cols.starts) {
      const input = new ort.Tensor('float32', readPlanarRgb(src, x, y, w, h), [1, 3, h, w]);
      const t0 = performance.now();
      await session.run({ input });
      seconds += (performance.now() - t0) / 1000;
      firstTile ||= seconds;
    }
  await session.release();
  return { seconds, firstTile, pixels: plan.count * w * h };
}

export async function enhancePipelineBench(photoFile: string): Promise<void> {
  const { data, info } = await sharp(photoFile).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const src = rasterFromBuffer(data, info.width, info.height, 3, 8);
  const mp = `${((info.width * info.height) / 1e6).toFixed(1)} MP`;
  const model = findModel(loadCatalog(), 'realesr-general-x4v3');
  const shipped = await testModelStore().resolve(model.id);

  // Each measured three times, alternating, the quickest kept: runs of 14 s on this machine vary by several per cent.
  const runs = { rewritten: [] as ModelOnly[], original: [] as ModelOnly[], cli: [] as number[] };
  const out = join(mkdtempSync(join(tmpdir(), 'ganvas-bench-')), 'out.png');
  const cliArgs = [cli, 'enhance', photoFile, '--scale', '4', '--quality', 'fast', '--tile', String(TILE), '-o', out, '--overwrite'];
  for (let i = 0; i < 3; i++) {
    runs.rewritten.push(await modelOnlySeconds(shipped, src));
    runs.original.push(await modelOnlySeconds(join(modelMirror, model.derivedFrom!.file), src));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, cliArgs, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ganvas enhance failed: ${r.stderr}`);
    runs.cli.push((performance.now() - t0) / 1000);
  }
  const quickest = (all: ModelOnly[]) => all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const [rewritten, original, whole] = [quickest(runs.rewritten), quickest(runs.original), Math.min(...runs.cli)];
  row(
    `Enhance Fast model file: published / rewritten (split PReLU), session time on ${mp}`,
    `${original.seconds.toFixed(2)} s / ${rewritten.seconds.toFixed(2)} s = ${(original.seconds / rewritten.seconds).toFixed(3)}`,
    '> 1',
  );

  row(
    `Enhance ×4 Fast ${mp}: whole CLI process / model-only on the same tiles`,
    `${whole.toFixed(2)} s / ${rewritten.seconds.toFixed(2)} s = ${(whole / rewritten.seconds).toFixed(3)}`,
    '≤ 1.15',
  );
  const gflops = (seconds: number) => ((X4V3_FLOP_PER_PIXEL * rewritten.pixels) / seconds / 1e9).toFixed(0);
  row(
    'Enhance Fast achieved GFLOP/s: model, whole process',
    `${gflops(rewritten.seconds)}, ${gflops(whole)} (${(X4V3_FLOP_PER_PIXEL / 1e6).toFixed(3)} MFLOP per input pixel)`,
  );

  // The app's path: the engine sends each finished tile to the canvas.
  const engine = testEngine();
  const doc = await engine.open(photoFile);
  const started = performance.now();
  let firstPart: number | null = null;
  const jobId = engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { scale: 4, quality: 'fast', tile: TILE }, { showParts: true });
  const off = engine.onEvent((e) => {
    if (e.type === 'job-part' && e.jobId === jobId) firstPart ??= (performance.now() - started) / 1000;
  });
  await engine.tools.waitFor(jobId);
  off();
  await engine.dispose();
  row(
    `Time to the first tile on the canvas (Enhance ×4 Fast, ${mp}, ${TILE} px tiles)`,
    `${firstPart!.toFixed(2)} s; the first tile's model time ${rewritten.firstTile.toFixed(2)} s`,
    '≈ one tile',
  );
}
