/**
 * Where the quality harness puts its holes, found in each photo by measure rather than placed by
 * hand, so no photo is tuned for: over background (the calmest place), across a straight edge
 * (the most line-like strong edge), across a curved edge or an object's boundary (strong, not
 * line-like) and around a whole object (the most salient blob). Each pick keeps clear of the
 * earlier ones.
 */
import { gaussianBlurPlane } from '../../electron/engine/images/blur.js';
import type { Raster } from '../../electron/engine/images/raster.js';
import { SummedArea } from '../../electron/engine/images/summed-area.js';
import { luma } from '../support/metrics.js';

export type MaskKind = 'background' | 'straight edge' | 'curved edge' | 'object';
export const MASK_KINDS: MaskKind[] = ['background', 'straight edge', 'curved edge', 'object'];

export interface HoleCase {
  kind: MaskKind;
  /** 1 where the fill goes. */
  hole: Uint8Array;
  centre: [number, number];
}

/** Means over square windows in O(1) each. */
class WindowMeans extends SummedArea {
  /** Mean over the window of half-size r at (x, y) (the caller keeps it inside the image). */
  mean(x: number, y: number, r: number): number {
    return this.sum(x - r, y - r, x + r + 1, y + r + 1) / ((2 * r + 1) * (2 * r + 1));
  }
}

/** The four holes of a photo; `size` is the hole's side (about an eighth of the photo's short side). */
export function holesFor(photo: Raster): HoleCase[] {
  const { width: w, height: h } = photo;
  const size = Math.round(Math.min(w, h) / 8);
  const y = gaussianBlurPlane(luma(photo), w, h, 1);
  const gxx = new Float32Array(w * h),
    gxy = new Float32Array(w * h),
    gyy = new Float32Array(w * h),
    mag = new Float32Array(w * h);
  for (let j = 1; j < h - 1; j++)
    for (let i = 1; i < w - 1; i++) {
      const p = j * w + i;
      const gx = (y[p + 1]! - y[p - 1]!) / 2,
        gy = (y[p + w]! - y[p - w]!) / 2;
      [gxx[p], gxy[p], gyy[p], mag[p]] = [gx * gx, gx * gy, gy * gy, Math.hypot(gx, gy)];
    }
  const [Ixx, Ixy, Iyy, Imag] = [new WindowMeans(gxx, w, h), new WindowMeans(gxy, w, h), new WindowMeans(gyy, w, h), new WindowMeans(mag, w, h)];
  // A blob: what differs from its wider surroundings (difference of Gaussians at the hole's scale).
  const fine = gaussianBlurPlane(y, w, h, size / 6);
  const wide = gaussianBlurPlane(y, w, h, size / 2);
  const saliency = fine.map((v, p) => Math.abs(v - wide[p]!));
  const r = Math.round(size / 2);
  const margin = size + 2;
  const picks: [number, number][] = [];
  const clear = (x: number, yy: number) => picks.every(([px, py]) => Math.hypot(px - x, py - yy) > 1.5 * size);
  const best = (score: (x: number, y: number) => number): [number, number] => {
    let top = -Infinity;
    let at: [number, number] = [Math.round(w / 2), Math.round(h / 2)];
    for (let yy = margin; yy < h - margin; yy += 2)
      for (let x = margin; x < w - margin; x += 2) {
        if (!clear(x, yy)) continue;
        const s = score(x, yy);
        if (s > top) [top, at] = [s, [x, yy]];
      }
    picks.push(at);
    return at;
  };
  const coherence = (x: number, yy: number, rad: number) => {
    const [a, b, c] = [Ixx.mean(x, yy, rad), Ixy.mean(x, yy, rad), Iyy.mean(x, yy, rad)];
    const e = a + c;
    return { energy: e, coherence: e > 0 ? (Math.sqrt((a - c) ** 2 + 4 * b * b) / e) ** 2 : 0 };
  };
  const straight = best((x, yy) => {
    const c = coherence(x, yy, size);
    return c.energy * c.coherence ** 2;
  });
  const curved = best((x, yy) => {
    const c = coherence(x, yy, r);
    return c.coherence < 0.5 ? Imag.mean(x, yy, r) : -Infinity;
  });
  const object = best((x, yy) => saliency[yy * w + x]!);
  const background = best((x, yy) => -Imag.mean(x, yy, r));
  const disc = ([cx, cy]: [number, number], radius: number) => {
    const hole = new Uint8Array(w * h);
    for (let j = Math.max(0, cy - radius); j <= Math.min(h - 1, cy + radius); j++)
      for (let i = Math.max(0, cx - radius); i <= Math.min(w - 1, cx + radius); i++) if (Math.hypot(i - cx, j - cy) <= radius) hole[j * w + i] = 1;
    return hole;
  };
  const box = ([cx, cy]: [number, number], half: number) => {
    const hole = new Uint8Array(w * h);
    for (let j = cy - half; j <= cy + half; j++) hole.fill(1, j * w + cx - half, j * w + cx + half + 1);
    return hole;
  };
  return [
    { kind: 'background', hole: disc(background, r), centre: background },
    { kind: 'straight edge', hole: box(straight, r), centre: straight },
    { kind: 'curved edge', hole: disc(curved, r), centre: curved },
    { kind: 'object', hole: disc(object, Math.round(size * 0.6)), centre: object },
  ];
}
