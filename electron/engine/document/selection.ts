import { basename } from 'node:path';
import sharp from 'sharp';
import { GanvasError, errorMessage } from '../errors.js';
import { checkReadableFile } from '../files.js';
import { allocRaster, copyRaster, type Raster } from '../images/raster.js';
import { paddedRegion, plainBytes, type Region, type ScreenImage } from '../images/preview.js';
import type { PhotoDocument } from './document.js';
import type { Layer } from './layer.js';

/** The document's selection if it still fits the canvas (a canvas change leaves it behind). */
export function currentSelection(doc: PhotoDocument): Raster | null {
  const sel = doc.marks.pixels;
  return sel && sel.width === doc.width && sel.height === doc.height ? sel : null;
}

export function emptySelection(doc: PhotoDocument): Raster {
  return allocRaster(doc.width, doc.height, 1, 8);
}

/** A copy of the selection to change, or an empty one at canvas size. */
export function editableSelection(doc: PhotoDocument): Raster {
  const sel = currentSelection(doc);
  return sel ? copyRaster(sel) : emptySelection(doc);
}

/**
 * The selection as a mask over a layer's own pixels, a raster of its own (the brush paints into
 * the selection in place, and a queued Erase removes what was marked when it was started);
 * refuses when nothing is marked.
 */
export function selectionOnLayer(doc: PhotoDocument, layer: Layer): Raster {
  const sel = currentSelection(doc);
  if (!sel || !doc.marks.marked) throw new GanvasError('INVALID_INPUT', 'Nothing is marked: paint over what to remove first.');
  const { raster, bounds } = layer;
  if (bounds.x === 0 && bounds.y === 0 && raster.width === sel.width && raster.height === sel.height && bounds.width === sel.width) return copyRaster(sel);
  // Nearest sample of the canvas-sized selection at each of the layer's pixels.
  const out = allocRaster(raster.width, raster.height, 1, 8);
  for (let y = 0; y < raster.height; y++) {
    const cy = Math.floor(bounds.y + ((y + 0.5) * bounds.height) / raster.height);
    if (cy < 0 || cy >= sel.height) continue;
    for (let x = 0; x < raster.width; x++) {
      const cx = Math.floor(bounds.x + ((x + 0.5) * bounds.width) / raster.width);
      if (cx >= 0 && cx < sel.width) out.data[y * raster.width + x] = sel.data[cy * sel.width + cx]!;
    }
  }
  return out;
}

/** A mask image (white = marked; transparent counts as unmarked) that must be the canvas's size. */
export async function readMaskImage(path: string, canvas: { width: number; height: number }): Promise<Buffer> {
  const name = basename(path);
  await checkReadableFile(path, 'mask');
  const { data, info } = await sharp(path)
    .flatten({ background: '#000000' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((err: unknown) => {
      throw new GanvasError('IMAGE_UNREADABLE', `${name} cannot be read as a mask: ${errorMessage(err)}`);
    });
  if (info.width !== canvas.width || info.height !== canvas.height) {
    throw new GanvasError(
      'INVALID_INPUT',
      `The mask ${name} is ${info.width}×${info.height} but the photo is ${canvas.width}×${canvas.height}; they must match.`,
    );
  }
  return data;
}

/**
 * A region of the selection (a tile of the canvas's pyramid) as an overlay PNG no longer than
 * `maxSide`, read with a margin as a layer's tiles are, so neighbours meet without a seam.
 */
export async function selectionPng(sel: Raster, maxSide: number, colour: string, region: Region): Promise<ScreenImage> {
  const sized = paddedRegion(region, sel, maxSide);
  const small = await sharp(Buffer.from(sel.data.buffer, sel.data.byteOffset, sel.data.byteLength), {
    raw: { width: sel.width, height: sel.height, channels: 1 },
  })
    .extract(sized.source)
    .resize(sized.width, sized.height, { fit: 'fill' })
    .extract(sized.inner)
    // One band out, whether or not it was resized (libvips would otherwise hand an unresized mask back as sRGB).
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return overlayPng(small.data, small.info.width, small.info.height, colour);
}

/**
 * An alpha plane as a PNG in the overlay's colour: the page draws it as it comes, with no pass
 * over its pixels on its main thread.
 */
export async function overlayPng(alpha: Uint8Array, width: number, height: number, colour: string): Promise<ScreenImage> {
  const png = await sharp({ create: { width, height, channels: 3, background: colour } })
    .joinChannel(Buffer.from(alpha.buffer, alpha.byteOffset, alpha.byteLength), { raw: { width, height, channels: 1 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { width, height, bytes: plainBytes(png), type: 'image/png' };
}
