/**
 * Filling by copying: every filled pixel is one of the photo's own (never an average, so nothing
 * is smudged), taken from clear of the hole (not the erased object's rim), the photo outside the
 * hole is untouched, a stripe pattern that runs into the hole goes on in phase, and a cancel stops it.
 */
import { describe, expect, it } from 'vitest';
import { boxHole } from '../support/holes.js';
import { synthesizeByCopy } from '../../electron/engine/images/copy-synthesis.js';
import { CancelledError } from '../../electron/engine/errors.js';

function noisyStripes(w: number, h: number, seed = 5, period = 12): Float32Array {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const px = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = (x % period < period / 2 ? 0.25 : 0.75) + (rand() - 0.5) * 0.1;
      for (let k = 0; k < 3; k++) px[(y * w + x) * 3 + k] = Math.round(v * (k === 1 ? 0.9 : 1) * 255) / 255;
    }
  return px;
}

describe('synthesizeByCopy', () => {
  const [w, h] = [120, 100];
  const hole = boxHole(w, h, 40, 30, 80, 70);
  const colours = (out: Float32Array, x: number, y: number) => [0, 1, 2].map((k) => out[(y * w + x) * 3 + k]!);

  it('copies pixels of the photo, leaves the rest as it was, and keeps stripes that run into the hole in phase', async () => {
    const pixels = noisyStripes(w, h);
    const out = await synthesizeByCopy({ width: w, height: h, pixels, hole });
    const photo = new Set<string>();
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (!hole[y * w + x]) {
          expect(colours(out, x, y)).toEqual(colours(pixels, x, y));
          photo.add(colours(out, x, y).join());
        }
    let inPhase = 0;
    for (let y = 30; y < 70; y++)
      for (let x = 40; x < 80; x++) {
        const rgb = colours(out, x, y);
        expect(photo.has(rgb.join()), `pixel (${x}, ${y}) is one of the photo's`).toBe(true);
        if (rgb[0]! < 0.5 === x % 12 < 6) inPhase++;
      }
    expect(inPhase / (40 * 40), 'pixels on the right stripe').toBeGreaterThan(0.9);
  });

  it('does not copy what borders the hole (an erased object’s halo) back into it', async () => {
    const pixels = noisyStripes(w, h);
    for (let y = 26; y < 74; y++) for (let x = 36; x < 84; x++) if (!hole[y * w + x]) for (let k = 0; k < 3; k++) pixels[(y * w + x) * 3 + k] = 1;
    const out = await synthesizeByCopy({ width: w, height: h, pixels, hole });
    for (let y = 30; y < 70; y++) for (let x = 40; x < 80; x++) expect(colours(out, x, y), `pixel (${x}, ${y})`).not.toEqual([1, 1, 1]);
  });

  it('fills a hole too large to copy pixel by pixel at half size, still with the photo’s own pixels, in phase, and without the halo', async () => {
    // 300×270 is more than 128² pixels: copied at half size, each pixel from its half-size pixel's
    // source. Stripes of 7 px: a pixel taken from the wrong place in its source's 2×2 block lands on
    // the wrong stripe at every other edge.
    const [W, H] = [420, 390];
    const big = boxHole(W, H, 60, 60, 360, 330);
    const at = (rgb: Float32Array, x: number, y: number) => [0, 1, 2].map((k) => rgb[(y * W + x) * 3 + k]!).join();
    const pixels = noisyStripes(W, H, 9, 14);
    const out = await synthesizeByCopy({ width: W, height: H, pixels, hole: big });
    const photo = new Set<string>();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (!big[y * W + x]) photo.add(at(pixels, x, y));
    let inPhase = 0;
    for (let y = 60; y < 330; y++)
      for (let x = 60; x < 360; x++) {
        expect(photo.has(at(out, x, y)), `pixel (${x}, ${y}) is one of the photo's`).toBe(true);
        if (out[(y * W + x) * 3]! < 0.5 === x % 14 < 7) inPhase++;
      }
    expect(inPhase / (300 * 270), 'pixels on the right stripe').toBeGreaterThan(0.97);

    for (let y = 56; y < 334; y++) for (let x = 56; x < 364; x++) if (!big[y * W + x]) for (let k = 0; k < 3; k++) pixels[(y * W + x) * 3 + k] = 1;
    const withHalo = await synthesizeByCopy({ width: W, height: H, pixels, hole: big });
    for (let y = 60; y < 330; y++) for (let x = 60; x < 360; x++) expect(at(withHalo, x, y), `pixel (${x}, ${y})`).not.toBe('1,1,1');
  });

  it('is the same every time, and a cancel stops it', async () => {
    const pixels = noisyStripes(w, h);
    const [a, b] = [await synthesizeByCopy({ width: w, height: h, pixels, hole }), await synthesizeByCopy({ width: w, height: h, pixels, hole })];
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const big = boxHole(200, 200, 30, 30, 170, 170);
    const abort = new AbortController();
    abort.abort();
    await expect(synthesizeByCopy({ width: 200, height: 200, pixels: noisyStripes(200, 200), hole: big, signal: abort.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
