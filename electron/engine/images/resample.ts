import sharp from 'sharp';
import { colourChannels, rasterFromBuffer, sharpInput, type Raster } from './raster.js';

/** sharp's interpretation for a raster, so raw output keeps its channel count and depth. */
export function colourspaceOf(r: Pick<Raster, 'channels' | 'depth'>): 'b-w' | 'grey16' | 'srgb' | 'rgb16' {
  const grey = colourChannels(r) === 1;
  if (r.depth === 16) return grey ? 'grey16' : 'rgb16';
  return grey ? 'b-w' : 'srgb';
}

/** Resize of any raster (Lanczos-3 unless told otherwise), keeping channels and bit depth: its samples as bytes. */
export async function resizedSamples(r: Raster, width: number, height: number, kernel: 'lanczos3' | 'linear' = 'lanczos3'): Promise<Buffer> {
  const { data, info } = await sharp(...sharpInput(r))
    .resize(width, height, { kernel, fit: 'fill' })
    .toColourspace(colourspaceOf(r))
    .raw(r.depth === 16 ? { depth: 'ushort' } : {})
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== r.channels) throw new Error(`resize changed ${r.channels} channels into ${info.channels}`);
  return data;
}

/** The same, as a raster in shared memory. */
export async function resizeRaster(r: Raster, width: number, height: number, kernel: 'lanczos3' | 'linear' = 'lanczos3'): Promise<Raster> {
  return rasterFromBuffer(await resizedSamples(r, width, height, kernel), width, height, r.channels, r.depth);
}
