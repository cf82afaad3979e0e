import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/engine/engine.js';
import { paintStrokeAsync } from '../../electron/engine/document/brush.js';
import { fillRect } from '../../electron/engine/images/masks.js';
import { openImage } from '../../electron/engine/images/open.js';
import { allocRaster, sharpInput, type Raster, type Rect } from '../../electron/engine/images/raster.js';
import { sha256File } from '../../electron/engine/models/sha256.js';
import { planInpaint } from '../../electron/engine/tools/erase/run.js';
import { testEngine } from '../support/engine.js';
import { columnSteps, diffusionFill, holeError, meanColourFill } from '../support/metrics.js';
import { cli, photo, repoRoot, testModelsDir } from '../support/paths.js';
import { digest } from '../support/rasters.js';
import { lamaLike, miganLike } from '../support/tiny-onnx.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-inpaint-'));

/** A fixed mask per photo: a brush stroke and a box, far enough apart to be separate holes. */
async function fixedMask(width: number, height: number, seed: number): Promise<Raster> {
  const m = allocRaster(width, height, 1, 8);
  const a: [number, number] = [width * (0.2 + 0.05 * seed), height * 0.25];
  const b: [number, number] = [width * (0.35 + 0.05 * seed), height * 0.45];
  m.data.set((await paintStrokeAsync(m, { points: [a, b], radius: 5, hardness: 1, value: 255, opacity: 1 })).raster.data);
  fillRect(m, { x: Math.round(width * 0.7), y: Math.round(height * 0.65), width: 28, height: 24 }, 255);
  return m;
}

async function writeMask(m: Raster, name: string): Promise<string> {
  const file = join(tmp, name);
  await sharp(...sharpInput(m))
    .png()
    .toFile(file);
  return file;
}

async function erase(e: Engine, file: string, mask: Raster, params: object = {}) {
  const doc = await e.open(file);
  await e.document(doc.id).selectionFromFile(await writeMask(mask, `mask-${doc.id}.png`));
  const end = await e.tools.waitFor(e.tools.run(doc.id, doc.layers[0]!.id, 'erase', params));
  if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
  return { doc: e.document(doc.id).info(), end, render: await e.document(doc.id).doc.render() };
}

/** The ganvas model run directly by ORT on one crop, prepared as its PROVENANCE says: 0..1, 1 = hole, padded to ×8 by edge pixels marked known. */
async function directRun(session: ort.InferenceSession, src: Raster, crop: Rect, hole: Uint8Array): Promise<Float32Array> {
  const pw = Math.ceil(crop.width / 8) * 8,
    ph = Math.ceil(crop.height / 8) * 8;
  const image = new Float32Array(3 * pw * ph),
    mask = new Float32Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const sx = crop.x + Math.min(x, crop.width - 1),
        sy = crop.y + Math.min(y, crop.height - 1);
      for (let k = 0; k < 3; k++) image[k * pw * ph + y * pw + x] = src.data[(sy * src.width + sx) * src.channels + k]! / 255;
      if (x < crop.width && y < crop.height) mask[y * pw + x] = hole[sy * src.width + sx]!;
    }
  }
  const out = await session.run({ image: new ort.Tensor('float32', image, [1, 3, ph, pw]), mask: new ort.Tensor('float32', mask, [1, 1, ph, pw]) });
  const o = out.output!.data as Float32Array;
  const fill = new Float32Array(3 * crop.width * crop.height);
  for (let k = 0; k < 3; k++)
    for (let y = 0; y < crop.height; y++)
      for (let x = 0; x < crop.width; x++) fill[k * crop.width * crop.height + y * crop.width + x] = o[k * pw * ph + y * pw + x]!;
  return fill;
}

describe('Erase (inpaint) on real photos with the ganvas-inpaint-v0 model', () => {
  const report: string[] = [];
  const gains: { name: string; psnr: number; mae: number }[] = [];
  afterAll(() => console.log(`\nHole metrics (PSNR dB / MAE 0..255 inside the hole, vs the original)\n${report.join('\n')}`));

  it.each([
    ['chelsea.png', 0],
    ['coffee.png', 1],
    ['astronaut.png', 2],
    ['rocket.jpg', 3],
  ] as const)('%s: fills each hole like the model itself, leaves the rest bit-identical', async (name, seed) => {
    const { raster: original } = await openImage(photo(name));
    const mask = await fixedMask(original.width, original.height, seed);
    // The network alone, to compare with the model run directly; the texture step is measured in erase-quality.
    const { render, end, doc } = await erase(engine, photo(name), mask, { texture: false });
    expect(end.warnings).toEqual([]);
    expect([render.width, render.height, render.channels]).toEqual([original.width, original.height, original.channels]);
    expect(doc.layers.map((l) => [l.name, l.hasMask])).toEqual([
      [name, false],
      ['Erase', true],
    ]);

    const plan = planInpaint(mask, { grow: 3, feather: 4 });
    expect(plan.crops).toHaveLength(2);
    // Outside the feathered hole nothing changed, not by one level.
    let outside = 0;
    for (let p = 0; p < plan.weights.length; p++) {
      if (plan.weights[p] !== 0) continue;
      outside++;
      for (let c = 0; c < original.channels; c++)
        if (render.data[p * original.channels + c] !== original.data[p * original.channels + c]) throw new Error(`pixel ${p} changed outside the mask`);
    }
    expect(outside).toBeGreaterThan(0.9 * plan.weights.length);

    // Inside each hole, the app's pixels are the model's own output on that crop (no rescaling here).
    const session = await ort.InferenceSession.create(join(testModelsDir, 'ganvas-inpaint-v0.onnx'));
    const direct = { ...original, data: original.data.slice() };
    for (const crop of plan.crops) {
      expect(Math.max(crop.width, crop.height)).toBeLessThanOrEqual(512);
      const fill = await directRun(session, original, crop, plan.hole.bits);
      for (let y = 0; y < crop.height; y++)
        for (let x = 0; x < crop.width; x++) {
          const p = (crop.y + y) * original.width + crop.x + x;
          if (plan.hole.bits[p])
            for (let k = 0; k < 3; k++) direct.data[p * 3 + k] = Math.round(fill[k * crop.width * crop.height + y * crop.width + x]! * 255);
        }
    }
    await session.release();
    const agreement = holeError(render, direct, plan.hole.bits);
    expect(agreement.psnr).toBeGreaterThanOrEqual(35);

    // Far closer to the truth than a mean-colour fill; diffusion is reported, not judged.
    const model = holeError(render, original, plan.hole.bits);
    const mean = holeError(meanColourFill(original, plan.hole.bits), original, plan.hole.bits);
    const diffusion = holeError(diffusionFill(original, plan.hole.bits), original, plan.hole.bits);
    const f = (m: { psnr: number; mae: number }) => `${m.psnr.toFixed(2)} / ${m.mae.toFixed(2)}`;
    // Better than the mean colour on every photo, in both measures…
    expect(model.psnr).toBeGreaterThan(mean.psnr);
    expect(model.mae).toBeLessThan(0.85 * mean.mae);
    gains.push({ name, psnr: model.psnr - mean.psnr, mae: mean.mae / model.mae });
    report.push(
      `${name.padEnd(14)} app vs model ${agreement.psnr === Infinity ? '∞' : agreement.psnr.toFixed(1)} dB | model ${f(model)} | diffusion ${f(diffusion)} | mean colour ${f(mean)}`,
    );
    // Each hole was filled: every hole's pixels moved away from the mean-colour guess… and from nothing.
    for (const crop of plan.crops) {
      const inCrop = plan.hole.bits.map((b, p) =>
        b &&
        p % original.width >= crop.x &&
        p % original.width < crop.x + crop.width &&
        Math.floor(p / original.width) >= crop.y &&
        Math.floor(p / original.width) < crop.y + crop.height
          ? 1
          : 0,
      );
      expect(holeError(render, original, inCrop).psnr).toBeLessThan(60);
    }
  });

  it('…and far better across the photos (chelsea’s fur is close to its own mean colour, so its margin is small)', () => {
    expect(gains).toHaveLength(4);
    expect(gains.reduce((a, g) => a + g.psnr, 0) / gains.length).toBeGreaterThanOrEqual(3);
  });

  it('is one undoable step: undo removes the Erase layer', async () => {
    const { doc } = await erase(engine, photo('coffee.png'), await fixedMask(600, 400, 1));
    await engine.document(doc.id).undo('document');
    expect(engine.document(doc.id).info().layers).toHaveLength(1);
  });

  it('a large crop is run at the working size and scaled back; pixels outside stay identical', async () => {
    const big = join(tmp, 'astronaut-2k.png');
    await sharp(photo('astronaut.png')).resize(2048, 2048).png().toFile(big);
    const mask = allocRaster(2048, 2048, 1, 8);
    fillRect(mask, { x: 700, y: 900, width: 300, height: 260 }, 255);
    const { raster: original } = await openImage(big);
    const { render } = await erase(engine, big, mask);
    const plan = planInpaint(mask, { grow: 3, feather: 4 });
    expect(Math.max(plan.crops[0]!.width, plan.crops[0]!.height)).toBeGreaterThan(512);
    const outside = plan.weights.map((w) => (w === 0 ? 1 : 0));
    expect(holeError(render, original, Uint8Array.from(outside)).psnr).toBe(Infinity);
    expect(holeError(render, original, plan.hole.bits).psnr).toBeGreaterThan(
      holeError(meanColourFill(original, plan.hole.bits), original, plan.hole.bits).psnr,
    );
  });
});

describe('bad masks', () => {
  it('an empty mask gets a message, not a run', async () => {
    const doc = await engine.open(photo('chelsea.png'));
    expect(() => engine.tools.run(doc.id, doc.layers[0]!.id, 'erase', {})).toThrow(/Nothing is marked/);
    await engine.document(doc.id).selectionFromFile(await writeMask(allocRaster(451, 300, 1, 8), 'empty.png'));
    expect(() => engine.tools.run(doc.id, doc.layers[0]!.id, 'erase', {})).toThrow(/Nothing is marked/);
  });

  it('a mask of another size is refused, naming both sizes (engine and CLI)', async () => {
    const doc = await engine.open(photo('chelsea.png'));
    const wrong = await writeMask(allocRaster(100, 80, 1, 8), 'wrong-size.png');
    await expect(engine.document(doc.id).selectionFromFile(wrong)).rejects.toThrow('The mask wrong-size.png is 100×80 but the photo is 451×300');
    const r = spawnSync(process.execPath, [cli, 'inpaint', photo('chelsea.png'), '--mask', wrong, '-o', join(tmp, 'never.png')], {
      encoding: 'utf8',
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is 100×80 but the photo is 451×300');
  });

  it('a mask over almost the whole image still works, with a warning', async () => {
    const mask = allocRaster(451, 300, 1, 8);
    fillRect(mask, { x: 5, y: 5, width: 441, height: 290 }, 255);
    const { end, render } = await erase(engine, photo('chelsea.png'), mask);
    expect(end.warnings[0]).toMatch(/covers 95 % of the image/);
    expect([render.width, render.height]).toEqual([451, 300]);
  });

  it('the CLI erases with a mask file (white = remove) and leaves the rest alone', async () => {
    const mask = await fixedMask(600, 400, 1);
    const out = join(tmp, 'cli-erased.png');
    const r = spawnSync(process.execPath, [cli, 'erase', photo('coffee.png'), '--mask', await writeMask(mask, 'cli-mask.png'), '-o', out], {
      encoding: 'utf8',
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
    });
    expect(r.status, r.stderr).toBe(0);
    const { raster: written } = await openImage(out);
    const { raster: original } = await openImage(photo('coffee.png'));
    const plan = planInpaint(mask, { grow: 3, feather: 4 });
    expect(holeError(written, original, plan.weights.map((w) => (w === 0 ? 1 : 0)) as unknown as Uint8Array).psnr).toBe(Infinity);
  });
});

describe('adapters for the downloadable models, run through the real pipeline on stand-in networks', () => {
  const dir = join(tmp, 'standins');
  let standins: Engine;
  afterAll(() => standins?.dispose());

  async function catalogWithStandins(): Promise<string> {
    mkdirSync(join(dir, 'models'), { recursive: true });
    const files = { 'migan-pipeline-v2': miganLike([200, 100, 50]), lama: lamaLike([0.2, 0.4, 0.6]) };
    const catalog = JSON.parse(readFileSync(join(repoRoot, 'models', 'catalog.json'), 'utf8')) as {
      models: { id: string; file: string; sha256: string | null; bytes: number | null }[];
    };
    for (const [id, bytes] of Object.entries(files)) {
      const entry = catalog.models.find((m) => m.id === id)!;
      const path = join(dir, 'models', basename(entry.file));
      writeFileSync(path, bytes);
      entry.sha256 = await sha256File(path);
      entry.bytes = bytes.length;
    }
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
    return join(dir, 'catalog.json');
  }

  it('MI-GAN: uint8 in and out, 255 = keep; holes get the network’s fill in RGB order, known pixels stay', async () => {
    standins = testEngine({ catalogPath: await catalogWithStandins(), modelsDir: join(dir, 'models') });
    const mask = await fixedMask(451, 300, 0);
    const { raster: original } = await openImage(photo('chelsea.png'));
    const { render } = await erase(standins, photo('chelsea.png'), mask, { model: 'migan-pipeline-v2', feather: 0, texture: false });
    const plan = planInpaint(mask, { grow: 3, feather: 0 });
    for (let p = 0; p < plan.hole.bits.length; p++) {
      const got = [...render.data.subarray(p * 3, p * 3 + 3)];
      if (plan.hole.bits[p]) expect(got).toEqual([200, 100, 50]);
      else expect(got).toEqual([...original.data.subarray(p * 3, p * 3 + 3)]);
    }
  });

  it('LaMa: fixed 512×512 float, 1 = hole, not composited; the adapter resizes and composites', async () => {
    const mask = await fixedMask(640, 427, 3);
    const { raster: original } = await openImage(photo('rocket.jpg'));
    const { render } = await erase(standins, photo('rocket.jpg'), mask, { model: 'lama', feather: 0, texture: false });
    const plan = planInpaint(mask, { grow: 3, feather: 0 });
    let inside = 0;
    for (let p = 0; p < plan.hole.bits.length; p++) {
      const got = [...render.data.subarray(p * 3, p * 3 + 3)];
      if (!plan.hole.bits[p]) {
        expect(got).toEqual([...original.data.subarray(p * 3, p * 3 + 3)]);
        continue;
      }
      // Deep inside the hole (away from the resampled edge) the network's colour shows.
      const x = p % 640,
        y = Math.floor(p / 640);
      if ([-3, 3].every((d) => plan.hole.bits[(y + d) * 640 + x] && plan.hole.bits[y * 640 + x + d])) {
        inside++;
        got.forEach((v, k) => expect(Math.abs(v - [51, 102, 153][k]!)).toBeLessThanOrEqual(2));
      }
    }
    expect(inside).toBeGreaterThan(100);
  });
});

describe('Extend (outpaint)', () => {
  async function extend(file: string, params: object) {
    const doc = await engine.open(file);
    const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'extend', params));
    if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
    return { info: engine.document(doc.id).info(), render: await engine.document(doc.id).doc.render(), doc };
  }

  it.each([
    ['chelsea.png', { right: 200 }],
    ['coffee.png', { left: 120, right: 120 }],
    ['rocket.jpg', { bottom: 100, top: 60 }],
  ] as const)('%s %j: exact size, original pixels unchanged, no seam at the border', async (name, sides) => {
    const { raster: original } = await openImage(photo(name));
    const s = { left: 0, right: 0, top: 0, bottom: 0, ...sides };
    const { render, info } = await extend(photo(name), sides);
    expect([render.width, render.height]).toEqual([original.width + s.left + s.right, original.height + s.top + s.bottom]);
    expect(info.layers.map((l) => l.name)).toEqual([name, `Extend ${render.width}×${render.height}`]);
    for (let y = 0; y < original.height; y++) {
      const a = render.data.subarray(((y + s.top) * render.width + s.left) * 3, ((y + s.top) * render.width + s.left + original.width) * 3);
      if (
        digest({ ...original, height: 1, data: a }) !==
        digest({ ...original, height: 1, data: original.data.subarray(y * original.width * 3, (y + 1) * original.width * 3) })
      )
        throw new Error(`row ${y} changed`);
    }
    if (s.right > 0) {
      // The step across the old right edge, against the steps between the photo's own columns.
      const steps = columnSteps(render);
      const inside = [...steps.subarray(s.left + 1, s.left + original.width - 1)].sort((a, b) => a - b);
      const border = steps[s.left + original.width]!;
      expect(border).toBeLessThanOrEqual(inside[Math.floor(inside.length * 0.9)]!);
    }
  });

  it('to an aspect ratio from the CLI (4:3 → 16:9), growing in steps', async () => {
    const out = join(tmp, 'wide.png');
    const r = spawnSync(process.execPath, [cli, 'extend', photo('coffee.png'), '--aspect', '16:9', '-o', out], {
      encoding: 'utf8',
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await sharp(out).metadata()).toMatchObject({ width: 711, height: 400 });
  });

  it('undoes as one document step', async () => {
    const { doc } = await extend(photo('chelsea.png'), { left: 50 });
    await engine.document(doc.id).undo('document');
    expect(engine.document(doc.id).info()).toMatchObject({ width: 451, height: 300 });
    expect(engine.document(doc.id).info().layers).toHaveLength(1);
  });
});
