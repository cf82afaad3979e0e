import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { openImage } from '../../electron/engine/images/open.js';
import { bundledCatalogPath } from '../../electron/engine/models/catalog.js';
import { bicubic, laplacianVariance, meanPerChannel } from '../support/metrics.js';
import { digest } from '../support/rasters.js';
import { cli, photo, testModelsDir } from '../support/paths.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const out = mkdtempSync(join(tmpdir(), 'ganvas-enhance-'));

async function enhance(file: string, params: object) {
  const doc = await engine.open(file);
  const original = engine.document(doc.id).doc.layers[0]!;
  const before = { raster: original.raster, digest: digest(original.raster) };
  const jobId = engine.tools.run(doc.id, original.id, 'enhance', params);
  const end = await engine.tools.waitFor(jobId);
  if (end.type !== 'job-done') throw new Error(`enhance ended with ${JSON.stringify(end)}`);
  // The original layer is untouched: same raster, same bytes, still at the bottom.
  expect(engine.document(doc.id).doc.layers[0]).toBe(original);
  expect(original.raster).toBe(before.raster);
  expect(digest(original.raster)).toBe(before.digest);
  return { doc: engine.document(doc.id).info(), end };
}

/** Sharper than bicubic by a clear margin, same size rules, same overall colour. */
async function expectGoodUpscale(file: string, scale: 2 | 4, quality: 'fast' | 'hq', checkSharpness = true) {
  const { raster: src } = await openImage(file);
  const { doc } = await enhance(file, { scale, quality });
  expect(doc.layers).toHaveLength(2);
  const result = engine.document(doc.id).doc.layers[1]!.raster;
  expect([result.width, result.height, result.channels]).toEqual([src.width * scale, src.height * scale, src.channels]);
  expect([doc.width, doc.height]).toEqual([src.width * scale, src.height * scale]);
  const baseline = await bicubic(src, result.width, result.height);
  if (checkSharpness) expect(laplacianVariance(result)).toBeGreaterThan(1.3 * laplacianVariance(baseline));
  const [m0, m1] = [meanPerChannel(src), meanPerChannel(result)];
  m0.forEach((v, k) => expect(Math.abs(v - m1[k]!), `channel ${k} mean`).toBeLessThan(4));
  return result;
}

describe('Enhance through the engine', () => {
  it('sends each finished tile as it comes, placed on the canvas, when someone watches; nothing when not', async () => {
    const doc = await engine.open(photo('coffee.png'));
    const layerId = doc.layers[0]!.id;
    const events: string[] = [];
    const parts: { rect: { x: number; y: number; width: number; height: number }; image: { bytes: Uint8Array; type: string } }[] = [];
    const off = engine.onEvent((e) => {
      if (!('jobId' in e)) return;
      events.push(e.type);
      if (e.type === 'job-part') parts.push(e);
    });
    const end = await engine.tools.waitFor(engine.tools.run(doc.id, layerId, 'enhance', { scale: 4, quality: 'fast', tile: 256 }, { showParts: true }));
    expect(end.type).toBe('job-done');
    // 600×400 in 256 px tiles: 3 × 2, each shown before the result arrives.
    expect(parts).toHaveLength(6);
    expect(events.indexOf('job-part')).toBeLessThan(events.indexOf('job-done'));
    expect(events.lastIndexOf('job-part')).toBeLessThan(events.indexOf('job-done'));
    const covered = new Uint8Array(600 * 400);
    for (const { rect, image } of parts) {
      expect(rect.x).toBeGreaterThanOrEqual(0);
      expect(rect.y).toBeGreaterThanOrEqual(0);
      expect(rect.x + rect.width).toBeLessThanOrEqual(600);
      expect(rect.y + rect.height).toBeLessThanOrEqual(400);
      for (let y = rect.y; y < rect.y + rect.height; y++) covered.fill(1, y * 600 + rect.x, y * 600 + rect.x + rect.width);
      // A picture of the tile at twice the photo's resolution, which looks like the photo there.
      expect(image.type).toBe('image/jpeg');
      const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([rect.width * 2, rect.height * 2]);
      const { data: there } = await sharp(photo('coffee.png'))
        .extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height })
        .resize(info.width, info.height)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      let diff = 0;
      for (let i = 0; i < data.length; i++) diff += Math.abs(data[i]! - there[i]!);
      expect(diff / data.length).toBeLessThan(12);
    }
    expect(covered.every((c) => c === 1)).toBe(true);

    // The CLI and batches do not ask: no pictures are made.
    events.length = 0;
    await engine.tools.waitFor(engine.tools.run(doc.id, layerId, 'enhance', { scale: 4, quality: 'fast', tile: 256 }));
    off();
    expect(events).not.toContain('job-part');
    expect(events).toContain('job-done');
    await engine.close(doc.id);
  });

  it.each(['chelsea.png', 'coffee.png', 'rocket.jpg'])('×4 Fast on %s', async (name) => {
    await expectGoodUpscale(photo(name), 4, 'fast');
  });

  it('×2 Fast (×4 model, then Lanczos downscale) on astronaut.png', async () => {
    await expectGoodUpscale(photo('astronaut.png'), 2, 'fast');
  });

  it('keeps greyscale grey (camera.png)', async () => {
    // camera.png is a clean scan whose grass the GAN renders smoother than bicubic's noise, so
    // Laplacian variance is no sharpness measure here; size, channels and tone are checked.
    const result = await expectGoodUpscale(photo('camera.png'), 2, 'fast', false);
    expect(result.channels).toBe(1);
  });

  it('×4 High quality on a small crop (x4plus takes ~15 s per 256² tile here)', async () => {
    const crop = join(out, 'coffee-crop.png');
    await sharp(photo('coffee.png')).extract({ left: 220, top: 60, width: 96, height: 80 }).toFile(crop);
    await expectGoodUpscale(crop, 4, 'hq');
  });

  it('keeps alpha, upscaled on its own', async () => {
    const file = join(out, 'alpha.png');
    const { data, info } = await sharp(photo('chelsea.png')).resize(120, 80).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let p = 0; p < info.width * info.height; p++) data[p * 4 + 3] = p % info.width < 60 ? 255 : 0;
    await sharp(data, { raw: info }).png().toFile(file);
    // A 120×80 thumbnail has too little detail for a sharpness comparison; this test is about alpha.
    const result = await expectGoodUpscale(file, 4, 'fast', false);
    expect(result.data[3]).toBe(255);
    expect(result.data[(result.width - 1) * 4 + 3]).toBe(0);
  });

  it('keeps 16-bit depth', async () => {
    const file = join(out, 'deep.png');
    await sharp(photo('chelsea.png')).resize(100, 66).toColourspace('rgb16').png().toFile(file);
    const { doc } = await enhance(file, { scale: 4, quality: 'fast' });
    expect(doc.layers[1]).toMatchObject({ bitDepth: 16, width: 400, height: 264 });
  });

  it('cancel stops within a tile and leaves the document as it was', async () => {
    const doc = await engine.open(photo('astronaut.png'));
    const before = engine.document(doc.id).info();
    const progress: number[] = [];
    const jobId = engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { scale: 4, quality: 'fast', tile: 128 });
    const off = engine.onEvent((e) => {
      if (e.type === 'job-progress' && e.jobId === jobId) {
        progress.push(e.progress.done);
        if (e.progress.done === 1) engine.tools.cancel(jobId);
      }
    });
    const end = await engine.tools.waitFor(jobId);
    off();
    expect(end.type).toBe('job-cancelled');
    expect(Math.max(...progress)).toBeLessThanOrEqual(2);
    expect(engine.document(doc.id).info()).toEqual(before);
  });

  it('a missing model is reported before the job starts, saying how to install it', async () => {
    // Fast's model ships with the app; High quality's is installed separately.
    const bare = testEngine({ modelsDir: mkdtempSync(join(tmpdir(), 'ganvas-empty-')) });
    try {
      const doc = await bare.open(photo('chelsea.png'));
      let error: unknown = null;
      try {
        bare.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { quality: 'hq' });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'MODEL_MISSING', message: expect.stringContaining('ganvas models install realesrgan-x4plus --from <folder>') });
    } finally {
      await bare.dispose();
    }
  });
});

describe('a model that cannot run in tiles', () => {
  it('is refused by Enhance with the reason, as its catalog entry says', async () => {
    const catalog = JSON.parse(readFileSync(bundledCatalogPath, 'utf8')) as { models: { id: string; contract: { tiling: { mode: string } } }[] };
    const fast = catalog.models.find((m) => m.id === 'realesr-general-x4v3')!;
    catalog.models.push({ ...structuredClone(fast), id: 'whole-image-x4', contract: { ...structuredClone(fast.contract), tiling: { mode: 'none' } } });
    const catalogPath = join(mkdtempSync(join(tmpdir(), 'ganvas-catalog-')), 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(catalog));
    const engine = testEngine({ catalogPath });
    try {
      const doc = await engine.open(photo('chelsea.png'));
      const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { model: 'whole-image-x4' }));
      expect(end).toMatchObject({
        type: 'job-failed',
        error: { code: 'INVALID_INPUT', message: '“whole-image-x4” cannot run in tiles (its catalog entry says tiling: none), so it cannot enhance.' },
      });
    } finally {
      await engine.dispose();
    }
  });
});

describe('Enhance through the CLI', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir } });

  it('writes a 4× PNG, reports progress on stderr, exits 0', async () => {
    const target = join(out, 'chelsea@4x.png');
    const r = run('enhance', photo('chelsea.png'), '-o', target, '--scale', '4', '--quality', 'fast');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\b(\d+)\/\1 tiles/);
    expect(r.stderr).toMatch(/Wrote .*chelsea@4x\.png \(1804×1200\)/);
    const { raster } = await openImage(target);
    const { raster: src } = await openImage(photo('chelsea.png'));
    expect(laplacianVariance(raster)).toBeGreaterThan(1.3 * laplacianVariance(await bicubic(src, 1804, 1200)));
  });

  it('writes a 2× JPEG', async () => {
    const target = join(out, 'rocket@2x.jpg');
    const r = run('enhance', photo('rocket.jpg'), '-o', target, '--scale', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(await sharp(target).metadata()).toMatchObject({ format: 'jpeg', width: 1280, height: 854 });
  });

  it('fails clearly on bad input and bad usage', () => {
    const broken = join(out, 'broken.jpg');
    writeFileSync(broken, 'not a photo');
    const bad = run('enhance', broken, '-o', join(out, 'x.png'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('broken.jpg is not an image format Ganvas can open');
    const usage = run('enhance', photo('chelsea.png'), '--scale', '3');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--scale must be 2 or 4');
    const same = run('enhance', photo('chelsea.png'), '-o', photo('chelsea.png'));
    expect(same.status).toBe(2);
  });

  it('--help lists the commands', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const cmd of ['enhance', 'models list', 'models install', 'models verify', 'doctor']) expect(r.stdout).toContain(`ganvas ${cmd}`);
  });

  it('models verify checks sha256 of the installed models; doctor explains the providers', () => {
    const verify = run('models', 'verify', 'realesr-general-x4v3', 'iat_lol');
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/bundled\s+realesr-general-x4v3.*sha256 verified/);
    expect(verify.stdout).toMatch(/installed\s+iat_lol.*sha256 verified/);
    const doctor = run('doctor');
    expect(doctor.status).toBe(0);
    expect(doctor.stdout).toMatch(/yes\s+cpu\s+always available/);
    expect(doctor.stdout).toMatch(/cuda/);
  });
});
