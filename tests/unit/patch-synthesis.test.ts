/**
 * Texture by patches, held to a guide: with a bound on how busy a patch may be, a border whose
 * guide is sky blended with a lit girder takes the sky's patches, not the girder's.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../electron/engine/images/seeded-random.js';
import { synthesizeTexture } from '../../electron/engine/images/patch-synthesis.js';

const [w, h] = [96, 64];
const SKY = [0.12, 0.2, 0.4];
const GIRDER = 0.95;
const girderAt = (x: number) => x % 24 === 5;

/** Dark blue sky with a little noise and a few thin bright girders on the left; the right half is the border. */
function skyWithGirders(): { pixels: Float32Array; hole: Uint8Array; guide: Float32Array } {
  const rand = seededRandom(3);
  const pixels = new Float32Array(w * h * 3);
  const hole = new Uint8Array(w * h);
  const guide = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const border = x >= w / 2;
      hole[p] = border ? 1 : 0;
      for (let k = 0; k < 3; k++) {
        pixels[p * 3 + k] = !border && girderAt(x) ? GIRDER : SKY[k]! + (rand() - 0.5) * 0.04;
        // The border's broad colour is a patch's mean with one girder in it: the colours Extend
        // stretches out blend a lit girder into the sky beside it.
        guide[p * 3 + k] = border ? SKY[k]! + (GIRDER - SKY[k]!) / 7 : SKY[k]!;
      }
    }
  return { pixels, hole, guide };
}

const girderPixels = (out: Float32Array) => {
  let n = 0;
  for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) if (out[(y * w + x) * 3]! > 0.7) n++;
  return n;
};

describe('synthesizeTexture', () => {
  it('copies no girder into a calm border when patches may bring at most five times the typical contrast, as in Extend', async () => {
    const input = { width: w, height: h, ...skyWithGirders() };
    const free = girderPixels(await synthesizeTexture(input));
    const calm = girderPixels(await synthesizeTexture({ ...input, busiest: 5 }));
    expect(free).toBeGreaterThan(20);
    expect(calm).toBe(0);
  });
});
