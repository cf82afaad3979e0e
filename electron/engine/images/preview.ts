import sharp from 'sharp';
import { sharpInput, type Raster } from './raster.js';
import { colourspaceOf, resizeRaster } from './resample.js';

/** An encoded picture for the screen: its size, bytes and their type. */
/** An image file's bytes as the page decodes them (`createImageBitmap`): they cross to it as binary. */
export interface EncodedImage {
  bytes: Uint8Array;
  type: 'image/png' | 'image/jpeg' | 'image/webp';
}

export interface ScreenImage extends EncodedImage {
  width: number;
  height: number;
}

/** A plain view of an encoder's Buffer: what crosses to the page is a Uint8Array, whichever way it travels. */
export const plainBytes = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * A layer's pixels (or a region of them) with its mask (if any) as transparency, no longer than
 * `maxSide`, 8-bit: `exact` as PNG (what 100 % shows), else as a screen copy — JPEG, or WebP where
 * there is transparency — a tenth of a PNG's size, so a camera-size photo reaches the screen at once.
 */
export async function layerImage(
  raster: Raster,
  mask: Raster | null,
  maxSide: number,
  opts: { exact: boolean; region?: { left: number; top: number; width: number; height: number } },
): Promise<ScreenImage> {
  const sized = opts.region ? paddedRegion(opts.region, raster, maxSide) : null;
  const small = (r: Raster) => {
    const source = sharp(...sharpInput(r));
    const resized = sized
      ? source.extract(sized.source).resize(sized.width, sized.height, { fit: 'fill' }).extract(sized.inner)
      : source.resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
    return resized
      .toColourspace(colourspaceOf({ channels: r.channels, depth: 8 }))
      .raw()
      .toBuffer({ resolveWithObject: true });
  };
  let { data, info } = await small(raster);
  if (mask) {
    const shown = await small(mask);
    const withAlpha = await sharp(data, { raw: info }).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
    data = withAlpha.data;
    info = withAlpha.info;
    const c = info.channels;
    for (let p = 0; p < info.width * info.height; p++) data[p * c + c - 1] = Math.round((data[p * c + c - 1]! * shown.data[p]!) / 255);
  }
  const image = sharp(data, { raw: info });
  const [encoded, type] = opts.exact
    ? [await image.png({ compressionLevel: 1 }).toBuffer(), 'image/png' as const]
    : info.channels === 2 || info.channels === 4
      ? [await image.webp({ quality: SCREEN_QUALITY, alphaQuality: 100 }).toBuffer(), 'image/webp' as const]
      : [await image.jpeg({ quality: SCREEN_QUALITY, chromaSubsampling: '4:4:4' }).toBuffer(), 'image/jpeg' as const];
  return { width: info.width, height: info.height, bytes: plainBytes(encoded), type };
}

export type Region = { left: number; top: number; width: number; height: number };

/**
 * A region to bring within `maxSide`, read with a margin of its neighbours' pixels when it is
 * made smaller (and the margin cut off after), so tiles resampled one by one meet without a seam.
 */
export function paddedRegion(region: Region, raster: Raster, maxSide: number): { source: Region; width: number; height: number; inner: Region } {
  const scale = Math.min(1, maxSide / Math.max(region.width, region.height));
  const pad = scale < 1 ? Math.ceil(4 / scale) : 0;
  const left = Math.max(0, region.left - pad);
  const top = Math.max(0, region.top - pad);
  const source = {
    left,
    top,
    width: Math.min(raster.width, region.left + region.width + pad) - left,
    height: Math.min(raster.height, region.top + region.height + pad) - top,
  };
  const [width, height] = [Math.max(1, Math.round(source.width * scale)), Math.max(1, Math.round(source.height * scale))];
  const innerLeft = Math.min(width - 1, Math.round((region.left - left) * scale));
  const innerTop = Math.min(height - 1, Math.round((region.top - top) * scale));
  const inner = {
    left: innerLeft,
    top: innerTop,
    width: Math.max(1, Math.min(width - innerLeft, Math.round(region.width * scale))),
    height: Math.max(1, Math.min(height - innerTop, Math.round(region.height * scale))),
  };
  return { source, width, height, inner };
}

/** Screen copies are seen fitted to the window (fine detail comes from exact tiles at 100 %). */
const SCREEN_QUALITY = 90;

/** An 8-bit PNG of a raster as it is (a tool's preview). */
export async function rasterPng(r: Raster): Promise<ScreenImage> {
  const png = await sharp(...sharpInput(r))
    .toColourspace(colourspaceOf({ channels: r.channels, depth: 8 }))
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { width: r.width, height: r.height, bytes: plainBytes(png), type: 'image/png' };
}

/**
 * Copies no longer than a given side, kept with the raster they came from: every thumbnail and
 * every preview of a layer starts from the same small copy instead of resizing the full photo
 * again. Rasters never change, so a copy stays valid for as long as its raster lives.
 */
export class SmallCopies {
  private readonly copies = new WeakMap<Raster, Map<number, Promise<Raster>>>();

  async of(r: Raster, maxSide: number): Promise<Raster> {
    const scale = Math.min(1, maxSide / Math.max(r.width, r.height));
    if (scale === 1) return r;
    const sizes = this.copies.get(r) ?? new Map<number, Promise<Raster>>();
    this.copies.set(r, sizes);
    let copy = sizes.get(maxSide);
    if (!copy) {
      copy = resizeRaster(r, Math.max(1, Math.round(r.width * scale)), Math.max(1, Math.round(r.height * scale)));
      sizes.set(maxSide, copy);
      copy.catch(() => sizes.delete(maxSide));
    }
    return copy;
  }
}
