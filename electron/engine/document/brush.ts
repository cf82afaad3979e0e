import { copyRaster, fullRect, intersectRect, type Raster, type Rect } from '../images/raster.js';

/** A brush stroke in the pixel coordinates of the raster it paints on. */
export interface Stroke {
  points: [number, number][];
  /** Brush radius in pixels. */
  radius: number;
  /** 1: a hard edge; 0: soft all the way from the centre. */
  hardness: number;
  /** The value painted, 0..255 (on a layer mask 0 hides, 255 reveals). */
  value: number;
  /** 0..1: how far one stroke moves pixels towards `value`. */
  opacity: number;
}

/** The stroke's bounding box (clipped to the raster), or null if it lies outside. */
export function strokeArea(s: Stroke, r: Pick<Raster, 'width' | 'height'>): Rect | null {
  const xs = s.points.map((p) => p[0]);
  const ys = s.points.map((p) => p[1]);
  const x = Math.floor(Math.min(...xs) - s.radius);
  const y = Math.floor(Math.min(...ys) - s.radius);
  const box = { x, y, width: Math.ceil(Math.max(...xs) + s.radius) - x + 1, height: Math.ceil(Math.max(...ys) + s.radius) - y + 1 };
  return intersectRect(box, fullRect(r));
}

function distanceToSegment(px: number, py: number, [ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Coverage 0..1 of a pixel at `d` from the stroke's centre line: full inside the hard core, smooth to the rim. */
function coverage(d: number, radius: number, hardness: number): number {
  if (d >= radius) return 0;
  const core = radius * Math.min(hardness, 0.999);
  if (d <= core) return 1;
  const t = (d - core) / (radius - core);
  return 1 - t * t * (3 - 2 * t);
}

/**
 * Paints a stroke on a one-channel 8-bit raster (a mask), returning a new raster and the area
 * it touched. The stroke is a union of round segments, so overlapping dabs do not build up.
 */
export function paintStroke(mask: Raster, s: Stroke): { raster: Raster; area: Rect | null } {
  if (mask.channels !== 1 || mask.depth !== 8) throw new Error('strokes paint on one-channel 8-bit masks');
  const area = strokeArea(s, mask);
  if (!area) return { raster: mask, area: null };
  const out = copyRaster(mask);
  const segments = s.points.length === 1 ? [[s.points[0]!, s.points[0]!] as const] : s.points.slice(1).map((p, i) => [s.points[i]!, p] as const);
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      let d = Infinity;
      for (const [a, b] of segments) d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, a, b));
      const c = coverage(d, s.radius, s.hardness) * s.opacity;
      if (c === 0) continue;
      const i = y * mask.width + x;
      out.data[i] = Math.round(mask.data[i]! + (s.value - mask.data[i]!) * c);
    }
  }
  return { raster: out, area };
}
