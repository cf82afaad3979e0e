/**
 * Erase and Extend continue what crosses the hole: synthetic photos whose structure is known
 * exactly (a straight line and a circle over a noise texture, a horizon and a slanted edge at a
 * border), so the continued edge can be held to within a few pixels of where it truly runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { allocRaster, cropRaster, sharpInput, type Raster } from '../../electron/engine/images/raster.js';
import { testEngine } from '../support/engine.js';
import { boxHole } from '../support/holes.js';
import { holeError, luma, mirrorCorrelation, seamStep } from '../support/metrics.js';
import { photo } from '../support/paths.js';
import { rasterOf } from '../support/rasters.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const dir = mkdtempSync(join(tmpdir(), 'ganvas-structure-'));

/** A mid-grey noise texture (σ 12 levels, a little correlated), with `ink(x, y)` (0..1) darkening it. */
function scene(width: number, height: number, ink: (x: number, y: number) => number, seed = 3): Raster {
  const r = allocRaster(width, height, 3, 8);
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 2;
  let prev = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      prev = 0.5 * prev + rand() * 12;
      const v = (170 + prev) * (1 - 0.75 * ink(x, y));
      for (let c = 0; c < 3; c++) r.data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v * (c === 2 ? 0.9 : 1))));
    }
  return r;
}

async function save(r: Raster, name: string): Promise<string> {
  const file = join(dir, name);
  await sharp(...sharpInput(r))
    .png()
    .toFile(file);
  return file;
}

async function erase(image: Raster, hole: { x: number; y: number; width: number; height: number }): Promise<Raster> {
  const doc = await engine.open(await save(image, `scene-${hole.x}-${hole.y}.png`));
  await engine.document(doc.id).selectShape({ kind: 'rect', rect: hole }, 255);
  const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'erase', {}));
  expect(end.type, JSON.stringify(end)).toBe('job-done');
  const result = engine.document(doc.id).doc.layers.at(-1)!.raster;
  await engine.close(doc.id);
  return result;
}

async function extend(image: Raster, right: number): Promise<Raster> {
  const doc = await engine.open(await save(image, `extend-${image.width}-${right}.png`));
  const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'extend', { right }));
  expect(end.type, JSON.stringify(end)).toBe('job-done');
  const result = engine.document(doc.id).doc.layers.at(-1)!.raster;
  await engine.close(doc.id);
  return result;
}

/** Erases a box from one of the shared photos: how far the result is from the photo in the box. */
async function erasedPhotoError(name: string, hole: Parameters<typeof erase>[1]): Promise<{ psnr: number; mae: number }> {
  const image = await rasterOf(photo(name));
  const result = await erase(image, hole);
  return holeError(result, image, boxHole(image.width, image.height, hole.x, hole.y, hole.x + hole.width, hole.y + hole.height));
}

/** The mean of the 3×3 pixels around (x, y) of a luma plane `width` wide. */
function mean3x3(luma: Float32Array, width: number, x: number, y: number): number {
  let s = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += luma[(y + dy) * width + x + dx]!;
  return s / 9;
}

/** Along a column, the row where the (smoothed) luma is darkest between `from` and `to`, and how much darker it is than the median there. */
function darkest(y: Float32Array, width: number, x: number, from: number, to: number): { at: number; depth: number } {
  const values: number[] = [];
  let at = from;
  for (let j = from; j < to; j++) {
    const v = (y[(j - 1) * width + x]! + y[j * width + x]! + y[(j + 1) * width + x]!) / 3;
    values.push(v);
    if (v < values[at - from]!) at = j;
  }
  const median = [...values].sort((a, b) => a - b)[values.length >> 1]!;
  return { at, depth: median - values[at - from]! };
}

describe('Erase carries a line through the hole', () => {
  it('a straight 4 px line at 20° across a 60 px hole comes out at its true place and angle', async () => {
    const [w, h] = [200, 160];
    const slope = Math.tan((20 * Math.PI) / 180);
    const centre = (x: number) => 40 + x * slope;
    const image = scene(w, h, (x, y) => (Math.abs(y - centre(x)) <= 2 ? 1 : 0));
    const hole = { x: 70, y: 40, width: 60, height: 60 };
    const result = luma(await erase(image, hole));
    const truth = luma(image);
    for (let x = hole.x + 4; x < hole.x + hole.width - 4; x += 4) {
      const found = darkest(result, w, x, hole.y + 2, hole.y + hole.height - 2);
      const real = darkest(truth, w, x, hole.y + 2, hole.y + hole.height - 2);
      expect(Math.abs(found.at - centre(x)), `column ${x}: the line at ${found.at}, truly at ${centre(x).toFixed(1)}`).toBeLessThanOrEqual(2);
      // As dark as the line is outside the hole: continued, not smeared into a grey ramp.
      expect(found.depth, `column ${x}`).toBeGreaterThan(0.6 * real.depth);
    }
  });

  it('a circle’s arc crossing the hole keeps to the circle', async () => {
    const [w, h] = [220, 220];
    const [cx, cy, radius] = [110, 110, 70];
    const image = scene(w, h, (x, y) => (Math.abs(Math.hypot(x - cx, y - cy) - radius) <= 2 ? 1 : 0), 11);
    // Over the circle's top: the arc enters on the left of the hole and leaves on the right.
    const hole = { x: 80, y: 25, width: 60, height: 40 };
    const result = luma(await erase(image, hole));
    for (let x = hole.x + 4; x < hole.x + hole.width - 4; x += 4) {
      const truthY = cy - Math.sqrt(radius * radius - (x - cx) ** 2);
      const found = darkest(result, w, x, hole.y + 2, hole.y + hole.height - 2);
      expect(Math.abs(found.at - truthY), `column ${x}: the arc at ${found.at}, truly at ${truthY.toFixed(1)}`).toBeLessThanOrEqual(3);
      expect(found.depth, `column ${x}`).toBeGreaterThan(40);
    }
  });

  it('a long edge whose foot shows only briefly below the hole, in another light, is still carried down to it', async () => {
    // A rocket's side on a launch pad: followed far above the hole, below it only 16 px of it show
    // before the pad, under a lamp's glow that changes both its sides' colours.
    const [w, h] = [160, 160];
    const image = scene(w, h, (x, y) => (y >= 120 ? 0.4 : x >= 70 && x < 80 ? 1 : 0), 17);
    for (let y = 104; y < 120; y++)
      for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) image.data[(y * w + x) * 3 + c] = Math.min(255, image.data[(y * w + x) * 3 + c]! + 45);
    const hole = { x: 50, y: 50, width: 60, height: 52 };
    const result = luma(await erase(image, hole));
    const truth = luma(image);
    for (let y = hole.y + 4; y < hole.y + hole.height - 4; y += 6) {
      const across = (image: Float32Array) => {
        const row = Array.from({ length: hole.width - 4 }, (_, i) => hole.x + 2 + i).map(
          (x) => (image[y * w + x - 1]! + image[y * w + x]! + image[y * w + x + 1]!) / 3,
        );
        const darkest = Math.min(...row);
        return { at: hole.x + 2 + row.indexOf(darkest), depth: [...row].sort((a, b) => a - b)[row.length >> 1]! - darkest };
      };
      const [found, real] = [across(result), across(truth)];
      expect(Math.abs(found.at - 74.5), `row ${y}: the bar at ${found.at}`).toBeLessThanOrEqual(4);
      // Darker than the ground beside it, as the bar is: carried on, not faded into it.
      expect(found.depth, `row ${y}`).toBeGreaterThan(0.4 * real.depth);
    }
  });

  // The corner's two edges meet at a right angle inside the hole, so neither has a partner to be
  // drawn to: what fills the hole must come from the photo around it, copied, not blended. Also in
  // a hole 36 px across, whose middle is 20 px from the photo: a smooth fill there was a glow of the
  // object's colour, and the patches held to it a mane of its fragments.
  it.each([60, 36])('over an object’s corner, each side’s texture stays on its side: no smudge between them (a %i px hole)', async (size) => {
    const [w, h] = [200, 200];
    const inObject = (x: number, y: number) => x < 100 && y >= 100;
    const image = scene(w, h, (x, y) => (inObject(x, y) ? 1 : 0), 7);
    const hole = { x: 100 - size / 2, y: 100 - size / 2, width: size, height: size };
    const result = luma(await erase(image, hole));
    const truth = luma(image);
    const mean3 = (y: Float32Array, x: number, j: number) => mean3x3(y, w, x, j);
    const [light, dark] = [mean3(truth, 150, 50), mean3(truth, 50, 150)];
    let [agree, between, all] = [0, 0, 0];
    for (let j = hole.y + 3; j < hole.y + hole.height - 3; j++)
      for (let x = hole.x + 3; x < hole.x + hole.width - 3; x++) {
        const v = mean3(result, x, j);
        all++;
        if (v < (light + dark) / 2 === inObject(x, j)) agree++;
        // A smudge: neither the light ground nor the dark object, but a blend of the two.
        if (Math.abs(v - (light + dark) / 2) < (light - dark) / 4) between++;
      }
    expect(agree / all, 'pixels on the right side of the corner').toBeGreaterThanOrEqual(0.85);
    expect(between / all, 'pixels halfway between the two sides').toBeLessThanOrEqual(0.1);
  });

  // A helmet's rim against a black box on one side of the hole and a grey wall on the other: the
  // rim's own side is the same at both ends, what is behind it is not. Its ends point about 35° off
  // the line between them (a round object), so neither is straight enough to be taken at its word.
  it('an object’s rounded edge goes on through the hole where what is behind it changes', async () => {
    const [w, h] = [200, 200];
    const inObject = (x: number, y: number) => (x - 100) ** 2 + (y - 170) ** 2 < 60 ** 2;
    const behind = (x: number) => (x < 100 ? 0.5 : 1);
    const image = scene(w, h, (x, y) => (inObject(x, y) ? 0 : behind(x)), 5);
    const hole = { x: 84, y: 94, width: 32, height: 32 };
    const result = luma(await erase(image, hole));
    const truth = luma(image);
    const mean3 = (y: Float32Array, x: number, j: number) => mean3x3(y, w, x, j);
    const object = mean3(truth, 100, 150);
    let [agree, between, all] = [0, 0, 0];
    for (let j = hole.y + 3; j < hole.y + hole.height - 3; j++)
      for (let x = hole.x + 3; x < hole.x + hole.width - 3; x++) {
        if (Math.abs(Math.hypot(x - 100, j - 170) - 60) < 3) continue;
        const background = mean3(truth, x < 100 ? 40 : 160, 40);
        const v = mean3(result, x, j);
        all++;
        if (Math.abs(v - object) < Math.abs(v - background) === inObject(x, j)) agree++;
        // A smudge: neither the object nor what is behind it, but a blend of the two.
        if (Math.abs(v - (object + background) / 2) < (object - background) / 4) between++;
      }
    expect(agree / all, 'pixels on the right side of the rim').toBeGreaterThanOrEqual(0.95);
    expect(between / all, 'pixels halfway between the object and what is behind it').toBeLessThanOrEqual(0.1);
  });

  // The roof line matches itself across the hole on both sides; a window's edge below it matches
  // its right end on one side only, and pointing at it more nearly, took it when joins by one side
  // ranked with the rest: the roof was cut by a diagonal (27.8 levels off in the hole; 17.3 now).
  it('on a photo at night, a bus’s roof line goes on through a 36 px hole, not cut by a window’s edge', async () => {
    const { mae } = await erasedPhotoError('lowlight/sci_difficult_2015_02057.jpg', { x: 345, y: 165, width: 36, height: 36 });
    expect(mae, 'mean difference from the photo in the hole (levels)').toBeLessThanOrEqual(22);
  });

  it('coffee.png: the saucer rim’s highlight goes on through a hole across it', async () => {
    const { psnr } = await erasedPhotoError('coffee.png', { x: 131, y: 313, width: 51, height: 51 });
    // Drawn along both of its sides, it was a pale band 8 px wide: 20.1 dB.
    expect(psnr, 'PSNR in the hole (dB)').toBeGreaterThan(21);
  });

  it('pixels outside the hole and its feathered edge stay bit-identical', async () => {
    const image = scene(160, 120, (x, y) => (Math.abs(y - 30 - x * 0.3) <= 2 ? 1 : 0), 5);
    const hole = { x: 60, y: 30, width: 40, height: 40 };
    const result = await erase(image, hole);
    const reach = 16;
    for (let y = 0; y < image.height; y++)
      for (let x = 0; x < image.width; x++) {
        const near = x >= hole.x - reach && x < hole.x + hole.width + reach && y >= hole.y - reach && y < hole.y + hole.height + reach;
        if (near) continue;
        for (let c = 0; c < 3; c++) expect(result.data[(y * image.width + x) * 3 + c]).toBe(image.data[(y * image.width + x) * 3 + c]);
      }
  });
});

describe('Extend continues the photo instead of reflecting it', () => {
  it('a horizon goes on at its height, and a slanted edge goes on in its direction, not back as a V', async () => {
    const [w, h] = [160, 140];
    // Dark ground below row 100; a dark bar rising at 25° towards the right edge, ending at it.
    const slope = Math.tan((25 * Math.PI) / 180);
    const bar = (x: number) => 80 - (x - 60) * slope;
    const image = scene(w, h, (x, y) => (y >= 100 ? 1 : x >= 60 && Math.abs(y - bar(x)) <= 2 ? 1 : 0), 9);
    const grown = await extend(image, 60);
    const y = luma(grown);
    for (const x of [w + 10, w + 30, w + 55]) {
      // The horizon: the step from sky to ground stays at row 100.
      let step = 0,
        at = 0;
      for (let j = 85; j < 115; j++) {
        const d = y[(j - 2) * grown.width + x]! - y[(j + 2) * grown.width + x]!;
        if (d > step) [step, at] = [d, j];
      }
      expect(Math.abs(at - 100), `column ${x}: horizon at ${at}`).toBeLessThanOrEqual(3);
    }
    expect(mirrorCorrelation(grown, w)).toBeLessThanOrEqual(0.3);
    // The bar goes on rising; a reflection would send it back down.
    for (const x of [w + 6, w + 14, w + 24]) {
      const found = darkest(y, grown.width, x, 5, 95);
      expect(Math.abs(found.at - bar(x)), `column ${x}: bar at ${found.at}, its line at ${bar(x).toFixed(1)}`).toBeLessThanOrEqual(3);
    }
  });

  it('two edges that would cross in the border do not: the one seen shorter ends where it meets the other', async () => {
    // Whiskers, rails and branches that converge at the old edge: drawn on straight both, they made
    // an X in the border (chelsea.png). Bar A runs the photo's whole width falling to the right,
    // bar B half of it rising; their lines would cross 21 px out.
    const [w, h] = [160, 140];
    const slope = Math.tan((25 * Math.PI) / 180);
    const a = (x: number) => 60 - (159 - x) * slope;
    const b = (x: number) => 80 + (159 - x) * slope;
    const image = scene(w, h, (x, y) => (Math.abs(y - a(x)) <= 2 || (x >= 80 && Math.abs(y - b(x)) <= 2) ? 1 : 0), 13);
    const grown = await extend(image, 80);
    const y = luma(grown);
    for (const x of [w + 6, w + 12]) {
      const found = darkest(y, grown.width, x, 40, 100);
      expect(found.depth, `column ${x}: before they meet, a line`).toBeGreaterThan(30);
    }
    // Past the meeting, A goes on and B does not come out on A's other side.
    for (const x of [w + 40, w + 50, w + 60]) {
      const onA = darkest(y, grown.width, x, Math.round(a(x)) - 4, Math.round(a(x)) + 5);
      const onB = darkest(y, grown.width, x, Math.round(b(x)) - 4, Math.round(b(x)) + 5);
      expect(onA.depth, `column ${x}: A at ${a(x).toFixed(1)}`).toBeGreaterThan(30);
      expect(onB.depth, `column ${x}: B would be at ${b(x).toFixed(1)}`).toBeLessThan(15);
    }
    // Above A, clear of both lines, the border is as plain as the photo's plain ground: no
    // embossed copies of the bars (patches taken for their texture once brought them along).
    const contrast = (image: Float32Array, width: number, x0: number, x1: number, y0: number, y1: number) => {
      const v: number[] = [];
      for (let j = y0; j < y1; j++) for (let x = x0; x < x1; x++) v.push((image[j * width + x - 1]! + image[j * width + x]! + image[j * width + x + 1]!) / 3);
      const mean = v.reduce((s, e) => s + e, 0) / v.length;
      return Math.sqrt(v.reduce((s, e) => s + (e - mean) ** 2, 0) / v.length);
    };
    const plain = contrast(luma(image), w, 20, 60, 100, 135);
    expect(contrast(y, grown.width, w + 20, w + 75, 5, 40), `the photo's plain ground: ${plain.toFixed(1)}`).toBeLessThan(1.5 * plain);
  });

  it('what the old edge cuts narrowly fades out instead of being spread into a pale cone (coffee.png’s cup and spoon)', async () => {
    const whole = await rasterOf(photo('coffee.png'));
    const kept = 400;
    const grown = await extend(cropRaster(whole, { x: 0, y: 0, width: kept, height: whole.height }), whole.width - kept);
    const border = new Uint8Array(whole.width * whole.height).map((_, p) => (p % whole.width >= kept ? 1 : 0));
    // Spread into a cone, the 15 lines of the cup's side and the spoon's handle at the edge made the
    // border 15.3 dB off the photo's wood and saucer; fading out, 16.0.
    expect(holeError(grown, whole, border).psnr).toBeGreaterThan(15.7);
    // Where the cone was brightest, 16–66 px out beside the cup's rim: 197 levels of luma then, 182 now, the wood's 133.
    const y = luma(grown);
    let sum = 0;
    for (let j = 80; j < 130; j++) for (let x = kept + 16; x < kept + 66; x++) sum += y[j * grown.width + x]!;
    expect(sum / (50 * 50)).toBeLessThan(190);
  });

  it('on photos, the border does not correlate with the photo mirrored across the old edge, and has no seam', async () => {
    // rocket.jpg cut to two thirds of its width ends in a launch lamp's flare: the border must take it up, not cut it off.
    for (const [name, keep] of [
      ['coffee.png', 1],
      ['rocket.jpg', 1],
      ['rocket.jpg', 2 / 3],
    ] as const) {
      const whole = await rasterOf(photo(name));
      const image = cropRaster(whole, { x: 0, y: 0, width: Math.round(whole.width * keep), height: whole.height });
      const grown = await extend(image, Math.round(image.width / 2));
      const where = `${name} (${image.width} px wide)`;
      expect(mirrorCorrelation(grown, image.width), where).toBeLessThanOrEqual(0.3);
      expect(seamStep(grown, image.width), where).toBeLessThanOrEqual(1.5);
    }
  });
});
