/**
 * The smooth fill: a hole in a plane of colour (a linear ramp) is filled with that plane, and a
 * large hole solved on a thread of its own gives the very same pixels as on the caller's thread;
 * a cancel stops that thread.
 */
import { describe, expect, it } from 'vitest';
import { boxHole } from '../support/holes.js';
import { CancelledError } from '../../electron/engine/errors.js';
import { harmonicFill } from '../../electron/engine/images/harmonic.js';
import { harmonicFillAside } from '../../electron/engine/images/harmonic-aside.js';

function ramp(w: number, h: number): Float32Array {
  const px = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      px[(y * w + x) * 3] = x / w;
      px[(y * w + x) * 3 + 1] = y / h;
      px[(y * w + x) * 3 + 2] = 0.5 * (x / w) + 0.25 * (y / h);
    }
  return px;
}

describe('harmonicFill', () => {
  it('fills a hole in a ramp with the ramp', () => {
    const [w, h] = [160, 120];
    const pixels = ramp(w, h);
    const hole = boxHole(w, h, 40, 30, 120, 90);
    const out = harmonicFill(
      Float32Array.from(pixels, (v, i) => (hole[Math.floor(i / 3)] ? 0 : v)),
      w,
      h,
      hole,
    );
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - pixels[i]!));
    expect(worst).toBeLessThan(0.01);
  });

  it('gives the same pixels on a thread of its own for a large hole, and a cancel stops that thread', async () => {
    const [w, h] = [300, 260];
    const pixels = ramp(w, h).map((v, i) => v + 0.05 * Math.sin(i * 0.37));
    const hole = boxHole(w, h, 50, 40, 250, 220); // 200×180: past the size that goes aside
    const here = harmonicFill(pixels, w, h, hole);
    const aside = await harmonicFillAside({ pixels, width: w, height: h, hole });
    expect(Buffer.from(aside.buffer).equals(Buffer.from(here.buffer))).toBe(true);
    const cancel = new AbortController();
    const running = harmonicFillAside({ pixels, width: w, height: h, hole }, cancel.signal);
    cancel.abort();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
  });
});
