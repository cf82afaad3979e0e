import sharp from 'sharp';
import { resizeRaster } from '../images/resample.js';
import { hasAlpha, rasterFromBuffer, sharpInput, type Raster } from '../images/raster.js';
import type { PhotoDocument } from './document.js';

async function atCanvasSize(r: Raster, width: number, height: number): Promise<Raster> {
  return r.width === width && r.height === height ? r : resizeRaster(r, width, height);
}

/**
 * The visible layers composed bottom to top ("over"), at canvas size. An opaque top layer hides
 * everything below it, so it is returned as is, at full bit depth.
 */
export async function flatten(doc: PhotoDocument): Promise<Raster> {
  const visible = doc.layers.filter((l) => l.visible);
  if (visible.length === 0) throw new Error('Nothing to export: every layer is hidden.');
  const { width, height } = doc;
  let start = visible.length - 1;
  while (start > 0 && hasAlpha(visible[start]!.raster)) start--;
  const stack = await Promise.all(visible.slice(start).map((l) => atCanvasSize(l.raster, width, height)));
  if (stack.length === 1) return stack[0]!;
  const [base, ...over] = stack;
  const { data, info } = await sharp(...sharpInput(base!))
    .ensureAlpha()
    .composite(over.map((r) => ({ input: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), ...sharpInput(r)[1], blend: 'over' as const })))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rasterFromBuffer(data, info.width, info.height, 4, 8);
}
