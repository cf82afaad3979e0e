import sharp from 'sharp';
import { sharpInput, type Raster } from './raster.js';
import { colourspaceOf } from './resample.js';

/** An 8-bit PNG of a layer's pixels with its mask (if any) as transparency, no longer than `maxSide`. */
export async function layerPng(raster: Raster, mask: Raster | null, maxSide: number): Promise<{ width: number; height: number; png: Uint8Array }> {
  const small = (r: Raster) =>
    sharp(...sharpInput(r))
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .toColourspace(colourspaceOf({ channels: r.channels, depth: 8 }))
      .raw()
      .toBuffer({ resolveWithObject: true });
  let { data, info } = await small(raster);
  if (mask) {
    const shown = await small(mask);
    const withAlpha = await sharp(data, { raw: info }).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
    data = withAlpha.data;
    info = withAlpha.info;
    const c = info.channels;
    for (let p = 0; p < info.width * info.height; p++) data[p * c + c - 1] = Math.round((data[p * c + c - 1]! * shown.data[p]!) / 255);
  }
  const png = await sharp(data, { raw: info }).png({ compressionLevel: 1 }).toBuffer();
  return { width: info.width, height: info.height, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
}
