import sharp from 'sharp';
import { gaussianBlurPlane } from '../../electron/engine/images/blur.js';
import { dilate } from '../../electron/engine/images/masks.js';
import type { Raster } from '../../electron/engine/images/raster.js';
import { sharpInput } from '../../electron/engine/images/raster.js';

/** Luma (Rec. 601) on a 0..255 scale. */
export function luma(r: Raster): Float32Array {
  const n = r.width * r.height;
  const out = new Float32Array(n);
  const k = r.depth === 16 ? 255 / 65535 : 1;
  for (let p = 0; p < n; p++) {
    const i = p * r.channels;
    out[p] = r.channels <= 2 ? r.data[i]! * k : (0.299 * r.data[i]! + 0.587 * r.data[i + 1]! + 0.114 * r.data[i + 2]!) * k;
  }
  return out;
}

/** Variance of the 4-neighbour Laplacian of luma: the usual focus / sharpness measure. */
export function laplacianVariance(r: Raster): number {
  const y = luma(r);
  const w = r.width;
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let j = 1; j < r.height - 1; j++) {
    for (let i = 1; i < w - 1; i++) {
      const p = j * w + i;
      const v = y[p - 1]! + y[p + 1]! + y[p - w]! + y[p + w]! - 4 * y[p]!;
      sum += v;
      sum2 += v * v;
      n++;
    }
  }
  return sum2 / n - (sum / n) ** 2;
}

export function meanPerChannel(r: Raster): number[] {
  const sums = new Array<number>(r.channels).fill(0);
  for (let i = 0; i < r.data.length; i++) sums[i % r.channels]! += r.data[i]!;
  return sums.map((s) => s / (r.width * r.height));
}

/** Bicubic resize of a raster, the baseline every upscaler is compared with. */
export async function bicubic(r: Raster, width: number, height: number): Promise<Raster> {
  const { data, info } = await sharp(...sharpInput(r))
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: r.channels, depth: 8, data: new Uint8Array(data) };
}

/** PSNR (dB) and mean absolute error (0..255) over the pixels where `where` is set, colour channels only. */
export function holeError(a: Raster, b: Raster, where: Uint8Array): { psnr: number; mae: number } {
  const cc = a.channels >= 3 ? 3 : 1;
  const k = a.depth === 16 ? 255 / 65535 : 1;
  let se = 0,
    ae = 0,
    n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    for (let c = 0; c < cc; c++) {
      const d = (a.data[p * a.channels + c]! - b.data[p * b.channels + c]!) * k;
      se += d * d;
      ae += Math.abs(d);
      n++;
    }
  }
  const mse = se / n;
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), mae: ae / n };
}

/**
 * The broad colours of `r`: blurred at `sigma`, so that holeError between two of them leaves out
 * independent grain (which no fill can place pixel for pixel) and judges a fill with the photo's
 * grain on what it puts where, as a smooth fill is.
 */
export function broadColours(r: Raster, sigma: number): Raster {
  const n = r.width * r.height;
  const k = r.depth === 16 ? 255 / 65535 : 1;
  const out: Raster = { width: r.width, height: r.height, channels: r.channels, depth: 8, data: new Uint8Array(n * r.channels) };
  for (let c = 0; c < r.channels; c++) {
    const plane = Float32Array.from({ length: n }, (_, p) => r.data[p * r.channels + c]! * k);
    const smooth = gaussianBlurPlane(plane, r.width, r.height, sigma);
    for (let p = 0; p < n; p++) out.data[p * r.channels + c] = Math.round(smooth[p]!);
  }
  return out;
}

/** A copy of `r` with the `where` pixels set to the mean colour of the others. */
export function meanColourFill(r: Raster, where: Uint8Array): Raster {
  const out = { ...r, data: r.data.slice() };
  const sums = new Array<number>(r.channels).fill(0);
  let n = 0;
  for (let p = 0; p < where.length; p++)
    if (!where[p]) {
      n++;
      for (let c = 0; c < r.channels; c++) sums[c]! += r.data[p * r.channels + c]!;
    }
  for (let p = 0; p < where.length; p++) if (where[p]) for (let c = 0; c < r.channels; c++) out.data[p * r.channels + c] = Math.round(sums[c]! / n);
  return out;
}

/**
 * The classical baseline: a harmonic ("diffusion") fill, each hole pixel the average of its
 * neighbours, solved with Jacobi iterations (enough for holes a few dozen pixels across).
 */
export function diffusionFill(r: Raster, where: Uint8Array): Raster {
  const { width: w, height: h, channels: ch } = r;
  const out = { ...r, data: r.data.slice() };
  const holes: number[] = [];
  for (let p = 0; p < where.length; p++) if (where[p]) holes.push(p);
  for (let c = 0; c < ch; c++) {
    const v = new Float32Array(w * h);
    for (let p = 0; p < w * h; p++) v[p] = where[p] ? 128 : r.data[p * ch + c]!;
    const next = new Float32Array(holes.length);
    for (let it = 0; it < 3000; it++) {
      holes.forEach((p, i) => {
        const x = p % w,
          y = (p - x) / w;
        let s = 0,
          m = 0;
        if (x > 0) {
          s += v[p - 1]!;
          m++;
        }
        if (x < w - 1) {
          s += v[p + 1]!;
          m++;
        }
        if (y > 0) {
          s += v[p - w]!;
          m++;
        }
        if (y < h - 1) {
          s += v[p + w]!;
          m++;
        }
        next[i] = s / m;
      });
      holes.forEach((p, i) => (v[p] = next[i]!));
    }
    for (const p of holes) out.data[p * ch + c] = Math.round(v[p]!);
  }
  return out;
}

/**
 * Mean absolute luma step between neighbouring columns x-1 and x, over rows, for every x (index
 * 0 unused): a seam shows as a step larger than the photo's own steps between columns.
 */
export function columnSteps(r: Raster): Float32Array {
  const y = luma(r);
  const steps = new Float32Array(r.width);
  for (let j = 0; j < r.height; j++) for (let x = 1; x < r.width; x++) steps[x]! += Math.abs(y[j * r.width + x]! - y[j * r.width + x - 1]!);
  return steps.map((s) => s / r.height);
}

/** Mean |4-neighbour Laplacian| of luma over the pixels in `where`: how much fine texture there is. */
export function textureIn(r: Raster, where: Uint8Array): number {
  const y = luma(r);
  const w = r.width;
  let sum = 0,
    n = 0;
  for (let j = 1; j < r.height - 1; j++) {
    for (let i = 1; i < w - 1; i++) {
      const p = j * w + i;
      if (!where[p]) continue;
      sum += Math.abs(y[p - 1]! + y[p + 1]! + y[p - w]! + y[p + w]! - 4 * y[p]!);
      n++;
    }
  }
  return sum / n;
}

/** The pixels 4 to 12 px outside a hole: what the fill should look like. */
export function ringAround(hole: Uint8Array, width: number, height: number): Uint8Array {
  const near = dilate({ width, height, bits: hole }, 12).bits;
  const touching = dilate({ width, height, bits: hole }, 3).bits;
  return near.map((v, p) => (v && !touching[p] ? 1 : 0));
}

function blurredLuma(r: Raster, sigma: number): Float32Array {
  return gaussianBlurPlane(luma(r), r.width, r.height, sigma);
}

/** Strong edge pixels (ridge of the gradient above `threshold`, luma levels per pixel) with their gradient angle. */
function edgeMap(r: Raster, threshold: number): { edge: Uint8Array; angle: Float32Array; magnitude: Float32Array } {
  const { width: w, height: h } = r;
  const y = blurredLuma(r, 1);
  const magnitude = new Float32Array(w * h);
  const angle = new Float32Array(w * h);
  for (let j = 1; j < h - 1; j++)
    for (let i = 1; i < w - 1; i++) {
      const p = j * w + i;
      const gx = (y[p + 1]! - y[p - 1]!) / 2;
      const gy = (y[p + w]! - y[p - w]!) / 2;
      magnitude[p] = Math.hypot(gx, gy);
      angle[p] = Math.atan2(gy, gx);
    }
  const edge = new Uint8Array(w * h);
  for (let j = 1; j < h - 1; j++)
    for (let i = 1; i < w - 1; i++) {
      const p = j * w + i;
      const m = magnitude[p]!;
      if (m < threshold) continue;
      const dx = Math.round(Math.cos(angle[p]!)),
        dy = Math.round(Math.sin(angle[p]!));
      if (magnitude[p + dy * w + dx]! > m || magnitude[p - dy * w - dx]! > m) continue;
      edge[p] = 1;
    }
  return { edge, angle, magnitude };
}

/**
 * The edge pixels in the hole that belong to edges running into it from outside: connected (8
 * neighbours) through the hole and the 8 px around it to a pixel outside the hole. An object
 * wholly inside the hole is not among them: a fill removes it.
 */
function enteringEdges(edge: Uint8Array, hole: Uint8Array, w: number, h: number): Uint8Array {
  const near = dilate({ width: w, height: h, bits: hole }, 8).bits;
  const label = new Int32Array(w * h).fill(-1);
  const keep = new Uint8Array(w * h);
  for (let start = 0; start < w * h; start++) {
    if (!edge[start] || !near[start] || label[start]! >= 0) continue;
    const members: number[] = [];
    let outside = false;
    const stack = [start];
    label[start] = start;
    while (stack.length) {
      const p = stack.pop()!;
      members.push(p);
      if (!hole[p]) outside = true;
      const x = p % w,
        y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const q = p + dy * w + dx;
          if (x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h || !edge[q] || !near[q] || label[q]! >= 0) continue;
          label[q] = start;
          stack.push(q);
        }
    }
    if (outside) for (const p of members) if (hole[p]) keep[p] = 1;
  }
  return keep;
}

/**
 * Edge continuation: how well the edges running into the hole go on through it in the fill as
 * they do in the photo (an F-score of their edge pixels in the hole matched within 2 px and 25°,
 * both ways), or null where no strong edge runs into the hole. "Strong" is set by the photo around
 * the hole: three times its typical gradient, at least 8 levels per pixel, so texture makes none.
 */
export function edgeAgreement(fill: Raster, truth: Raster, hole: Uint8Array): { score: number; edges: number } | null {
  const { width: w, height: h } = truth;
  const around = ringAround(hole, w, h);
  const mags = edgeMap(truth, Infinity).magnitude;
  const ringMags = Float32Array.from(mags.filter((_, p) => around[p])).sort();
  const threshold = Math.max(8, 3 * (ringMags[Math.floor(ringMags.length / 2)] ?? 0));
  const t = edgeMap(truth, threshold);
  const f = edgeMap(fill, threshold);
  const [tIn, fIn] = [enteringEdges(t.edge, hole, w, h), enteringEdges(f.edge, hole, w, h)];
  const matched = (a: typeof t, aIn: Uint8Array, b: typeof t, bIn: Uint8Array): [number, number] => {
    let hit = 0,
      all = 0;
    for (let p = 0; p < w * h; p++) {
      if (!aIn[p]) continue;
      all++;
      const x = p % w,
        y = (p - x) / w;
      search: for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const q = (y + dy) * w + x + dx;
          if (x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h || !bIn[q]) continue;
          const turn = Math.abs(((a.angle[p]! - b.angle[q]! + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
          if (turn < (25 * Math.PI) / 180) {
            hit++;
            break search;
          }
        }
    }
    return [hit, all];
  };
  const [recalled, truthEdges] = matched(t, tIn, f, fIn);
  if (truthEdges < 10) return null;
  const [precise, fillEdges] = matched(f, fIn, t, tIn);
  const recall = recalled / truthEdges;
  const precision = fillEdges ? precise / fillEdges : 0;
  return { score: recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : 0, edges: truthEdges };
}

/** Luma blurred along rows only (σ in pixels): what varies across the columns, with what runs along the rows kept. */
function rowBlurredLuma(r: Raster, sigma: number): Float32Array {
  return gaussianBlurPlane(luma(r), r.width, r.height, sigma, { across: true });
}

/**
 * Correlation of a border grown on the right from column `edge` with the photo mirrored across
 * that edge, on the detail that varies across the columns (a band along the rows, σ 1 to 6):
 * near 1 when the border is a reflection. Structure that runs along the rows (a horizon, a floor)
 * is the same mirrored or continued, so it is left out of the measure.
 */
export function mirrorCorrelation(r: Raster, edge: number): number {
  const { width: w, height: h } = r;
  const y = rowBlurredLuma(r, 1);
  const low = rowBlurredLuma(r, 6);
  const a: number[] = [],
    b: number[] = [];
  for (let j = 0; j < h; j++)
    for (let x = edge; x < w; x++) {
      const m = 2 * edge - 1 - x;
      if (m < 0) continue;
      a.push(y[j * w + x]! - low[j * w + x]!);
      b.push(y[j * w + m]! - low[j * w + m]!);
    }
  return correlation(a, b);
}

/** Pearson correlation of two equally long series (0 where either is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const mean = (v: ArrayLike<number>) => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += v[i]!;
    return sum / v.length;
  };
  const [ma, mb] = [mean(a), mean(b)];
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The luma step across the old edge of a border grown on the right ÷ the median step between the 32 columns of photo before it. */
export function seamStep(r: Raster, edge: number): number {
  const steps = columnSteps(r);
  const own = Float32Array.from(steps.subarray(Math.max(1, edge - 32), edge)).sort();
  return steps[edge]! / Math.max(1e-6, own[Math.floor(own.length / 2)]!);
}
