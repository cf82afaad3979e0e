import { CancelledError } from '../errors.js';
import type { SynthesisInput } from './patch-synthesis.js';
import { seededRandom } from './seeded-random.js';
import { downsample, type Level } from './level.js';
import { countSet } from './masks.js';
import { SummedArea } from './summed-area.js';

/**
 * Hole filling by copying pixels (Efros and Leung's non-parametric sampling in the onion order of
 * Criminisi et al., with Harrison's Resynthesizer's way of finding candidates): the hole is filled
 * from its rim inwards, most-surrounded pixel first; each pixel is copied, never averaged, from
 * the place in the photo whose neighbourhood best matches what is already around it. Candidates
 * are where its filled neighbours came from, shifted by one (so a copied stretch of an edge or of
 * a texture goes on as it did in the photo), and random places refined around the best. What is
 * copied keeps the photo's sharpness: an edge that enters the hole finds a place where the same
 * edge goes on, instead of being averaged into a smudge.
 */

/** How far (pixels) a neighbourhood reaches: a 7×7 window, as the texture's patches. */
const REACH = 3;
/** The nearest known neighbours compared (Resynthesizer compares 16 too)… */
const NEIGHBOURS = 16;
/**
 * …places tried for each pixel: anywhere in the window, and twice as many nearby (within NEARBY
 * pixels, where the same surface most likely goes on: copies alone, before the source margin,
 * scored 0.28 on the quality harness's edge continuation with these, 0.24 with 100 tries
 * anywhere), then refined around the best at halving radii.
 */
const PROBES = 24;
const NEARBY_PROBES = 48;
const NEARBY = 40;
const REFINE_FROM = 16;
/** A copied stretch that goes on matching within this (RMS, 0..1: about 10 levels) is not searched further. */
const GOOD = 0.04;
/**
 * Copies come from windows this far (pixels, at full size) clear of the hole: what borders it is
 * most often the erased object's own edge, its halo or a part the brush missed (the rest of a
 * spoon), and copied on it grows back into the hole (coffee.png's spoon: 58 silver pixels back at
 * 4 px, 4 at 8, none at 12).
 */
const SOURCE_MARGIN = 12;
/** Pixels filled between checks for a cancel. */
const CHUNK = 4096;

/** Offsets within REACH, nearest first: the order in which a pixel's neighbours are compared. */
const [OX, OY] = (() => {
  const all: [number, number][] = [];
  for (let dy = -REACH; dy <= REACH; dy++) for (let dx = -REACH; dx <= REACH; dx++) if (dx || dy) all.push([dx, dy]);
  all.sort((a, b) => Math.hypot(...a) - Math.hypot(...b));
  return [Int32Array.from(all, (o) => o[0]), Int32Array.from(all, (o) => o[1])];
})();
/** The first 8 offsets are the pixel's touching neighbours: where they came from is where it goes on. */
const TOUCHING = 8;

/**
 * Holes of more pixels than this are filled at half size first, and each pixel then copied from
 * its half-size pixel's source, the same place in its 2×2 block: the fill's time grows with its
 * pixels (a 512² hole took 2 s here), and at half size a neighbourhood reaches twice as far, which
 * a hole that wide needs to carry its broad shapes. Only once: blocks of 4×4 showed as squares at
 * 100 % (lime_1.png at twice its size, a 512² hole), so larger holes take longer instead.
 */
const FULL_SIZE_MOST = 128 * 128;

/**
 * Fills `input.hole` by copying. Returns interleaved RGB 0..1: outside the hole `input.pixels`
 * exactly; inside, pixels of the photo (from `from`, clear of the hole). Without any place to copy
 * from, the input is returned as it was.
 */
export async function synthesizeByCopy(input: SynthesisInput): Promise<Float32Array> {
  const level: Level = {
    width: input.width,
    height: input.height,
    image: Float32Array.from(input.pixels),
    hole: input.hole,
    from: input.from ?? new Uint8Array(input.width * input.height).fill(1),
  };
  await fill(level, { rand: seededRandom(input.seed ?? 1), ...(input.signal ? { signal: input.signal } : {}) });
  return level.image;
}

interface Search {
  rand: () => number;
  signal?: AbortSignal;
}

/** Fills `l.image` in its hole (left as it is where there is no place to copy from). */
async function fill(l: Level, search: Search): Promise<void> {
  if (countSet({ width: l.width, height: l.height, bits: l.hole }) > FULL_SIZE_MOST) {
    const half = downsample(l, 'all');
    // A mean of four pixels has half their noise: the same tolerance would let stretches run on
    // twice as far, and the fill showed flat copied rectangles (rocket.jpg's girders).
    const halfFrom = await copyPixels(half, Math.ceil(SOURCE_MARGIN / 2), GOOD / 2, search);
    if (halfFrom) return copyBlocks(l, half, halfFrom);
  }
  await copyPixels(l, SOURCE_MARGIN, GOOD, search);
}

/** Each hole pixel of `l` from the source of its pixel in `half`, at the same place in that source's 2×2 block. */
function copyBlocks(l: Level, half: Level, halfFrom: Int32Array): void {
  const { width: w, image, hole } = l;
  for (let p = 0; p < hole.length; p++) {
    if (!hole[p]) continue;
    const x = p % w,
      y = (p - x) / w;
    const c = halfFrom[(y >> 1) * half.width + (x >> 1)]!;
    const cx = c % half.width,
      cy = (c - cx) / half.width;
    const s = (2 * cy + (y & 1)) * w + 2 * cx + (x & 1);
    image[p * 3] = image[s * 3]!;
    image[p * 3 + 1] = image[s * 3 + 1]!;
    image[p * 3 + 2] = image[s * 3 + 2]!;
  }
}

/**
 * Fills `l.image` in its hole pixel by pixel (see the top of this file); returns where each pixel
 * came from (−1: photo), or nothing when there is no place to copy from.
 */
async function copyPixels(l: Level, margin: number, good: number, { rand, signal }: Search): Promise<Int32Array | undefined> {
  const { width: w, height: h, hole, image } = l;
  const n = w * h;
  const todo: number[] = [];
  for (let p = 0; p < n; p++) if (hole[p]) todo.push(p);
  if (todo.length === 0) return new Int32Array(n).fill(-1);
  // Sources: whole windows of photo, in the image, `margin` clear of the hole.
  const isSource = new Uint8Array(n);
  const sources: number[] = [];
  const holes = new SummedArea(hole, w, h);
  const clear = REACH + margin;
  for (let y = REACH; y < h - REACH; y++)
    for (let x = REACH; x < w - REACH; x++) {
      const p = y * w + x;
      if (!l.from[p]) continue;
      if (holes.sum(Math.max(0, x - clear), Math.max(0, y - clear), Math.min(w, x + clear + 1), Math.min(h, y + clear + 1)) > 0) continue;
      isSource[p] = 1;
      sources.push(p);
    }
  if (sources.length === 0) return undefined;

  const known = new Uint8Array(n);
  for (let p = 0; p < n; p++) known[p] = hole[p] ? 0 : 1;
  /** Where each filled pixel was copied from (−1: not filled, or photo). */
  const cameFrom = new Int32Array(n).fill(-1);

  // Most-surrounded first: a bucket queue on how many of the window's pixels are known, in steps
  // of 4 (each pixel is queued again only when it moves up a step).
  const support = new Uint8Array(n);
  const buckets: number[][] = Array.from({ length: (OX.length >> 2) + 1 }, () => []);
  for (const p of todo) {
    const x = p % w,
      y = (p - x) / w;
    let c = 0;
    for (let i = 0; i < OX.length; i++) {
      const qx = x + OX[i]!,
        qy = y + OY[i]!;
      if (qx >= 0 && qy >= 0 && qx < w && qy < h && known[qy * w + qx]) c++;
    }
    support[p] = c;
    buckets[c >> 2]!.push(p);
  }
  let top = OX.length >> 2;

  // The neighbours compared for the pixel being filled: offsets in the image, and their colours there.
  const offsets = new Int32Array(NEIGHBOURS);
  const nc = new Float32Array(NEIGHBOURS * 3);
  let count = 0;
  let best = -1,
    bestD = Infinity;
  /** Takes source `s` if its neighbourhood matches the pixel's better than the best so far. */
  const consider = (s: number) => {
    if (s < 0 || s >= n || !isSource[s] || s === best) return;
    let d = 0;
    for (let i = 0; i < count && d < bestD; i++) {
      const q = (s + offsets[i]!) * 3;
      const e0 = image[q]! - nc[i * 3]!,
        e1 = image[q + 1]! - nc[i * 3 + 1]!,
        e2 = image[q + 2]! - nc[i * 3 + 2]!;
      d += e0 * e0 + e1 * e1 + e2 * e2;
    }
    if (d < bestD) {
      best = s;
      bestD = d;
    }
  };
  const probeAround = (x: number, y: number, radius: number) => {
    const px = Math.round(x + (rand() * 2 - 1) * radius),
      py = Math.round(y + (rand() * 2 - 1) * radius);
    if (px >= 0 && py >= 0 && px < w && py < h) consider(py * w + px);
  };

  /** The best place to copy pixel `t` from, judged by its known neighbours. */
  const bestSourceFor = (t: number): number => {
    const tx = t % w,
      ty = (t - tx) / w;
    count = 0;
    for (let i = 0; i < OX.length && count < NEIGHBOURS; i++) {
      const qx = tx + OX[i]!,
        qy = ty + OY[i]!;
      if (qx < 0 || qy < 0 || qx >= w || qy >= h || !known[qy * w + qx]) continue;
      const q = (qy * w + qx) * 3;
      offsets[count] = OY[i]! * w + OX[i]!;
      nc[count * 3] = image[q]!;
      nc[count * 3 + 1] = image[q + 1]!;
      nc[count * 3 + 2] = image[q + 2]!;
      count++;
    }
    best = -1;
    bestD = Infinity;
    // Where the touching neighbours came from, shifted: the copied stretch goes on.
    for (let i = 0; i < TOUCHING; i++) {
      const qx = tx + OX[i]!,
        qy = ty + OY[i]!;
      if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
      const from = cameFrom[qy * w + qx]!;
      if (from >= 0) consider(from - OY[i]! * w - OX[i]!);
    }
    // A stretch that goes on well needs no search; elsewhere, places anywhere and nearby.
    if (bestD > count * 3 * good * good) {
      for (let k = 0; k < PROBES; k++) consider(sources[Math.floor(rand() * sources.length)]!);
      for (let k = 0; k < NEARBY_PROBES; k++) probeAround(tx, ty, NEARBY);
    }
    for (let radius = REFINE_FROM; radius >= 1 && best >= 0; radius >>= 1) probeAround(best % w, Math.floor(best / w), radius);
    return best >= 0 ? best : sources[Math.floor(rand() * sources.length)]!;
  };
  // Awaited only every CHUNK pixels: an await per pixel cost a fifth of the fill.
  const breathe = async () => {
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw new CancelledError();
  };

  let filled = 0;
  for (;;) {
    while (top >= 0 && buckets[top]!.length === 0) top--;
    if (top < 0) break;
    // A random pixel of the best-surrounded bucket, so the rim is not filled in scan order.
    const bucket = buckets[top]!;
    const pick = Math.floor(rand() * bucket.length);
    const t = bucket[pick]!;
    bucket[pick] = bucket[bucket.length - 1]!;
    bucket.pop();
    if (known[t] || support[t]! >> 2 !== top) continue;
    const s = bestSourceFor(t);
    image[t * 3] = image[s * 3]!;
    image[t * 3 + 1] = image[s * 3 + 1]!;
    image[t * 3 + 2] = image[s * 3 + 2]!;
    cameFrom[t] = s;
    known[t] = 1;
    const tx = t % w,
      ty = (t - tx) / w;
    for (let i = 0; i < OX.length; i++) {
      const qx = tx + OX[i]!,
        qy = ty + OY[i]!;
      if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
      const q = qy * w + qx;
      if (known[q]) continue;
      const c = ++support[q]!;
      if (c & 3) continue;
      buckets[c >> 2]!.push(q);
      if (c >> 2 > top) top = c >> 2;
    }
    if (++filled % CHUNK === 0) await breathe();
  }
  return cameFrom;
}
