/**
 * Photoshop's PSD through ag-psd (what web editors use): layers with names, positions, masks,
 * opacity, blend modes and visibility, the composed image, the ICC profile, EXIF and XMP. ag-psd
 * reads 8 and 16 bits per channel and writes 8; 16-bit files are written by psd16.ts.
 */
import {
  initializeCanvas,
  readPsd,
  writePsdUint8Array,
  type BlendMode as PsdBlendMode,
  type ImageResources,
  type Layer,
  type PixelData,
  type Psd,
} from 'ag-psd';
import type { BlendMode } from '../document/blend.js';
import { GanvasError, errorMessage } from '../errors.js';
import { allocRaster, type Raster } from '../images/raster.js';
import { rgbaOf, type LayeredImage, type LayeredMeta, type LayerPlane } from './layered.js';
import { IMAGE_RESOURCE, resourcesOf, withResources } from './psd-resources.js';
import { encodePsd16 } from './psd16.js';

// With useImageData nothing is drawn on a canvas, but ag-psd still asks for its pixel buffers through createImageData.
type ImageDataMaker = NonNullable<Parameters<typeof initializeCanvas>[1]>;
initializeCanvas(
  () => {
    throw new Error('the engine has no canvas');
  },
  ((width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) })) as unknown as ImageDataMaker,
);

const TO_PSD: Record<BlendMode, PsdBlendMode> = {
  normal: 'normal',
  multiply: 'multiply',
  screen: 'screen',
  overlay: 'overlay',
  'soft-light': 'soft light',
  darken: 'darken',
  lighten: 'lighten',
};
const FROM_PSD = new Map(Object.entries(TO_PSD).map(([ours, theirs]) => [theirs, ours as BlendMode]));

function pixelData(r: Raster): PixelData {
  const eight = rgbaOf(r, 8);
  return { width: eight.width, height: eight.height, data: new Uint8ClampedArray(eight.data.buffer, eight.data.byteOffset, eight.data.byteLength) };
}

function maskData(mask: Raster): PixelData {
  const data = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let p = 0; p < mask.width * mask.height; p++) data[p * 4] = data[p * 4 + 1] = data[p * 4 + 2] = mask.data[p]!;
  return { width: mask.width, height: mask.height, data };
}

export function encodePsd(image: LayeredImage, meta: LayeredMeta, depth: 8 | 16): Uint8Array {
  if (depth === 16) return encodePsd16(image, meta);
  const layer = (l: LayerPlane): Layer => ({
    name: l.name,
    left: l.left,
    top: l.top,
    opacity: l.opacity,
    blendMode: TO_PSD[l.blend],
    hidden: !l.visible,
    imageData: pixelData(l.pixels),
    ...(l.mask
      ? { mask: { left: l.left, top: l.top, right: l.left + l.mask.width, bottom: l.top + l.mask.height, defaultColor: 0, imageData: maskData(l.mask) } }
      : {}),
  });
  const imageResources: ImageResources = meta.xmp ? { xmpMetadata: meta.xmp } : {};
  const psd: Psd = { width: image.width, height: image.height, children: image.layers.map(layer), imageData: pixelData(image.composite), imageResources };
  // noBackground: the bottom layer stays a layer (with its name, opacity and blend mode), as in Ganvas.
  const written = writePsdUint8Array(psd, { noBackground: true });
  // The ICC profile and EXIF are image resources ag-psd neither reads nor writes.
  return withResources(written, [
    ...(meta.icc ? ([[IMAGE_RESOURCE.icc, meta.icc]] as const) : []),
    ...(meta.exif ? ([[IMAGE_RESOURCE.exif, meta.exif]] as const) : []),
  ]);
}

const PSD_SIGNATURE = '8BPS';
/** The pixel layer that carries what Ganvas cannot recompose (adjustment layers), as Photoshop composed it. */
const ADJUSTED_LAYER = 'Photoshop composite';

/** Width, height and depth from the 26-byte header, read before anything is decoded. */
function header(bytes: Uint8Array, name: string): { width: number; height: number; depth: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 26 || String.fromCharCode(...bytes.subarray(0, 4)) !== PSD_SIGNATURE)
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} is not a Photoshop file (no PSD signature).`);
  return { height: view.getUint32(14), width: view.getUint32(18), depth: view.getUint16(22) };
}

/** What each kind of layer Ganvas has no equal for is called in a notice. */
function specialKind(l: Layer): string | null {
  if (l.text) return 'text';
  if (l.placedLayer) return 'smart object';
  if (l.vectorMask) return 'shape';
  return null;
}

/** The layer's mask at the size of its pixels: the mask's rectangle placed, its default colour around it. */
function maskFor(l: Layer, left: number, top: number, width: number, height: number): Raster | null {
  const m = l.mask;
  if (!m || m.disabled || !m.imageData) return null;
  const out = allocRaster(width, height, 1, 8);
  out.data.fill(m.defaultColor ?? 0);
  const [ml, mt] = [m.left ?? 0, m.top ?? 0];
  const { width: mw, height: mh, data } = m.imageData;
  // A 16-bit file's mask is 16-bit too; Ganvas keeps masks at 8.
  const scale = data instanceof Uint16Array ? (v: number) => Math.round(v / 257) : (v: number) => v;
  for (let y = 0; y < height; y++) {
    const my = y + top - mt;
    if (my < 0 || my >= mh) continue;
    for (let x = 0; x < width; x++) {
      const mx = x + left - ml;
      if (mx >= 0 && mx < mw) out.data[y * width + x] = scale(data[(my * mw + mx) * 4]!);
    }
  }
  return out;
}

/** RGBA samples as ag-psd hands them: 8-bit, or 16-bit in a Uint16Array. */
function rasterOf(p: PixelData): Raster {
  const r = allocRaster(p.width, p.height, 4, p.data instanceof Uint16Array ? 16 : 8);
  r.data.set(p.data as ArrayLike<number>);
  return r;
}

export function decodePsd(bytes: Uint8Array, name: string, pixelLimit: number): { image: LayeredImage; meta: LayeredMeta; notices: string[] } {
  const { width, height, depth } = header(bytes, name);
  if (width * height > pixelLimit)
    throw new GanvasError('IMAGE_TOO_LARGE', `${name} is ${width}×${height}, more pixels than the limit of this app (${pixelLimit.toLocaleString('en')}).`);
  if (depth !== 8 && depth !== 16)
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} has ${depth} bits per channel; Ganvas opens 8- and 16-bit PSDs. Save it as a 16-bit TIFF.`);
  let psd: Psd;
  try {
    psd = readPsd(bytes, { useImageData: true, skipThumbnail: true, skipLinkedFilesData: true, totalMemoryLimit: Math.min(2 ** 31, pixelLimit * depth) });
  } catch (err) {
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} cannot be read as a Photoshop file: ${errorMessage(err)}.`);
  }
  const notices: string[] = [];
  const layers: LayerPlane[] = [];
  const adjustments: string[] = [];
  const visit = (list: Layer[], opacity: number, visible: boolean) => {
    for (const l of list) {
      const shown = visible && !l.hidden;
      if (l.children) {
        if (l.blendMode && l.blendMode !== 'pass through' && l.blendMode !== 'normal')
          notices.push(`The group “${l.name ?? ''}” had the blend mode ${l.blendMode}; its layers were opened one by one without it.`);
        visit(l.children, opacity * (l.opacity ?? 1), shown);
        continue;
      }
      if (l.adjustment) {
        if (shown) adjustments.push(`“${l.name ?? ''}” (${l.adjustment.type})`);
        continue;
      }
      const kind = specialKind(l);
      if (kind) notices.push(`“${l.name ?? ''}” (${kind}) was opened as a pixel layer, as Photoshop last drew it.`);
      const [left, top] = [l.left ?? 0, l.top ?? 0];
      const pixels = l.imageData && l.imageData.width > 0 && l.imageData.height > 0 ? rasterOf(l.imageData) : allocRaster(1, 1, 4, 8);
      const blend = FROM_PSD.get(l.blendMode ?? 'normal');
      if (!blend) notices.push(`“${l.name ?? ''}” had the blend mode ${l.blendMode}, which Ganvas does not have; it is Normal now.`);
      layers.push({
        name: l.name ?? `Layer ${layers.length + 1}`,
        pixels,
        left,
        top,
        mask: maskFor(l, left, top, pixels.width, pixels.height),
        opacity: opacity * (l.opacity ?? 1),
        blend: blend ?? 'normal',
        visible: shown,
      });
    }
  };
  // ag-psd lists the bottom layer first, as Ganvas does.
  visit(psd.children ?? [], 1, true);
  const composite = psd.imageData ? rasterOf(psd.imageData) : allocRaster(width, height, 4, depth === 16 ? 16 : 8);
  // Ganvas cannot apply an adjustment, so the picture with them applied — Photoshop's own composite — comes as a pixel layer on top.
  if (adjustments.length > 0 || layers.length === 0) {
    layers.push({ name: ADJUSTED_LAYER, pixels: composite, left: 0, top: 0, mask: null, opacity: 1, blend: 'normal', visible: true });
    if (adjustments.length > 0)
      notices.push(
        `${adjustments.join(', ')}: adjustment layers Ganvas cannot apply. The picture as Photoshop composed it, with them, is the top layer “${ADJUSTED_LAYER}”; the layers under it are without them.`,
      );
  }
  const resources = resourcesOf(bytes, [IMAGE_RESOURCE.icc, IMAGE_RESOURCE.exif]);
  const meta = {
    icc: resources.get(IMAGE_RESOURCE.icc) ?? null,
    exif: resources.get(IMAGE_RESOURCE.exif) ?? null,
    xmp: psd.imageResources?.xmpMetadata ?? null,
  };
  return { image: { width, height, layers, composite }, meta, notices };
}
