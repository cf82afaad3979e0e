import { dilate, maskBounds } from './masks.js';
import { boxMeanRgb } from './summed-area.js';

/** Separable Gaussian blur of interleaved RGB floats, edges clamped. */
function gaussianBlurRgb(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const r = Math.ceil(sigma * 3);
  const kernel = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / total;
  const across = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) for (let k = 0; k < 3; k++) blurLine(src, across, y * width * 3 + k, 3, width, kernel);
  for (let x = 0; x < width; x++) for (let k = 0; k < 3; k++) blurLine(across, out, x * 3 + k, width * 3, height, kernel);
  return out;
}

/** One line of `length` values, `step` apart from `start`, convolved with a centred kernel; the ends clamped. */
function blurLine(src: Float32Array, dst: Float32Array, start: number, step: number, length: number, kernel: Float32Array): void {
  const r = (kernel.length - 1) / 2;
  for (let j = 0; j < length; j++) {
    let s = 0;
    if (j >= r && j < length - r) {
      for (let i = 0, q = start + (j - r) * step; i < kernel.length; i++, q += step) s += kernel[i]! * src[q]!;
    } else {
      for (let i = -r; i <= r; i++) s += kernel[i + r]! * src[start + Math.min(length - 1, Math.max(0, j + i)) * step]!;
    }
    dst[start + j * step] = s;
  }
}

/**
 * `work` on the part of two images (interleaved RGB) within `margin` of the hole's bounding box,
 * whose hole pixels go into a copy of the first: for work whose hole pixels read no further
 * than `margin` the result is the same as on the whole images, in a fraction of the time where the
 * hole is a small part of them (half, for the copies of a 512² hole with the photo around it).
 */
function nearHole(
  first: Float32Array,
  second: Float32Array,
  width: number,
  height: number,
  hole: Uint8Array,
  margin: number,
  work: (first: Float32Array, second: Float32Array, width: number, height: number, hole: Uint8Array) => Float32Array,
): Float32Array {
  const out = Float32Array.from(first);
  const box = maskBounds({ width, height, bits: hole });
  if (!box) return out;
  const x0 = Math.max(0, box.x - margin),
    y0 = Math.max(0, box.y - margin);
  const w = Math.min(width, box.x + box.width + margin) - x0,
    h = Math.min(height, box.y + box.height + margin) - y0;
  const crop = (rgb: Float32Array) => {
    const part = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) part.set(rgb.subarray(((y0 + y) * width + x0) * 3, ((y0 + y) * width + x0 + w) * 3), y * w * 3);
    return part;
  };
  const inHole = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) inHole.set(hole.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
  const done = work(crop(first), crop(second), w, h, inHole);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const q = y * w + x;
      if (!inHole[q]) continue;
      const p = (y0 + y) * width + x0 + x;
      for (let k = 0; k < 3; k++) out[p * 3 + k] = done[q * 3 + k]!;
    }
  return out;
}

/** How far around the hole the photo's own grain is measured. */
const RING = 12;
/** The photo within RING pixels of the hole. */
function ringAround(hole: Uint8Array, width: number, height: number): Uint8Array {
  const grown = dilate({ width, height, bits: hole }, RING).bits;
  return grown.map((v, p) => (v && !hole[p] ? 1 : 0));
}

/** A detail value beyond this many times the surroundings' RMS detail is an edge from elsewhere, not grain. */
const DETAIL_CLAMP = 2.5;

/** Mean |4-neighbour Laplacian| of the luma of interleaved RGB over the pixels where `where` is set. */
function fineDetail(rgb: Float32Array, width: number, height: number, where: Uint8Array): number {
  const y = (p: number) => 0.299 * rgb[p * 3]! + 0.587 * rgb[p * 3 + 1]! + 0.114 * rgb[p * 3 + 2]!;
  let sum = 0,
    n = 0;
  for (let j = 1; j < height - 1; j++) {
    for (let i = 1; i < width - 1; i++) {
      const p = j * width + i;
      if (!where[p]) continue;
      sum += Math.abs(y(p - 1) + y(p + 1) + y(p - width) + y(p + width) - 4 * y(p));
      n++;
    }
  }
  return n ? sum / n : 0;
}

/**
 * Inside `hole`: the broad shapes and colours of `low` (which is the photo outside the hole) with
 * the fine detail of `detail`, each split at `sigma`. The detail's strength is `grain` times the
 * fine detail around the hole, and stray edges are clipped to its range, so the fill's texture and
 * noise follow what surrounds it. With `agreeWithin`, the detail is kept only where `detail`'s
 * own broad colours are near `low`'s (none where they are that far apart, RGB distance 0..1, and
 * linearly more nearer): patches that found no match for a blend the photo does not have bring
 * another object's detail, an embossed ghost. Outside the hole: `low` as it is.
 */
export function combineBands(
  low: Float32Array,
  detail: Float32Array,
  width: number,
  height: number,
  hole: Uint8Array,
  sigma: number,
  grain: number,
  agreeWithin?: number,
): Float32Array {
  // The hole's pixels read the ring, whose low pass reads a blur's reach beyond it (and one more for the Laplacian).
  return nearHole(low, detail, width, height, hole, RING + Math.ceil(sigma * 3) + 1, (low, detail, width, height, hole) => {
    const lowPass = gaussianBlurRgb(low, width, height, sigma);
    const detailLow = gaussianBlurRgb(detail, width, height, sigma);
    const ring = ringAround(hole, width, height);
    const band = detail.map((v, i) => v - detailLow[i]!);
    // The grain's strength is set where the patches agree, so what is kept has the surroundings' grain.
    const agreed = agreeWithin === undefined ? hole : Uint8Array.from(hole);
    if (agreeWithin !== undefined)
      for (let p = 0; p < width * height; p++) {
        if (!hole[p]) continue;
        let d = 0;
        for (let k = 0; k < 3; k++) d += (detailLow[p * 3 + k]! - lowPass[p * 3 + k]!) ** 2;
        const kept = Math.max(0, 1 - Math.sqrt(d) / agreeWithin);
        for (let k = 0; k < 3; k++) band[p * 3 + k] = band[p * 3 + k]! * kept;
        agreed[p] = kept >= 0.5 ? 1 : 0;
      }
    const bandDetail = fineDetail(band, width, height, agreed);
    const gain = bandDetail > 0 ? (grain * fineDetail(low, width, height, ring)) / bandDetail : 0;
    const limits = localLimits(low, lowPass, width, height, hole, ring, DETAIL_CLAMP);
    const out = Float32Array.from(low);
    for (let p = 0; p < width * height; p++) {
      if (!hole[p]) continue;
      const limit = limits[p]!;
      for (let k = 0; k < 3; k++) {
        const i = p * 3 + k;
        out[i] = lowPass[i]! + Math.max(-limit, Math.min(limit, gain * band[i]!));
      }
    }
    return out;
  });
}

/** How far along the ring (pixels, a square's half side) the photo's grain is measured for each part of the fill. */
const LOCAL = 12;

/**
 * Each hole pixel's bound on detail: `times` the RMS detail (`low` − `lowPass`) of the photo around the
 * ring pixel nearest to it. Where the hole meets calm sky its grain stays that of the sky, even if
 * the patches brought a girder's or a cat's fur from elsewhere (which reads as an embossed ghost);
 * where it meets foliage, foliage's.
 */
function localLimits(low: Float32Array, lowPass: Float32Array, width: number, height: number, hole: Uint8Array, ring: Uint8Array, times: number): Float32Array {
  const n = width * height;
  // Sums over squares in O(1) each: of the ring's squared detail, and of how many ring pixels there are.
  const W = width + 1;
  const sq = new Float64Array(W * (height + 1));
  const count = new Float64Array(W * (height + 1));
  for (let y = 0; y < height; y++) {
    let [rowSq, rowCount] = [0, 0];
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (ring[p]) {
        for (let k = 0; k < 3; k++) rowSq += (low[p * 3 + k]! - lowPass[p * 3 + k]!) ** 2 / 3;
        rowCount++;
      }
      sq[(y + 1) * W + x + 1] = sq[y * W + x + 1]! + rowSq;
      count[(y + 1) * W + x + 1] = count[y * W + x + 1]! + rowCount;
    }
  }
  const box = (t: Float64Array, x0: number, y0: number, x1: number, y1: number) => t[y1 * W + x1]! - t[y0 * W + x1]! - t[y1 * W + x0]! + t[y0 * W + x0]!;
  // From the ring inwards, breadth first: every hole pixel takes its nearest ring pixel's bound.
  const limits = new Float32Array(n);
  const reached = new Uint8Array(n);
  const queue = new Int32Array(n);
  let [head, tail] = [0, 0];
  for (let p = 0; p < n; p++)
    if (ring[p]) {
      const x = p % width,
        y = (p - x) / width;
      const [x0, y0, x1, y1] = [Math.max(0, x - LOCAL), Math.max(0, y - LOCAL), Math.min(width, x + LOCAL + 1), Math.min(height, y + LOCAL + 1)];
      limits[p] = times * Math.sqrt(box(sq, x0, y0, x1, y1) / box(count, x0, y0, x1, y1));
      reached[p] = 1;
      queue[tail++] = p;
    }
  const reach = (q: number, limit: number) => {
    if (reached[q] || !hole[q]) return;
    limits[q] = limit;
    reached[q] = 1;
    queue[tail++] = q;
  };
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    if (x > 0) reach(p - 1, limits[p]!);
    if (x < width - 1) reach(p + 1, limits[p]!);
    if (p >= width) reach(p - width, limits[p]!);
    if (p + width < n) reach(p + width, limits[p]!);
  }
  return limits;
}

/**
 * Copies held near a smooth fill: inside `hole`, `copy` may stray from `smooth` by at most
 * `times` the photo's own contrast (against its mean over `radius`) beside the nearest part of the
 * rim. Beside an edge that is the edge's contrast, so the copies carry it on; beside a calm saucer
 * or sky it is little, so a bright fragment copied from elsewhere (a spoon's silver) cannot land there.
 */
export function anchoredCopy(
  copy: Float32Array,
  smooth: Float32Array,
  width: number,
  height: number,
  hole: Uint8Array,
  radius: number,
  times: number,
): Float32Array {
  // The hole's pixels read the ring, whose means read `radius` beyond it.
  return nearHole(copy, smooth, width, height, hole, RING + radius, (copy, smooth, width, height, hole) => {
    const ring = ringAround(hole, width, height);
    const limits = localLimits(smooth, boxMeanRgb(smooth, width, height, radius), width, height, hole, ring, times);
    const out = Float32Array.from(copy);
    for (let p = 0; p < width * height; p++) {
      if (!hole[p]) continue;
      for (let k = 0; k < 3; k++) {
        const i = p * 3 + k;
        out[i] = smooth[i]! + Math.max(-limits[p]!, Math.min(limits[p]!, copy[i]! - smooth[i]!));
      }
    }
    return out;
  });
}
