import { allocSamples, fullRect, intersectRect, type Raster, type Rect } from '../images/raster.js';

/** Rectangles cut out of a raster, their pixels packed one after another, row by row. */
export interface PatchSet {
  channels: Raster['channels'];
  depth: Raster['depth'];
  rects: Rect[];
  data: Uint8Array | Uint16Array;
}

/** History diffs are kept in squares this size: small enough that a brush stroke stores little. */
export const PATCH_TILE = 128;

function bytesView(r: Pick<Raster, 'data'>): Uint8Array {
  return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
}

/** Adds a changed tile, widening the previous rectangle when the tile continues its row (fewer, longer copies). */
function pushTile(rects: Rect[], tile: Rect): void {
  const last = rects.at(-1);
  if (last && last.y === tile.y && last.height === tile.height && last.x + last.width === tile.x) last.width += tile.width;
  else rects.push({ ...tile });
}

/** The tiles (within `area`) where `a` and `b`, rasters of one shape, differ; neighbours in a row are joined. */
export function changedTiles(a: Raster, b: Raster, area: Rect = fullRect(a)): Rect[] {
  const bpp = a.channels * (a.depth === 16 ? 2 : 1);
  const ab = bytesView(a);
  const bb = bytesView(b);
  const rects: Rect[] = [];
  const clip = intersectRect(area, fullRect(a));
  if (!clip) return rects;
  const y0 = Math.floor(clip.y / PATCH_TILE) * PATCH_TILE;
  const x0 = Math.floor(clip.x / PATCH_TILE) * PATCH_TILE;
  for (let ty = y0; ty < clip.y + clip.height; ty += PATCH_TILE) {
    for (let tx = x0; tx < clip.x + clip.width; tx += PATCH_TILE) {
      const tile = intersectRect({ x: tx, y: ty, width: PATCH_TILE, height: PATCH_TILE }, fullRect(a))!;
      const start = tile.x * bpp;
      const len = tile.width * bpp;
      for (let y = tile.y; y < tile.y + tile.height; y++) {
        const off = y * a.width * bpp + start;
        // Buffer.compare is a native memcmp: far faster than comparing samples in JavaScript.
        if (Buffer.compare(ab.subarray(off, off + len), bb.subarray(off, off + len)) !== 0) {
          pushTile(rects, tile);
          break;
        }
      }
    }
  }
  return rects;
}

/** Copies the rectangles out of `r`. */
export function extractPatches(r: Raster, rects: Rect[]): PatchSet {
  const samples = rects.reduce((n, q) => n + q.width * q.height * r.channels, 0);
  const data = allocSamples(samples, r.depth);
  let at = 0;
  for (const q of rects) {
    for (let y = q.y; y < q.y + q.height; y++) {
      const row = (y * r.width + q.x) * r.channels;
      const len = q.width * r.channels;
      data.set(r.data.subarray(row, row + len), at);
      at += len;
    }
  }
  return { channels: r.channels, depth: r.depth, rects, data };
}

/** Writes the patches into `r` (which must not be shared with anyone reading it). */
export function writePatches(r: Raster, p: PatchSet): void {
  if (p.channels !== r.channels || p.depth !== r.depth) throw new Error('patch set does not match the raster it is written to');
  let at = 0;
  for (const q of p.rects) {
    for (let y = q.y; y < q.y + q.height; y++) {
      const len = q.width * r.channels;
      r.data.set(p.data.subarray(at, at + len), (y * r.width + q.x) * r.channels);
      at += len;
    }
  }
}
