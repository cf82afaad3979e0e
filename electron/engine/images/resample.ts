import sharp from 'sharp';
import { rasterFromBuffer, rasterBytes, sharpRaw, type Raster } from './raster.js';

/** High-quality resize (Lanczos-3) of any raster, keeping channels and bit depth. */
export async function resizeRaster(r: Raster, width: number, height: number): Promise<Raster> {
  const { data, info } = await sharp(rasterBytes(r), { ...sharpRaw(r), limitInputPixels: false })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw(r.depth === 16 ? { depth: 'ushort' } : {})
    .toBuffer({ resolveWithObject: true });
  return rasterFromBuffer(data, info.width, info.height, r.channels, r.depth);
}
