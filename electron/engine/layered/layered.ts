/**
 * A layered image as other editors keep it (Photoshop's PSD, GIMP's and Krita's OpenRaster):
 * layers placed on a canvas, each with its pixels, mask, opacity, blend mode and visibility, and
 * the image composed. The go-between for Ganvas's documents and those files.
 */
import type { BlendMode } from '../document/blend.js';
import { allocRaster, colourChannels, hasAlpha, maxValue, type Raster } from '../images/raster.js';

export interface LayerPlane {
  name: string;
  /** RGBA, 8 or 16 bits. */
  pixels: Raster;
  /** Where its top-left corner sits on the canvas (may be outside it). */
  left: number;
  top: number;
  /** One 8-bit channel the size of `pixels` (255 shows, 0 hides), or none. */
  mask: Raster | null;
  /** 0..1 */
  opacity: number;
  blend: BlendMode;
  visible: boolean;
}

export interface LayeredImage {
  width: number;
  height: number;
  /** Bottom first. */
  layers: LayerPlane[];
  /** The visible layers composed, RGBA at canvas size: what a program that cannot read layers shows. */
  composite: Raster;
}

/** What travels with the pixels: the colour profile, EXIF (a TIFF structure, no "Exif\0\0" prefix) and XMP. */
export interface LayeredMeta {
  icc: Uint8Array | null;
  exif: Uint8Array | null;
  xmp: string | null;
}

/** `r` as RGBA at `depth` bits: grey becomes three equal channels, no alpha becomes opaque. */
export function rgbaOf(r: Raster, depth: 8 | 16): Raster {
  const out = allocRaster(r.width, r.height, 4, depth);
  const scale = maxValue(depth) / maxValue(r.depth);
  const grey = colourChannels(r) === 1;
  const alpha = hasAlpha(r);
  const top = maxValue(depth);
  for (let p = 0, n = r.width * r.height; p < n; p++) {
    const q = p * r.channels;
    for (let c = 0; c < 3; c++) out.data[p * 4 + c] = Math.round(r.data[q + (grey ? 0 : c)]! * scale);
    out.data[p * 4 + 3] = alpha ? Math.round(r.data[q + r.channels - 1]! * scale) : top;
  }
  return out;
}

/** A flat image as a layered one: one layer, named after the file. */
export function singleLayer(raster: Raster, name: string): LayeredImage {
  const pixels = rgbaOf(raster, raster.depth);
  return {
    width: raster.width,
    height: raster.height,
    layers: [{ name, pixels, left: 0, top: 0, mask: null, opacity: 1, blend: 'normal', visible: true }],
    composite: pixels,
  };
}

/** A layer's pixels with its mask multiplied into their alpha (for formats without masks). */
export function withMaskInAlpha(layer: LayerPlane): Raster {
  if (!layer.mask) return layer.pixels;
  const out = { ...layer.pixels, data: layer.pixels.data.slice() };
  for (let p = 0, n = out.width * out.height; p < n; p++) out.data[p * 4 + 3] = Math.round((out.data[p * 4 + 3]! * layer.mask.data[p]!) / 255);
  return out;
}
