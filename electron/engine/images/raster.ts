/** Interleaved pixels, 8- or 16-bit, 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  depth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

export type Channels = Raster['channels'];

export function hasAlpha(r: Pick<Raster, 'channels'>): boolean {
  return r.channels === 2 || r.channels === 4;
}

export function colourChannels(r: Pick<Raster, 'channels'>): 1 | 3 {
  return r.channels <= 2 ? 1 : 3;
}

export function maxValue(depth: Raster['depth']): number {
  return depth === 16 ? 65535 : 255;
}

/**
 * Pixel memory is shared, so the document and the inference worker read the same bytes with
 * no copy across threads.
 */
export function allocRaster(width: number, height: number, channels: Channels, depth: Raster['depth']): Raster {
  return { width, height, channels, depth, data: allocSamples(width * height * channels, depth) };
}

export function allocSamples(length: number, depth: Raster['depth']): Uint8Array | Uint16Array {
  const bytes = new SharedArrayBuffer(length * (depth === 16 ? 2 : 1));
  return depth === 16 ? new Uint16Array(bytes) : new Uint8Array(bytes);
}

/** Copies bytes decoded by sharp into shared memory. */
export function rasterFromBuffer(buf: Buffer, width: number, height: number, channels: Channels, depth: Raster['depth']): Raster {
  const r = allocRaster(width, height, channels, depth);
  new Uint8Array(r.data.buffer).set(buf.subarray(0, r.data.byteLength));
  return r;
}

/**
 * The raster as sharp input. sharp takes the sample depth from the typed array's type (a Buffer
 * reads as 8-bit), so 16-bit pixels must go in as the Uint16Array itself.
 */
export function sharpInput(r: Raster): [Uint8Array | Uint16Array, { raw: { width: number; height: number; channels: Channels }; limitInputPixels: false }] {
  // Pixels already in memory passed the pixel limit when they were opened.
  return [r.data, { raw: { width: r.width, height: r.height, channels: r.channels }, limitInputPixels: false }];
}

/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function fullRect(r: Pick<Raster, 'width' | 'height'>): Rect {
  return { x: 0, y: 0, width: r.width, height: r.height };
}

/** The part of `a` inside `b`, or null when they do not overlap. */
export function intersectRect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

export function sameShape(a: Raster, b: Raster): boolean {
  return a.width === b.width && a.height === b.height && a.channels === b.channels && a.depth === b.depth;
}

/** A new raster with the same pixels: edits never change a raster in place, so a running job's input stays stable. */
export function copyRaster(r: Raster): Raster {
  const out = allocRaster(r.width, r.height, r.channels, r.depth);
  out.data.set(r.data);
  return out;
}

/** A copy of a rectangle of `r` (which must lie inside it). */
export function cropRaster(r: Raster, rect: Rect): Raster {
  const out = allocRaster(rect.width, rect.height, r.channels, r.depth);
  const len = rect.width * r.channels;
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * r.width + rect.x) * r.channels;
    out.data.set(r.data.subarray(from, from + len), y * len);
  }
  return out;
}

/** Planar RGB floats 0..1 as an interleaved RGB raster of the given depth. */
/**
 * A small 8-bit picture of planar RGB 0..1: each side divided by the same whole factor (pixels
 * averaged in boxes) until the longer one is at most `maxSide`.
 */
export function planarThumbnail(rgb: Float32Array, width: number, height: number, maxSide: number): Raster {
  const f = Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
  const w = Math.floor(width / f);
  const h = Math.floor(height / f);
  const out = allocRaster(w, h, 3, 8);
  const plane = width * height;
  const norm = 255 / (f * f);
  for (let k = 0; k < 3; k++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0, s = k * plane + (y * f + dy) * width + x * f; dx < f; dx++) sum += rgb[s + dx]!;
        out.data[(y * w + x) * 3 + k] = Math.min(255, Math.max(0, sum * norm + 0.5));
      }
  return out;
}

export function rasterFromPlanar(rgb: Float32Array, width: number, height: number, depth: Raster['depth']): Raster {
  const out = allocRaster(width, height, 3, depth);
  const plane = width * height;
  const max = maxValue(depth);
  for (let i = 0; i < plane; i++) for (let k = 0; k < 3; k++) out.data[i * 3 + k] = Math.round(Math.min(1, Math.max(0, rgb[k * plane + i]!)) * max);
  return out;
}
