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
  const { data, info } = await sharp(...sharpInput(r)).resize(width, height, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: r.channels, depth: 8, data: new Uint8Array(data) };
}
