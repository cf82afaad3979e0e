import { resizeRaster } from '../images/resample.js';
import { allocRaster, colourChannels, hasAlpha, intersectRect, maxValue, type Raster, type Rect } from '../images/raster.js';
import { BLEND_FUNCTIONS, compositeChannel, type BlendMode } from './blend.js';

/** A layer as composition sees it: its pixels stretched over `bounds` (canvas pixels). */
export interface CompositeLayer {
  raster: Raster;
  /** One 8-bit channel at the raster's size: 255 shows the layer, 0 hides it. */
  mask: Raster | null;
  bounds: Rect;
  opacity: number;
  blend: BlendMode;
}

const BAND_ROWS = 64;

function contains(outer: Rect, inner: Rect): boolean {
  return outer.x <= inner.x && outer.y <= inner.y && outer.x + outer.width >= inner.x + inner.width && outer.y + outer.height >= inner.y + inner.height;
}

/** A layer that hides everything below it inside `area`. */
function coversOpaquely(l: CompositeLayer, area: Rect): boolean {
  return l.blend === 'normal' && l.opacity === 1 && l.mask === null && !hasAlpha(l.raster) && contains(l.bounds, area);
}

async function atBoundsSize(l: CompositeLayer): Promise<CompositeLayer> {
  const { width, height } = l.bounds;
  const fit = async (r: Raster) => (r.width === width && r.height === height ? r : resizeRaster(r, width, height));
  return { ...l, raster: await fit(l.raster), mask: l.mask && (await fit(l.mask)) };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The same pixels without the alpha channel (used when the composition came out fully opaque). */
function dropAlpha(r: Raster): Raster {
  const cc = colourChannels(r);
  const out = allocRaster(r.width, r.height, cc, r.depth);
  for (let p = 0, n = r.width * r.height; p < n; p++) for (let k = 0; k < cc; k++) out.data[p * cc + k] = r.data[p * r.channels + k]!;
  return out;
}

/**
 * Composes layers (bottom first) into the canvas rectangle `area`, with each layer's blend mode,
 * opacity, alpha and mask. Works in float on bands of rows, yielding between bands so the
 * process stays responsive. The result is 16-bit if any layer is, colour if any layer is, and
 * carries alpha only where the composition is not opaque. A single layer that covers the area
 * exactly comes back as is, bit for bit.
 */
export async function composite(layers: CompositeLayer[], area: Rect): Promise<Raster> {
  if (layers.length === 0) throw new Error('nothing to compose');
  let start = layers.length - 1;
  while (start > 0 && !coversOpaquely(layers[start]!, area)) start--;
  const used = layers.slice(start);
  const only = used[0]!;
  if (
    used.length === 1 &&
    coversOpaquely(only, area) &&
    only.bounds.width === area.width &&
    only.bounds.height === area.height &&
    only.bounds.x === area.x &&
    only.bounds.y === area.y &&
    only.raster.width === area.width &&
    only.raster.height === area.height
  ) {
    return only.raster;
  }
  const sized = await Promise.all(used.map(atBoundsSize));
  const depth = sized.some((l) => l.raster.depth === 16) ? 16 : 8;
  const colour = sized.some((l) => colourChannels(l.raster) === 3) ? 3 : 1;
  const out = allocRaster(area.width, area.height, colour === 3 ? 4 : 2, depth);
  const outMax = maxValue(depth);
  const acc = new Float32Array(area.width * BAND_ROWS * 4);
  let opaque = true;

  for (let y0 = 0; y0 < area.height; y0 += BAND_ROWS) {
    const rows = Math.min(BAND_ROWS, area.height - y0);
    acc.fill(0);
    for (const l of sized) {
      const band = intersectRect(l.bounds, { x: area.x, y: area.y + y0, width: area.width, height: rows });
      if (!band) continue;
      const r = l.raster;
      const inMax = maxValue(r.depth);
      const cc = colourChannels(r);
      const alphaAt = hasAlpha(r) ? cc : -1;
      const blend = BLEND_FUNCTIONS[l.blend];
      for (let y = band.y; y < band.y + band.height; y++) {
        const ly = y - l.bounds.y;
        const accRow = (y - area.y - y0) * area.width;
        for (let x = band.x; x < band.x + band.width; x++) {
          const lp = ly * r.width + (x - l.bounds.x);
          let as = l.opacity;
          if (alphaAt >= 0) as *= r.data[lp * r.channels + alphaAt]! / inMax;
          if (l.mask) as *= l.mask.data[lp]! / 255;
          if (as === 0) continue;
          const a = (accRow + x - area.x) * 4;
          const ab = acc[a + 3]!;
          for (let k = 0; k < 3; k++) {
            const cs = r.data[lp * r.channels + (cc === 3 ? k : 0)]! / inMax;
            acc[a + k] = compositeChannel(blend, acc[a + k]!, ab, cs, as);
          }
          acc[a + 3] = as + ab * (1 - as);
        }
      }
    }
    const oc = out.channels;
    for (let i = 0, n = rows * area.width; i < n; i++) {
      const o = (y0 * area.width + i) * oc;
      for (let k = 0; k < colour; k++) out.data[o + k] = Math.round(acc[i * 4 + k]! * outMax);
      const alpha = Math.round(acc[i * 4 + 3]! * outMax);
      out.data[o + colour] = alpha;
      if (alpha !== outMax) opaque = false;
    }
    await nextTurn();
  }
  return opaque ? dropAlpha(out) : out;
}
