import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { allocRaster, rasterFromBuffer, type Raster } from '../../electron/engine/images/raster.js';

/** An image file's pixels as 8-bit sRGB RGB (alpha dropped). */
export async function rasterOf(file: string): Promise<Raster> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return rasterFromBuffer(data, info.width, info.height, 3, 8);
}

/** A deterministic, textured raster (a pseudo-random field over smooth gradients). */
export function testRaster(width: number, height: number, channels: Raster['channels'] = 3, depth: Raster['depth'] = 8, seed = 1): Raster {
  const r = allocRaster(width, height, channels, depth);
  const max = depth === 16 ? 65535 : 255;
  let s = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < channels; k++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const smooth = ((x / width) * 0.5 + (y / height) * 0.3 + k * 0.07) % 1;
        r.data[(y * width + x) * channels + k] = Math.round(max * (0.8 * smooth + 0.2 * ((s >>> 8) / 2 ** 24)));
      }
    }
  }
  return r;
}

export function digest(r: Raster | null): string {
  if (!r) return 'none';
  return createHash('sha256')
    .update(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength))
    .update(`${r.width}x${r.height}x${r.channels}@${r.depth}`)
    .digest('hex');
}

/** A copy of `r` with a filled rectangle: a stand-in for any local pixel edit. */
export function withBox(r: Raster, x: number, y: number, w: number, h: number, value: number): Raster {
  const out = allocRaster(r.width, r.height, r.channels, r.depth);
  out.data.set(r.data);
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) for (let k = 0; k < r.channels; k++) out.data[(j * r.width + i) * r.channels + k] = value;
  return out;
}
