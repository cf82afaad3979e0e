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
  const length = width * height * channels;
  const bytes = new SharedArrayBuffer(length * (depth === 16 ? 2 : 1));
  const data = depth === 16 ? new Uint16Array(bytes) : new Uint8Array(bytes);
  return { width, height, channels, depth, data };
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
export function sharpInput(
  r: Raster,
): [Uint8Array | Uint16Array, { raw: { width: number; height: number; channels: Channels }; limitInputPixels: false }] {
  // Pixels already in memory passed the pixel limit when they were opened.
  return [r.data, { raw: { width: r.width, height: r.height, channels: r.channels }, limitInputPixels: false }];
}
