import { copyRaster, fullRect, intersectRect, type Raster, type Rect } from '../images/raster.js';
import type { Stroke } from './stroke.js';

export type { Stroke };

/** The stroke's bounding box (clipped to the raster), or null if it lies outside. */
function strokeArea(s: Stroke, r: Pick<Raster, 'width' | 'height'>): Rect | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of s.points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const x = Math.floor(x0 - s.radius);
  const y = Math.floor(y0 - s.radius);
  return intersectRect({ x, y, width: Math.ceil(x1 + s.radius) - x + 1, height: Math.ceil(y1 + s.radius) - y + 1 }, fullRect(r));
}

/** Coverage 0..1 of a pixel at `d` from the stroke's centre line: full inside the hard core, smooth to the rim. */
function coverage(d: number, radius: number, hardness: number): number {
  if (d >= radius) return 0;
  const core = radius * Math.min(hardness, 0.999);
  if (d <= core) return 1;
  const t = (d - core) / (radius - core);
  return 1 - t * t * (3 - 2 * t);
}

type Point = readonly [number, number];

/**
 * The stroke's segments. Points closer together than a quarter of the radius add nothing a user
 * can see (a drag's path between them bends by a small fraction of a pixel) but each costs a whole
 * brush-sized box: a slow drag with a big brush sends hundreds of them.
 */
function segments(s: Stroke): [Point, Point][] {
  const minStep = Math.max(0.5, s.radius / 4);
  const kept: Point[] = [s.points[0]!];
  for (let i = 1; i < s.points.length; i++) {
    const p = s.points[i]!;
    const last = kept[kept.length - 1]!;
    if (i === s.points.length - 1 || Math.hypot(p[0] - last[0], p[1] - last[1]) >= minStep) kept.push(p);
  }
  if (kept.length === 1) return [[kept[0]!, kept[0]!]];
  // A long segment is cut into pieces (the union of their round ends is the same shape), so each
  // box stays close to the brush instead of spanning the photo's diagonal.
  const maxLength = Math.max(32, 4 * s.radius);
  const out: [Point, Point][] = [];
  for (let i = 1; i < kept.length; i++) {
    const [ax, ay] = kept[i - 1]!;
    const [bx, by] = kept[i]!;
    const pieces = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / maxLength));
    for (let k = 0; k < pieces; k++) {
      const at = (f: number): Point => [ax + (bx - ax) * f, ay + (by - ay) * f];
      out.push([at(k / pieces), at((k + 1) / pieces)]);
    }
  }
  return out;
}

/** Side of the square tiles the stroke's coverage is kept in: only tiles the brush touches exist. */
const TILE = 64;

/** Pixels between two checks of the time budget while painting. */
const PIXELS_PER_SLICE = 1 << 14;

/**
 * Paints a stroke on a one-channel 8-bit raster (a mask) — into a copy of it, or `inPlace` into
 * the mask itself — returning the painted raster and the area it touched. The stroke is a union
 * of round segments, so overlapping dabs do not build up: each pixel takes the highest coverage
 * any segment gives it. Every segment is painted within its own small box into a sparse coverage
 * map, so the cost follows the painted area, not the stroke's bounding box times its segments.
 * Yields between slices of work (see `paintStrokeAsync`).
 */
function* paintSlices(mask: Raster, s: Stroke, inPlace: boolean): Generator<void, { raster: Raster; area: Rect | null }> {
  if (mask.channels !== 1 || mask.depth !== 8) throw new Error('strokes paint on one-channel 8-bit masks');
  const area = strokeArea(s, mask);
  if (!area) return { raster: mask, area: null };
  const { width, height } = mask;
  const tilesX = Math.ceil(width / TILE);
  const tiles = new Map<number, Float32Array>();
  const tileAt = (tx: number, ty: number) => {
    const key = ty * tilesX + tx;
    let t = tiles.get(key);
    if (!t) tiles.set(key, (t = new Float32Array(TILE * TILE)));
    return t;
  };
  const r = s.radius;
  const r2 = r * r;
  const core2 = (r * Math.min(s.hardness, 0.999)) ** 2;
  let sinceYield = 0;
  for (const [[ax, ay], [bx, by]] of segments(s)) {
    const box = intersectRect(
      {
        x: Math.floor(Math.min(ax, bx) - r),
        y: Math.floor(Math.min(ay, by) - r),
        width: Math.ceil(Math.abs(bx - ax) + 2 * r) + 2,
        height: Math.ceil(Math.abs(by - ay) + 2 * r) + 2,
      },
      fullRect(mask),
    );
    if (!box) continue;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    for (let y = box.y; y < box.y + box.height; y++) {
      const py = y + 0.5;
      const ty = Math.floor(y / TILE);
      const row = (y - ty * TILE) * TILE;
      let tx = -1;
      let cov: Float32Array | null = null;
      for (let x = box.x; x < box.x + box.width; x++) {
        const px = x + 0.5;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        const ex = px - (ax + t * dx);
        const ey = py - (ay + t * dy);
        const d2 = ex * ex + ey * ey;
        if (d2 >= r2) continue;
        const c = d2 <= core2 ? 1 : coverage(Math.sqrt(d2), r, s.hardness);
        if (x >= (tx + 1) * TILE || !cov) cov = tileAt((tx = Math.floor(x / TILE)), ty);
        const i = row + x - tx * TILE;
        if (c > cov[i]!) cov[i] = c;
      }
      sinceYield += box.width;
      if (sinceYield >= PIXELS_PER_SLICE) {
        sinceYield = 0;
        yield;
      }
    }
  }
  const out = inPlace ? mask : copyRaster(mask);
  for (const [key, cov] of tiles) {
    const x0 = (key % tilesX) * TILE;
    const y0 = Math.floor(key / tilesX) * TILE;
    for (let y = y0; y < Math.min(y0 + TILE, height); y++) {
      for (let x = x0; x < Math.min(x0 + TILE, width); x++) {
        const c = cov[(y - y0) * TILE + (x - x0)]! * s.opacity;
        if (c === 0) continue;
        const i = y * width + x;
        out.data[i] = Math.round(mask.data[i]! + (s.value - mask.data[i]!) * c);
      }
    }
    sinceYield += TILE * TILE;
    if (sinceYield >= PIXELS_PER_SLICE) {
      sinceYield = 0;
      yield;
    }
  }
  return { raster: out, area };
}

/** Longest the event loop is held by painting before it gets a turn. */
const SLICE_MS = 8;

/**
 * Paints a stroke, giving the event loop a turn every few milliseconds so a huge brush never
 * freezes the app. Into a new raster, or with `inPlace` into the mask itself (no copy of a 24 MB
 * mask for each stroke) where nothing else holds it.
 */
export async function paintStrokeAsync(mask: Raster, s: Stroke, { inPlace = false } = {}): Promise<{ raster: Raster; area: Rect | null }> {
  const slices = paintSlices(mask, s, inPlace);
  let sliceStart = performance.now();
  for (;;) {
    const step = slices.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
