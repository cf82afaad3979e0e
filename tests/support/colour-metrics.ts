/** Measures of colour fidelity: clipping, colour cast, chroma fringes at edges, and a network's grid pattern. */
import type { Raster } from '../../electron/engine/images/raster.js';
import { SummedArea } from '../../electron/engine/images/summed-area.js';

/** Colour (0..1) of every pixel as three planes; a grey raster gives three equal planes. */
function planes(r: Raster): [Float32Array, Float32Array, Float32Array] {
  const n = r.width * r.height;
  const k = 1 / (r.depth === 16 ? 65535 : 255);
  const out: [Float32Array, Float32Array, Float32Array] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const grey = r.channels <= 2;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c]![p] = r.data[p * r.channels + (grey ? 0 : c)]! * k;
  return out;
}

/** Share of pixels with any colour channel at the top of the scale. */
export function clippedShare(r: Raster): number {
  const top = r.depth === 16 ? 65535 : 255;
  const cc = r.channels <= 2 ? 1 : 3;
  let n = 0;
  for (let p = 0; p < r.width * r.height; p++)
    for (let c = 0; c < cc; c++)
      if (r.data[p * r.channels + c]! >= top) {
        n++;
        break;
      }
  return n / (r.width * r.height);
}

/** The mean of each colour channel (0..1) and the cast: their spread (max − min) ÷ their mean. */
export function colourCast(r: Raster): { means: number[]; cast: number } {
  const means = planes(r).map((p) => p.reduce((a, b) => a + b, 0) / p.length);
  const mean = (means[0]! + means[1]! + means[2]!) / 3;
  return { means, cast: mean > 0 ? (Math.max(...means) - Math.min(...means)) / mean : 0 };
}

/**
 * Chroma fringes: across the original's strongest luminance edges (the top 2 % of its gradient,
 * where both sides are clear of black), the step in chromaticity (R and G ÷ R + G + B), in
 * `result` ÷ the same in `original`. Brightening a pixel as a whole keeps its chromaticity, so a
 * result without fringes is near 1 however much it lifted; a channel running ahead of the others
 * at an edge (a red or yellow fringe) raises it.
 */
export function chromaFringe(original: Raster, result: Raster): number {
  const w = original.width;
  const h = original.height;
  const chromaticity = (r: Raster) => {
    const [R, G, B] = planes(r);
    const sum = new Float32Array(w * h);
    const cr = new Float32Array(w * h);
    const cg = new Float32Array(w * h);
    for (let p = 0; p < w * h; p++) {
      sum[p] = R[p]! + G[p]! + B[p]!;
      cr[p] = R[p]! / Math.max(sum[p]!, 1e-6);
      cg[p] = G[p]! / Math.max(sum[p]!, 1e-6);
    }
    return { sum, cr, cg };
  };
  const a = chromaticity(original);
  const b = chromaticity(result);
  const Y = luma8(original);
  const step = (plane: Float32Array, p: number) => Math.hypot(plane[p + 1]! - plane[p - 1]!, plane[p + w]! - plane[p - w]!);
  const edges: { p: number; strength: number }[] = [];
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      const clear = [p - 1, p + 1, p - w, p + w].every((q) => a.sum[q]! > 0.15 && b.sum[q]! > 0.15);
      if (clear) edges.push({ p, strength: step(Y, p) });
    }
  edges.sort((u, v) => v.strength - u.strength);
  let before = 0;
  let after = 0;
  for (const { p } of edges.slice(0, Math.max(1, Math.floor(((w - 2) * (h - 2)) / 50)))) {
    before += Math.hypot(step(a.cr, p), step(a.cg, p));
    after += Math.hypot(step(b.cr, p), step(b.cg, p));
  }
  return before > 0 ? after / before : 1;
}

/** Rec. 601 luma, 0..1. */
function luma8(r: Raster): Float32Array {
  const [R, G, B] = planes(r);
  return R.map((v, p) => 0.299 * v + 0.587 * G[p]! + 0.114 * B[p]!);
}

/**
 * How much of an image's fine detail repeats every `period` pixels: in blocks of four periods
 * square, each colour channel's detail (the pixel minus the mean of the period-square around it)
 * is averaged at each position within the period — the block's Fourier power at the period and
 * its harmonics — and that power is divided by the detail's whole power. Detail with no pattern
 * gives 1/16 (the four-by-four repeats averaging out); a network's upsampling grid raises it
 * towards 1. Being a share, it compares a painting with the photo it came from however much
 * detail each has.
 */
export function periodicShare(r: Raster, period: number): number {
  const w = r.width;
  const h = r.height;
  const block = 4 * period;
  const repeats = (block / period) ** 2;
  let total = 0;
  let blocks = 0;
  for (const plane of planes(r)) {
    const sums = new SummedArea(plane, w, h);
    const half = period >> 1;
    const detail = (x: number, y: number) => {
      const [x0, y0] = [Math.max(0, x - half), Math.max(0, y - half)];
      const [x1, y1] = [Math.min(w, x0 + period), Math.min(h, y0 + period)];
      return plane[y * w + x]! - sums.sum(x0, y0, x1, y1) / ((x1 - x0) * (y1 - y0));
    };
    const phase = new Float64Array(period * period);
    for (let by = 0; by + block <= h; by += block)
      for (let bx = 0; bx + block <= w; bx += block) {
        phase.fill(0);
        let energy = 0;
        for (let y = by; y < by + block; y++)
          for (let x = bx; x < bx + block; x++) {
            const d = detail(x, y);
            phase[(y % period) * period + (x % period)]! += d;
            energy += d * d;
          }
        // A flat block (sky, a wall) has no detail to share out.
        if (energy / (block * block) < 1e-6) continue;
        let periodic = 0;
        for (const v of phase) periodic += (v / repeats) ** 2 * repeats;
        total += periodic / energy;
        blocks++;
      }
  }
  return blocks ? total / blocks : 0;
}
