import sharp from 'sharp';
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
