import { GanvasError } from '../errors.js';
import { luma } from '../images/colour.js';
import { maskBounds, type BinaryMask } from '../images/masks.js';
import { allocRaster, cropRaster, intersectRect, maxValue, rasterFromPlanar, type Raster, type Rect } from '../images/raster.js';
import { resizeRaster } from '../images/resample.js';
import { anchoredCopy, combineBands } from '../images/bands.js';
import { harmonicFillAside } from '../images/harmonic-aside.js';
import { synthesizeByCopy } from '../images/copy-synthesis.js';
import { synthesizeTexture, type SynthesisInput } from '../images/patch-synthesis.js';
import { continueStructure, distanceToHole, stepAcross, type EdgeEntry, type OnwardRun } from '../images/structure.js';
import { readPlanarRgb } from '../inference/tensors.js';
import type { ModelHandle } from './tool.js';

/** Working size for inpainting models that do not declare one. */
const DEFAULT_WORKING_SIZE = 512;

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** Repeats the last column and row of a planar image out to a larger size. */
function padPlanar(src: Float32Array, w: number, h: number, pw: number, ph: number, planes: number): Float32Array {
  if (pw === w && ph === h) return src;
  const out = new Float32Array(planes * pw * ph);
  for (let k = 0; k < planes; k++) {
    for (let y = 0; y < ph; y++) {
      const sy = Math.min(y, h - 1);
      for (let x = 0; x < pw; x++) out[k * pw * ph + y * pw + x] = src[k * w * h + sy * w + Math.min(x, w - 1)]!;
    }
  }
  return out;
}

function unpadPlanar(src: Float32Array, pw: number, ph: number, w: number, h: number): Float32Array {
  if (pw === w && ph === h) return src;
  const out = new Float32Array(3 * w * h);
  for (let k = 0; k < 3; k++) for (let y = 0; y < h; y++) out.set(src.subarray(k * pw * ph + y * pw, k * pw * ph + y * pw + w), k * w * h + y * w);
  return out;
}

/**
 * Runs an inpainting model on one crop of `src`: `hole` (crop-sized bits) marks what to fill.
 * A crop larger than the model's working size is scaled down for the model and its fill scaled
 * back; sizes are padded to the model's multiple (edge pixels, marked known) or resized to its
 * fixed size. Returns the crop as planar RGB 0..1 with known pixels as they were.
 */
export async function fillCrop(model: ModelHandle, src: Raster, crop: Rect, hole: BinaryMask): Promise<Float32Array> {
  const infer = model.inferMasked;
  if (!infer) throw new GanvasError('MODEL_UNKNOWN', `${model.id} is not an inpainting model.`);
  const c = model.contract;
  const working = c.tiling.workingSize ?? DEFAULT_WORKING_SIZE;
  const scale = Math.min(1, working / Math.max(crop.width, crop.height));
  const [sw, sh] = c.fixedSize
    ? [c.fixedSize[1], c.fixedSize[0]]
    : [Math.max(c.minSize, Math.round(crop.width * scale)), Math.max(c.minSize, Math.round(crop.height * scale))];
  const resized = sw !== crop.width || sh !== crop.height;

  const pixels = cropRaster(src, crop);
  const holeRaster = allocRaster(crop.width, crop.height, 1, 8);
  for (let i = 0; i < hole.bits.length; i++) holeRaster.data[i] = hole.bits[i] ? 255 : 0;
  const [img, holeIn] = resized ? await Promise.all([resizeRaster(pixels, sw, sh), resizeRaster(holeRaster, sw, sh)]) : [pixels, holeRaster];
  const holeValues = new Float32Array(sw * sh);
  // Any coverage after scaling counts as hole, so no part of what the user marked survives.
  for (let i = 0; i < holeValues.length; i++) holeValues[i] = holeIn.data[i]! > 0 ? 1 : 0;

  const pw = c.fixedSize ? sw : roundUp(sw, c.multipleOf);
  const ph = c.fixedSize ? sh : roundUp(sh, c.multipleOf);
  const filled = await infer(padPlanar(readPlanarRgb(img, 0, 0, sw, sh), sw, sh, pw, ph, 3), padPlanar(holeValues, sw, sh, pw, ph, 1), pw, ph);
  const fill = unpadPlanar(filled, pw, ph, sw, sh);
  if (!resized) return fill;
  // Back to the crop's size at 16 bits, so scaling adds no rounding of its own.
  const back = await resizeRaster(rasterFromPlanar(fill, sw, sh, 16), crop.width, crop.height);
  return readPlanarRgb(back, 0, 0, crop.width, crop.height);
}

/**
 * Blends a planar RGB fill (crop-sized, 0..1) into `out` inside `crop` (and `region`, if given),
 * with per-pixel weights (full-image sized, 0..1). Where the weight is 0 the pixel is not touched
 * at all; alpha stays.
 */
export function blendFill(out: Raster, crop: Rect, fill: Float32Array, weights: Float32Array, region: Rect = crop): void {
  const max = maxValue(out.depth);
  const plane = crop.width * crop.height;
  const colour = out.channels >= 3 ? 3 : 1;
  const x0 = Math.max(0, region.x - crop.x),
    x1 = Math.min(crop.width, region.x + region.width - crop.x);
  const y0 = Math.max(0, region.y - crop.y),
    y1 = Math.min(crop.height, region.y + region.height - crop.y);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (crop.y + y) * out.width + crop.x + x;
      const w = weights[p]!;
      if (w === 0) continue;
      const f = y * crop.width + x;
      for (let k = 0; k < colour; k++) {
        const v = colour === 3 ? fill[k * plane + f]! : luma(fill[f]!, fill[plane + f]!, fill[2 * plane + f]!);
        const o = p * out.channels + k;
        out.data[o] = Math.round(out.data[o]! * (1 - w) + v * max * w);
      }
    }
  }
}

/**
 * How a hole is rebuilt around the network's fill: where its broad shapes and colours come from
 * (`low`, interleaved RGB of a window, given the pixels and the hole) — unless `copyAmidEdges`
 * and edges run into a wide hole without a partner across it: then from pixels copied out of the
 * photo, held near `low` — how strong the fine grain is laid over them (a share of the
 * surroundings'), and how far edges without a partner go on straight (outpainting has no far
 * side to meet, so all the way).
 */
export interface FillStyle {
  low: (pixels: Float32Array, width: number, height: number, hole: Uint8Array, signal: AbortSignal) => Float32Array | Promise<Float32Array>;
  copyAmidEdges: boolean;
  grain: number;
  onward: OnwardRun;
  /** See SynthesisInput.busiest. */
  busiest?: number;
  /** See combineBands' `agreeEverywhere`. */
  agreeEverywhere?: boolean;
}

/**
 * Erase: the smoothest fill that meets the photo all round the hole and the edges drawn through
 * it (which put ganvas-inpaint-v0's own broad colours 0.5–3 dB behind on every test photo); where
 * edges run into a wide hole and nothing across it continues them (an object's corner or outline,
 * a tangle of branches), pixels copied from the photo instead, which carry those edges on where a
 * smooth fill leaves a smudge. Its grain is the surroundings' at full strength: at 0.7 every fill
 * was a smoother patch than the photo around it (texture 0.65–0.69 of the ring on most holes of the
 * quality harness, where the photo itself is about 1.0), plain at 100 % on grass and in a night
 * photo's noise, and more so once Low light lifts it. Grain placed independently of the photo's
 * costs PSNR by construction (up to 3 dB where the photo is noise): 17.04 → 16.90 dB across
 * structure on the harness, still above every peer; the broad colours stay as accurate as a
 * smooth fill's (erase-quality's test). Where pixels are copied, an edge
 * without a partner, which ends somewhere inside the hole, goes on straight for 0.3 of the way
 * through it first, and the copies follow it on (edge continuation 0.238 → 0.260 on the quality
 * harness; all the way drew lines across whole objects' holes, 0.3 dB less accurate; 0.2 and 0.5
 * continued fewer) — but 16 px at most: what is left of the object beside a stroke (a spoon's
 * handle above it) would otherwise be drawn on down the stroke (24 px brought 14 of its silver
 * pixels back; 8 px continued fewer edges, 0.245); and not a lamp's rays, which the copies made a
 * pale block of (rocket.jpg's hole beside two lamps, 15.03 → 15.38 dB without them).
 */
export const ERASE_FILL: FillStyle = {
  low: (pixels, width, height, hole, signal) => harmonicFillAside({ pixels, width, height, hole }, signal),
  copyAmidEdges: true,
  grain: 1,
  onward: { share: 0.3, longest: 16, rays: false },
};

/** Edges without a partner end at the hole. */
const NOT_ON: OnwardRun = { share: 0, longest: 0, rays: false };

/** Detail finer than this (σ, pixels) is the grain whose strength follows the surroundings'. */
const DETAIL_SIGMA = 1.5;
/**
 * Copies are made where at least UNPAIRED edges run into the hole without a partner and its
 * deepest pixel is at least WIDE pixels from the photo: a thinner hole's smooth fill shows no
 * smudge, and its copied texture only costs accuracy (1.5–2 dB on fur and grass strokes) — or at
 * least WIDE_AMID_STEPS pixels where UNPAIRED of those edges step by STEP or more (0..1 of the
 * range): an object's bright edges ending in the hole (a bus's roof and side at night, 19 px deep)
 * made the smooth fill a glow 20 px across, and the patches held to it a mane of the object's
 * fragments; fur's, grass's and a saucer's edges step less, and copied there cost 1.5–3.9 dB
 * against a diffusion fill. The copies may stray from the smooth fill by ANCHOR.times the photo's
 * contrast (against its mean over ANCHOR.radius) beside them: at 1.5 times, pieces of other objects
 * came at full contrast into holes amid unpaired edges (a saucer's red in a spoon's bowl); at once,
 * across structure 17.03 → 17.13 dB on the quality harness, 21 of 25 such holes closer to the photo,
 * edge continuation 0.291 → 0.292 (at 0.75, 17.18 dB but 0.289).
 */
const UNPAIRED = 2;
const WIDE = 24;
const WIDE_AMID_STEPS = 16;
const STEP = 0.25;
const ANCHOR = { radius: 6, times: 1 };

/**
 * The network's fill with the photo's structure and texture: the edges that run into the hole are
 * drawn through it first (see structure.ts), the rest is rebuilt from the crop's own patches
 * starting from the network's fill (see patch-synthesis) — or, amid unpaired edges, copied pixel by
 * pixel (see copy-synthesis) — and that fine detail is laid over the style's broad colours, or over
 * the copies' own held near them. Planar RGB 0..1 in and out, crop-sized; outside the hole the
 * crop as it was.
 */
export async function withPhotoTexture(
  fill: Float32Array,
  crop: Rect,
  hole: BinaryMask,
  style: FillStyle,
  opts: { signal?: AbortSignal; from?: Uint8Array } = {},
): Promise<Float32Array> {
  const n = crop.width * crop.height;
  const out = Float32Array.from(fill);
  const box = maskBounds(hole);
  if (!box) return out;
  // Patches come from near the hole: enough for its texture, and the work stays in proportion to it.
  const win = intersectRect(
    { x: box.x - CONTEXT, y: box.y - CONTEXT, width: box.width + 2 * CONTEXT, height: box.height + 2 * CONTEXT },
    { x: 0, y: 0, width: crop.width, height: crop.height },
  )!;
  const m = win.width * win.height;
  const pixels = new Float32Array(m * 3);
  const bits = new Uint8Array(m);
  const from = opts.from ? new Uint8Array(m) : undefined;
  for (let y = 0; y < win.height; y++) {
    for (let x = 0; x < win.width; x++) {
      const q = y * win.width + x;
      const p = (win.y + y) * crop.width + win.x + x;
      for (let k = 0; k < 3; k++) pixels[q * 3 + k] = fill[k * n + p]!;
      bits[q] = hole.bits[p]!;
      if (from) from[q] = opts.from![p]!;
    }
  }
  // Edges that cross the hole (or, outpainting, head out of the old edge) are drawn first; the
  // rest of the hole is filled around them, so a line stays a line and each side keeps its colours.
  // The hole's depth takes a distance transform of the window: measured only where it decides.
  let depth: number | undefined;
  const copies = (unpaired: EdgeEntry[]) => {
    if (!style.copyAmidEdges || unpaired.length < UNPAIRED) return false;
    depth ??= deepest(bits, win.width, win.height);
    return depth >= (unpaired.filter((e) => stepAcross(e) >= STEP).length >= UNPAIRED ? WIDE_AMID_STEPS : WIDE);
  };
  // A smooth fill does not follow an edge that stops inside it (a stub reads as a scratch in a
  // stroke: coffee.png's blob in erase-quality fell 3 dB below a diffusion fill); copies do.
  let amidEdges = false;
  const structure = continueStructure(pixels, win.width, win.height, bits, (unpaired) => {
    amidEdges = copies(unpaired);
    return !style.copyAmidEdges || amidEdges ? style.onward : NOT_ON;
  });
  const rest = bits.map((b, q) => (b && !structure.drawn[q] ? 1 : 0));
  const input = (start: Float32Array, where: Uint8Array): SynthesisInput => ({
    width: win.width,
    height: win.height,
    pixels: start,
    hole: where,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(from ? { from } : {}),
  });
  const besideNoLine = bits.map((b, q) => (b && !structure.guide[q] ? 1 : 0));
  // The broad colours are made while the texture is (on a thread of their own, where that pays);
  // whatever ends this function first stops them.
  const stopSmooth = new AbortController();
  const stop = () => stopSmooth.abort();
  opts.signal?.addEventListener('abort', stop);
  const smoothing = Promise.resolve(style.low(structure.pixels, win.width, win.height, besideNoLine, stopSmooth.signal));
  smoothing.catch(() => {}); // awaited below; a rejection while the texture is still made is not unhandled
  let synthesized: Float32Array, low: Float32Array;
  try {
    if (amidEdges) {
      // Copies would cross a drawn line's sides, biting into it; so they are made around the sides
      // first, and the sides last, matching both the line and what is copied beyond them.
      const around = await synthesizeByCopy(input(structure.pixels, besideNoLine));
      synthesized = await synthesizeByCopy(
        input(
          around,
          structure.guide.map((g, q) => (g && !structure.drawn[q] ? 1 : 0)),
        ),
      );
      low = anchoredCopy(synthesized, await smoothing, win.width, win.height, rest, ANCHOR.radius, ANCHOR.times);
    } else {
      // The patches are held to the broad colours, so the texture cannot carry an edge where they have none.
      low = await smoothing;
      synthesized = await synthesizeTexture({ ...input(structure.pixels, rest), guide: low, ...(style.busiest ? { busiest: style.busiest } : {}) });
    }
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    stop();
  }
  const done = combineBands(low, synthesized, win.width, win.height, rest, DETAIL_SIGMA, style.grain, {
    lines: { where: structure.guide, colours: structure.pixels },
    agreeEverywhere: style.agreeEverywhere ?? false,
  });
  for (let y = 0; y < win.height; y++) {
    for (let x = 0; x < win.width; x++) {
      const q = y * win.width + x;
      const p = (win.y + y) * crop.width + win.x + x;
      if (bits[q]) for (let k = 0; k < 3; k++) out[k * n + p] = Math.min(1, Math.max(0, done[q * 3 + k]!));
    }
  }
  return out;
}

/** Pixels of photo around a hole that the texture step reads (its patches and its surroundings' grain). */
const CONTEXT = 128;

/** How far (pixels) the hole's deepest pixel is from the photo around it. */
function deepest(hole: Uint8Array, width: number, height: number): number {
  const toPhoto = distanceToHole(
    hole.map((b) => 1 - b),
    width,
    height,
  );
  return hole.reduce((most, b, p) => (b ? Math.max(most, toPhoto[p]!) : most), 0);
}
