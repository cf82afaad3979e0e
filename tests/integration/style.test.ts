import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openImage } from '../../electron/engine/images/open.js';
import { cropRaster, rasterFromPlanar, sharpInput, type Raster } from '../../electron/engine/images/raster.js';
import { resizeRaster } from '../../electron/engine/images/resample.js';
import { findModel, loadCatalog, tensorContract } from '../../electron/engine/models/catalog.js';
import { SessionPool } from '../../electron/engine/inference/sessions.js';
import { readPlanarRgb, sessionInference, vectorInference } from '../../electron/engine/inference/tensors.js';
import { testEngine, testModelStore } from '../support/engine.js';
import { periodicShare } from '../support/colour-metrics.js';
import { columnSteps, luma } from '../support/metrics.js';
import { cli, photo, repoRoot, testModelsDir } from '../support/paths.js';
import { digest } from '../support/rasters.js';

const engine = testEngine();
const pool = new SessionPool('cpu');
afterAll(async () => {
  await engine.dispose();
  await pool.releaseAll();
});
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-style-'));
const fixtures = join(repoRoot, 'tests', 'fixtures', 'style-references');
/** Set to write the references anew from this run (only after checking the outputs by eye). */
const UPDATE = process.env.UPDATE_REFERENCES === '1';

async function apply(file: string, params: object, reference?: Raster) {
  const doc = await engine.open(file);
  const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'style', params, reference ? { reference } : {}));
  if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
  return { doc, end, result: engine.document(doc.id).doc.layers.at(-1)!.raster, original: engine.document(doc.id).doc.layers[0]!.raster };
}

/** Pearson correlation of the luminance gradient magnitudes: how much two images share their edges. */
function edgeCorrelation(a: Raster, b: Raster): number {
  const grad = (r: Raster) => {
    const y = luma(r);
    const g = new Float32Array(r.width * r.height);
    for (let j = 1; j < r.height - 1; j++)
      for (let i = 1; i < r.width - 1; i++) {
        const p = j * r.width + i;
        g[p] = Math.hypot(y[p + 1]! - y[p - 1]!, y[p + r.width]! - y[p - r.width]!);
      }
    return g;
  };
  const [x, y] = [grad(a), grad(b)];
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n,
    my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Mean and spread of each colour channel (0..255): the palette in six numbers. */
function palette(r: Raster): number[] {
  const k = r.depth === 16 ? 255 / 65535 : 1;
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    let s = 0,
      s2 = 0;
    const n = r.width * r.height;
    for (let p = 0; p < n; p++) {
      const v = r.data[p * r.channels + c]! * k;
      s += v;
      s2 += v * v;
    }
    out.push(s / n, Math.sqrt(s2 / n - (s / n) ** 2));
  }
  return out;
}
const distance = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));

describe('style networks through the engine’s adapters match their stored references', () => {
  const store = testModelStore();
  const vectors = JSON.parse(readFileSync(join(testModelsDir, 'magenta_style_vectors.json'), 'utf8')) as { vectors: Record<string, number[]> };
  const cases = [
    ['painter_monet', undefined],
    ['magenta_style_transfer', 'vangogh_starry_night'],
    ['fst_mathura', undefined],
    ['fst_matta', undefined],
  ] as const;

  const [W, H] = [64, 48];
  it.each(cases)('%s (%s) on a 64×48 crop of chelsea.png, within 1e-3', async (id, vectorKey) => {
    const { raster } = await openImage(photo('chelsea.png'));
    const crop = cropRaster(raster, { x: 200, y: 120, width: W, height: H });
    const model = findModel(loadCatalog(), id);
    const infer = sessionInference(await pool.get(id, await store.resolve(id)), tensorContract(model));
    const out = await infer(readPlanarRgb(crop, 0, 0, W, H), W, H, vectorKey ? Float32Array.from(vectors.vectors[vectorKey]!) : undefined);
    const file = join(fixtures, `${id}.png`);
    if (UPDATE)
      await sharp(...sharpInput(rasterFromPlanar(out, W, H, 16)))
        .toColourspace('rgb16')
        .png()
        .toFile(file);
    expect(existsSync(file), `${file} is missing: run with UPDATE_REFERENCES=1 once outputs are checked`).toBe(true);
    const ref = readPlanarRgb((await openImage(file)).raster, 0, 0, W, H);
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - ref[i]!));
    expect(worst).toBeLessThanOrEqual(1e-3);
  });

  it('magenta_style_predict on a 256² centre crop of coffee.png, within 1e-3', async () => {
    const { raster } = await openImage(photo('coffee.png'));
    const square = await resizeRaster(cropRaster(raster, { x: 100, y: 0, width: 400, height: 400 }), 256, 256, 'linear');
    const id = 'magenta_style_predict';
    const predict = vectorInference(await pool.get(id, await store.resolve(id)), tensorContract(findModel(loadCatalog(), id)));
    const v = await predict(readPlanarRgb(square, 0, 0, 256, 256), 256, 256);
    const file = join(fixtures, `${id}.json`);
    if (UPDATE) writeFileSync(file, JSON.stringify([...v]));
    const ref = JSON.parse(readFileSync(file, 'utf8')) as number[];
    expect(v).toHaveLength(100);
    v.forEach((x, i) => expect(Math.abs(x - ref[i]!)).toBeLessThanOrEqual(1e-3));
  });
});

describe('Style on real photos', () => {
  it.each([
    ['monet', 'chelsea.png'],
    ['vangogh_starry_night', 'coffee.png'],
    ['fst_matta', 'rocket.jpg'],
  ] as const)('%s on %s keeps the photo’s structure and moves its palette toward the style', async (style, name) => {
    const { result, original } = await apply(photo(name), { style });
    expect([result.width, result.height]).toEqual([original.width, original.height]);
    // Unrelated photos score about 0 here (−0.03 for chelsea vs coffee, checked below); a
    // photo against itself scores 1. The styles keep 0.27 (Matta, the most abstract) to 0.49
    // (Monet, Van Gogh) of the edges: 0.25 separates "same scene, painted" from "lost".
    expect(edgeCorrelation(original, result)).toBeGreaterThan(0.25);
    // The style pulls different photos toward one palette: their palettes come closer.
    const other = name === 'chelsea.png' ? 'coffee.png' : 'chelsea.png';
    const { result: otherResult, original: otherOriginal } = await apply(photo(other), { style });
    expect(distance(palette(result), palette(otherResult))).toBeLessThan(distance(palette(original), palette(otherOriginal)));
  });

  it('unrelated photos share no edges (the baseline for the threshold above)', async () => {
    const a = (await openImage(photo('chelsea.png'))).raster;
    const b = await resizeRaster((await openImage(photo('coffee.png'))).raster, a.width, a.height);
    expect(Math.abs(edgeCorrelation(a, b))).toBeLessThan(0.2);
  });

  it.each([
    ['monet', 'painter_monet'],
    ['fst_matta', 'fst_matta'],
  ] as const)('%s leaves no grid at pixel level: no more of its fine detail repeats at the network period than the photo’s', async (style, modelId) => {
    const { result, original } = await apply(photo('coffee.png'), { style });
    const period = tensorContract(findModel(loadCatalog(), modelId)).gridPeriod!;
    // At the size the network painted at (512 px long), where its period is exact.
    const [w, h] = [512, Math.round((512 * original.height) / original.width)];
    const [photoShare = NaN, paintingShare = NaN] = await Promise.all(
      [original, result].map(async (r) => periodicShare(await resizeRaster(r, w, h, 'linear'), period)),
    );
    expect(period).toBeGreaterThanOrEqual(4);
    expect(paintingShare).toBeLessThanOrEqual(photoShare + 0.01);
  });

  it('the preview (working size) and the full-resolution result look the same; no seams at full size', async () => {
    const big = join(tmp, 'astronaut-2k.png');
    await sharp(photo('astronaut.png')).resize(2048, 2048, { kernel: 'lanczos3' }).png().toFile(big);
    const { doc, result } = await apply(big, { style: 'monet' });
    const preview = await engine.tools.preview(doc.id, doc.layers[0]!.id, 'style', { style: 'monet' }, 512);
    const small = (await openImage(await writePng(preview.bytes, 'preview.png'))).raster;
    const fullSmall = await resizeRaster(result, small.width, small.height);
    let se = 0;
    for (let i = 0; i < small.data.length; i++) se += (small.data[i]! - fullSmall.data[i]!) ** 2;
    expect(10 * Math.log10((255 * 255) / (se / small.data.length))).toBeGreaterThan(25);
    palette(small).forEach((v, i) => expect(Math.abs(v - palette(fullSmall)[i]!)).toBeLessThan(3));
    // No tile grid: the step at every 256th column is like those of its neighbours.
    const steps = columnSteps(result);
    for (let x = 256; x < result.width; x += 256) {
      const around = [...steps.subarray(x - 8, x), ...steps.subarray(x + 1, x + 9)].sort((a, b) => a - b);
      expect(steps[x]).toBeLessThanOrEqual(1.5 * around[Math.floor(around.length / 2)]!);
    }
  });

  it('strength 0 gives the photo back exactly; keep colours keeps its colours', async () => {
    const { result, original } = await apply(photo('coffee.png'), { style: 'monet', strength: 0 });
    expect(digest(result)).toBe(digest(original));
    const kept = await apply(photo('coffee.png'), { style: 'monet', keepColours: true });
    const chroma = (r: Raster) =>
      palette(r)
        .filter((_, i) => i % 2 === 0)
        .map((m, _, all) => m - all.reduce((s, v) => s + v, 0) / 3);
    chroma(kept.result).forEach((v, i) => expect(Math.abs(v - chroma(original)[i]!)).toBeLessThan(3));
    expect(edgeCorrelation(original, kept.result)).toBeLessThan(0.98);
  });

  it('learns a style from a painting, and the style can be kept as a preset', async () => {
    const painting = (await openImage(photo('rocket.jpg'))).raster;
    const { end, result, original } = await apply(photo('chelsea.png'), {}, painting);
    expect(end.type === 'job-done' && end.styleVector).toHaveLength(100);
    expect(digest(result)).not.toBe(digest(original));
    const presets = await engine.styles.save('Rocket night', end.type === 'job-done' ? end.styleVector! : []);
    expect(presets.at(-1)).toMatchObject({ id: 'user:Rocket night', kind: 'user' });
    expect(presets[0]).toMatchObject({ id: 'monet', name: 'Monet' });
    expect(presets.map((p) => p.id)).toEqual(
      expect.arrayContaining(['vangogh_starry_night', 'hokusai_great_wave', 'munch_scream', 'kandinsky_composition', 'fst_mathura', 'fst_matta']),
    );
  });

  it('the CLI applies a preset and a painting', async () => {
    const env = { ...process.env, GANVAS_MODELS_DIR: testModelsDir };
    const out = join(tmp, 'cli-monet.jpg');
    const r = spawnSync(process.execPath, [cli, 'style', photo('coffee.png'), '--style', 'monet', '--strength', '0.8', '-o', out], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(await sharp(out).metadata()).toMatchObject({ width: 600, height: 400, format: 'jpeg' });
    const out2 = join(tmp, 'cli-painting.png');
    const r2 = spawnSync(process.execPath, [cli, 'style', photo('coffee.png'), '--style-image', photo('rocket.jpg'), '-o', out2], { encoding: 'utf8', env });
    expect(r2.status, r2.stderr).toBe(0);
    const bad = spawnSync(process.execPath, [cli, 'style', photo('coffee.png'), '--style', 'picasso', '-o', join(tmp, 'x.png')], { encoding: 'utf8', env });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Unknown style "picasso"');
  });
});

async function writePng(png: Uint8Array, name: string): Promise<string> {
  const file = join(tmp, name);
  writeFileSync(file, png);
  return file;
}
