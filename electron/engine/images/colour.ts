import { allocRaster, colourChannels, hasAlpha, maxValue, type Raster } from './raster.js';

/** Rec. 601 luma of RGB in 0..1. */
export const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/** The colour part of a raster as RGB at its own depth: alpha dropped, grey repeated. */
export function rgbOf(r: Raster): Raster {
  if (r.channels === 3) return r;
  const out = allocRaster(r.width, r.height, 3, r.depth);
  const cc = colourChannels(r);
  for (let p = 0, n = r.width * r.height; p < n; p++) {
    for (let k = 0; k < 3; k++) out.data[p * 3 + k] = r.data[p * r.channels + (cc === 3 ? k : 0)]!;
  }
  return out;
}

/** RGB at 16 bits per channel (more precision for work in between). */
export function to16(r: Raster): Raster {
  if (r.depth === 16) return r;
  const out = allocRaster(r.width, r.height, r.channels, 16);
  for (let i = 0; i < r.data.length; i++) out.data[i] = r.data[i]! * 257;
  return out;
}

/** A raster shaped like `like` (its depth; colour plus its alpha, if any) to fill with RGB results. */
export function rgbLike(like: Raster): Raster {
  return allocRaster(like.width, like.height, hasAlpha(like) ? 4 : 3, like.depth);
}

/** Copies alpha from `from` into `to` (same size; both with alpha), scaling between depths. */
export function copyAlpha(from: Raster, to: Raster): void {
  if (!hasAlpha(from) || !hasAlpha(to)) return;
  const k = maxValue(to.depth) / maxValue(from.depth);
  for (let p = 0, n = from.width * from.height; p < n; p++)
    to.data[p * to.channels + to.channels - 1] = Math.round(from.data[p * from.channels + from.channels - 1]! * k);
}

/** sRGB's transfer curve, 0..1 both ways. */
export const srgbToLinear = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
export const linearToSrgb = (v: number): number => (v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055);
