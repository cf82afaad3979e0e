import { dilate, maskBounds } from './masks.js';
import { seededRandom } from './seeded-random.js';
import { boxMeanRgb, rectangleStats, SummedArea } from './summed-area.js';

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

/** The same part of another full-size image (`channels` values a pixel, interleaved). */
type Part = <T extends Uint8Array | Float32Array>(values: T, channels?: number) => T;

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
  work: (first: Float32Array, second: Float32Array, width: number, height: number, hole: Uint8Array, part: Part) => Float32Array,
): Float32Array {
  const out = Float32Array.from(first);
  const box = maskBounds({ width, height, bits: hole });
  if (!box) return out;
  const x0 = Math.max(0, box.x - margin),
    y0 = Math.max(0, box.y - margin);
  const w = Math.min(width, box.x + box.width + margin) - x0,
    h = Math.min(height, box.y + box.height + margin) - y0;
  const part: Part = (values, channels = 1) => {
    const inside = new (values.constructor as new (n: number) => typeof values)(w * h * channels);
    for (let y = 0; y < h; y++) inside.set(values.subarray(((y0 + y) * width + x0) * channels, ((y0 + y) * width + x0 + w) * channels), y * w * channels);
    return inside;
  };
  const inHole = part(hole);
  const done = work(part(first, 3), part(second, 3), w, h, inHole, part);
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
 * How near the patches' own broad colours must be to the fill's (RGB distance 0..1) for their detail
 * to be kept where that is checked: none at this distance, linearly more nearer.
 */
const AGREEMENT = 0.05;
/**
 * …and so must they within this many pixels (each way): where two patches of different colours
 * meet over a blend of them (a suit's orange fading into a grey wall), their blurred seam passes
 * through the blend's colour, and the seam's one-pixel step was kept as a pale or dark scratch,
 * dozens of them across astronaut.png +50 %'s border.
 */
const AGREEMENT_REACH = 2;

/** The largest value of `v` within `radius` pixels each way (a square). */
function localMax(v: Float32Array, width: number, height: number, radius: number): Float32Array {
  const across = new Float32Array(v.length);
  const out = new Float32Array(v.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let i = Math.max(0, x - radius); i <= Math.min(width - 1, x + radius); i++) m = Math.max(m, v[y * width + i]!);
      across[y * width + x] = m;
    }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let j = Math.max(0, y - radius); j <= Math.min(height - 1, y + radius); j++) m = Math.max(m, across[j * width + x]!);
      out[y * width + x] = m;
    }
  return out;
}

/**
 * What is finer than `sigma` in interleaved RGB, within `where` and measured there only: the edge
 * of `where` is no step (a bar drawn through a window's hole had a bright staircase along its band's
 * edge, where its colours met the network's fill).
 */
function fineBandWithin(rgb: Float32Array, where: Uint8Array, width: number, height: number, sigma: number): Float32Array {
  const weights = gaussianBlurRgb(
    Float32Array.from(rgb, (_, i) => where[Math.floor(i / 3)]!),
    width,
    height,
    sigma,
  );
  const sums = gaussianBlurRgb(
    rgb.map((v, i) => v * where[Math.floor(i / 3)]!),
    width,
    height,
    sigma,
  );
  return rgb.map((v, i) => (where[Math.floor(i / 3)] ? v - sums[i]! / weights[i]! : 0));
}

/** The bands drawn along edges through a hole (`where`) and the colours drawn there. */
export interface DrawnLines {
  where: Uint8Array;
  colours: Float32Array;
}

/**
 * Inside `hole`: the broad shapes and colours of `low` (which is the photo outside the hole) with
 * the fine detail of `detail`, each split at `sigma`. The detail's strength is `grain` times the
 * fine detail around the hole, and stray edges are clipped to its range, so the fill's texture and
 * noise follow what surrounds it.
 *
 * On `lines` (the bands drawn along edges through the hole) the drawn colours keep their own fine
 * detail, and the patches' detail yields to it: a saucer's highlight 3 px wide is finer than
 * `sigma`, and the patches' detail in its place left a pale smear. There, and everywhere with
 * `agreeEverywhere`, the patches' detail is kept only where their own broad colours agree with `low`'s
 * around it (see AGREEMENT and AGREEMENT_REACH): patches that found no match bring another
 * object's detail — beside a drawn line, flecks along a tripod's metal leg, whose profile they
 * straddle; in a border, where a suit's orange blends into a grey wall, an embossed ghost of a
 * badge's letters. With `agreeEverywhere`, the photo's own grain from beside the hole takes the
 * place of what is not kept (see OWN_GRAIN_GAIN), so the fill is never flatter than the photo.
 *
 * The grain's strength is measured on the photo around the hole, not on `lines` (every pixel drawn
 * is one of them): a line is not grain (coffee.png's cup rim made its hole's grain half as strong
 * again). Outside the hole: `low` as it is.
 */
export function combineBands(
  low: Float32Array,
  detail: Float32Array,
  width: number,
  height: number,
  hole: Uint8Array,
  sigma: number,
  grain: number,
  { agreeEverywhere = false, lines }: { agreeEverywhere?: boolean; lines?: DrawnLines } = {},
): Float32Array {
  // The hole's pixels read the ring, whose low pass reads a blur's reach beyond it (and one more for the Laplacian).
  return nearHole(
    low,
    detail,
    width,
    height,
    hole,
    (agreeEverywhere ? GRAIN_BAND : RING) + Math.ceil(sigma * 3) + 1 + AGREEMENT_REACH,
    (low, detail, width, height, hole, part) => {
      const lowPass = gaussianBlurRgb(low, width, height, sigma);
      const detailLow = gaussianBlurRgb(detail, width, height, sigma);
      const ring = ringAround(hole, width, height);
      const band = detail.map((v, i) => v - detailLow[i]!);
      // How far apart the two broad colours are at their farthest around each pixel: only where it is checked.
      let farthest: Float32Array | undefined;
      const apartAround = () => {
        const apart = new Float32Array(width * height);
        for (let p = 0; p < width * height; p++) {
          let d = 0;
          for (let k = 0; k < 3; k++) d += (detailLow[p * 3 + k]! - lowPass[p * 3 + k]!) ** 2;
          apart[p] = Math.sqrt(d);
        }
        return localMax(apart, width, height, AGREEMENT_REACH);
      };
      // How much of the patches' detail is kept at each hole pixel; the rest is the photo's own grain.
      const kept = new Float32Array(width * height).fill(1);
      const keepWhereAgreeing = (where: Uint8Array) => {
        farthest ??= apartAround();
        for (let p = 0; p < width * height; p++) {
          if (!hole[p] || !where[p]) continue;
          kept[p] = Math.max(0, 1 - farthest[p]! / AGREEMENT);
          for (let k = 0; k < 3; k++) band[p * 3 + k] = band[p * 3 + k]! * kept[p]!;
        }
      };
      if (agreeEverywhere) keepWhereAgreeing(hole);
      // The grain's strength is set where the patches agree, so what is kept has the surroundings'
      // grain; beside lines, on what the patches brought, so the rest of the hole keeps its strength.
      const bandDetail = fineDetail(
        band,
        width,
        height,
        hole.map((h, p) => (h && kept[p]! >= 0.5 ? 1 : 0)),
      );
      const drawn = lines && part(lines.where);
      const lineFine = drawn && fineBandWithin(part(lines.colours, 3), drawn, width, height, sigma);
      if (drawn && !agreeEverywhere) keepWhereAgreeing(drawn);
      // The grain's strength and its bound are the photo's, not the lines drawn through (whose own
      // sharpness is laid unbounded): beside a short smooth line drawn on into camera.png +25 %'s
      // grass, the grain of a block 50 px high was held to the line's and came out flat.
      const [photoRing, notPhoto] = drawn ? [ring.map((r, p) => (r && !drawn[p] ? 1 : 0)), hole.map((h, p) => h | drawn[p]!)] : [ring, hole];
      const surroundings = fineDetail(low, width, height, photoRing);
      const gain = bandDetail > 0 ? (grain * surroundings) / bandDetail : 0;
      const limits = localLimits(low, lowPass, width, height, notPhoto, photoRing, DETAIL_CLAMP);
      const own = !agreeEverywhere
        ? null
        : photoGrain(
            low.map((v, i) => v - lowPass[i]!),
            lowPass,
            width,
            height,
            hole,
            drawn,
          );
      // Where the photo's grain can make up the rest, the patches' detail is strengthened less.
      const strength = own ? Math.min(gain, MOST_GAIN) : gain;
      const ownDetail = own ? fineDetail(own, width, height, hole) : 0;
      const ownGain = ownDetail > 0 ? Math.min(OWN_GRAIN_GAIN, surroundings / ownDetail) : 1;
      const out = Float32Array.from(low);
      for (let p = 0; p < width * height; p++) {
        if (!hole[p]) continue;
        const limit = limits[p]!;
        // The share of the grain's strength the patches carry here; the photo's grain brings the
        // rest, the two adding as independent textures do (in quadrature).
        const carried = gain > 0 ? (kept[p]! * strength) / gain : 0;
        const rest = own ? Math.sqrt(Math.max(0, 1 - carried * carried)) * grain * ownGain : 0;
        // On a drawn line, its own sharpness, which is the photo's edge and not grain, so not bounded as
        // grain is; the patches' detail only as far as the photo's grain beside the hole
        // (limit / DETAIL_CLAMP) is stronger than that.
        const sharp = drawn?.[p] ? Math.hypot(lineFine![p * 3]!, lineFine![p * 3 + 1]!, lineFine![p * 3 + 2]!) / Math.sqrt(3) : 0;
        const patches = sharp ? Math.max(0, 1 - (sharp * DETAIL_CLAMP) / limit) * strength : strength;
        for (let k = 0; k < 3; k++) {
          const i = p * 3 + k;
          out[i] = lowPass[i]! + Math.max(-limit, Math.min(limit, patches * band[i]! + (own ? rest * own[i]! : 0))) + (sharp ? lineFine![i]! : 0);
        }
      }
      return out;
    },
  );
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
  const squared = new Float64Array(n);
  for (let p = 0; p < n; p++) if (ring[p]) for (let k = 0; k < 3; k++) squared[p] = squared[p]! + (low[p * 3 + k]! - lowPass[p * 3 + k]!) ** 2 / 3;
  const [sq, count] = [new SummedArea(squared, width, height), new SummedArea(ring, width, height)];
  const ringLimit = (p: number) => {
    const x = p % width,
      y = (p - x) / width;
    const [x0, y0, x1, y1] = [Math.max(0, x - LOCAL), Math.max(0, y - LOCAL), Math.min(width, x + LOCAL + 1), Math.min(height, y + LOCAL + 1)];
    return times * Math.sqrt(sq.sum(x0, y0, x1, y1) / count.sum(x0, y0, x1, y1));
  };
  const limits = new Float32Array(n);
  const nearest = nearestRingPixel(hole, ring, width, height);
  for (let p = 0; p < n; p++) if (ring[p]) limits[p] = ringLimit(p);
  for (let p = 0; p < n; p++) if (hole[p] && nearest[p]! >= 0) limits[p] = limits[nearest[p]!]!;
  return limits;
}

/**
 * The most the patches' detail is strengthened where the photo's own grain can make up the rest:
 * the synthesis's seams are faint, but five times over they were embossed ripples across
 * rocket.jpg +50 %'s lower border (and coffee.png's saucer was scratched at six).
 */
const MOST_GAIN = 2;

/**
 * The photo's own grain is strengthened to the surroundings' (whose fine detail counts their edges
 * too, which no calm square brings), but at most this much: in full (2.2–2.9× on coffee.png,
 * rocket.jpg and astronaut.png's borders) its squares were embossed into crinkles; without it,
 * once the patches' seams were no longer kept (AGREEMENT_REACH), coffee.png +25 %'s border was
 * flatter than the texture target allows (0.46 of the photo beside it; 0.57 with it).
 */
const OWN_GRAIN_GAIN = 1.4;

/** Side of the squares of the photo's own grain laid where the patches' detail was not kept; neighbours overlap by half. */
const GRAIN_SQUARE = 16;
/** How far around the hole (pixels) that grain comes from: wide enough for squares to fit. */
const GRAIN_BAND = 24;
/** How far from the photo pixel nearest to a square (pixels, each way) its grain is looked for. */
const GRAIN_REACH = 24;
/** A square of the photo's detail busier than this many times the typical one holds an edge, not grain. */
const GRAIN_CALM = 1.5;
/**
 * A square whose broad colours vary more than this many times the typical square's (standard
 * deviation) straddles an edge, and its detail is the edge's outline: a dome's or a glove's, copied
 * a few px apart into crescents across camera.png +50 %'s skyline, though calm by GRAIN_CALM.
 */
const GRAIN_FLAT = 2;
/**
 * Where no calm square is near (the photo beside that part of the border is busier than calm, as
 * camera.png's near grass is), the one of this many calm squares drawn from anywhere whose broad
 * colours are nearest to the border's there: drawn from anywhere alone, two in five were sky's, laid
 * as flat blotches over camera.png +25 %'s grass and +50 %'s blurred skyline.
 */
const GRAIN_DRAWS = 64;

/**
 * Grain for the hole, interleaved RGB: squares of `residual` (the photo's detail) copied from the
 * band of photo around it, each from near the photo pixel nearest to it, so sky gets sky's grain
 * and fur fur's; only calm squares whose `broad` colours are flat, so no fragment or outline of an
 * edge comes with it. The squares overlap by half under sine windows whose squares sum to one: the
 * grain keeps its strength and shows no seams. Lines `drawn` into the hole are not photo: a square
 * beside one was looked for around it, where none fits, and came from anywhere instead (a calm
 * sky's square in camera.png +50 %'s grass, two in five of its squares); where none near is calm,
 * one of the colour there (GRAIN_DRAWS). Null where no square fits in the band.
 */
function photoGrain(residual: Float32Array, broad: Float32Array, width: number, height: number, hole: Uint8Array, drawn?: Uint8Array): Float32Array | null {
  const B = GRAIN_SQUARE;
  const notPhoto = drawn ? hole.map((h, p) => h | drawn[p]!) : hole;
  const band = dilate({ width, height, bits: notPhoto }, GRAIN_BAND).bits.map((v, p) => (v && !notPhoto[p] ? 1 : 0));
  const nearest = nearestRingPixel(notPhoto, band, width, height);
  const inBand = new SummedArea(band, width, height);
  const energy = new SummedArea(
    Float64Array.from(band, (v, p) => (v ? residual[p * 3]! ** 2 + residual[p * 3 + 1]! ** 2 + residual[p * 3 + 2]! ** 2 : 0)),
    width,
    height,
  );
  const fits = (x: number, y: number) => x >= 0 && y >= 0 && x + B <= width && y + B <= height && inBand.sum(x, y, x + B, y + B) === B * B;
  const candidates: number[] = [];
  for (let y = 0; y + B <= height; y++) for (let x = 0; x + B <= width; x++) if (fits(x, y)) candidates.push(y * width + x);
  if (!candidates.length) return null;
  const busyness = (q: number) => {
    const [x, y] = [q % width, Math.floor(q / width)];
    return energy.sum(x, y, x + B, y + B);
  };
  const colours = rectangleStats(broad, width, height);
  const spread = (q: number) => colours.variance(q % width, Math.floor(q / width), (q % width) + B, Math.floor(q / width) + B);
  const [typical, typicalSpread] = [median(candidates.map(busyness)), median(candidates.map(spread))];
  const grainOnly = (q: number) => busyness(q) <= GRAIN_CALM ** 2 * typical && spread(q) <= GRAIN_FLAT ** 2 * typicalSpread;
  const calm = (x: number, y: number) => fits(x, y) && grainOnly(y * width + x);
  const anywhere = candidates.filter(grainOnly);
  const window = Float32Array.from({ length: B }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / B));
  const rand = seededRandom(width * 7919 + height);
  const grain = new Float32Array(width * height * 3);
  for (let sy = -B / 2; sy < height; sy += B / 2)
    for (let sx = -B / 2; sx < width; sx += B / 2) {
      let near = -1;
      for (let y = Math.max(0, sy); y < Math.min(height, sy + B) && near < 0; y++)
        for (let x = Math.max(0, sx); x < Math.min(width, sx + B) && near < 0; x++) if (hole[y * width + x]) near = nearest[y * width + x]!;
      if (near < 0) continue;
      const [nx, ny] = [near % width, Math.floor(near / width)];
      let from = -1;
      for (let tries = 0; tries < 16 && from < 0; tries++) {
        const x = nx - B / 2 + Math.round((rand() * 2 - 1) * GRAIN_REACH),
          y = ny - B / 2 + Math.round((rand() * 2 - 1) * GRAIN_REACH);
        if (calm(x, y)) from = y * width + x;
      }
      if (from < 0) {
        const here = colours.mean(sx, sy, sx + B, sy + B);
        let nearest = Infinity;
        for (let draw = 0; draw < GRAIN_DRAWS; draw++) {
          const q = anywhere[Math.floor(rand() * anywhere.length)]!;
          const [qx, qy] = [q % width, Math.floor(q / width)];
          const apart = colours.mean(qx, qy, qx + B, qy + B).reduce((sum, v, k) => sum + (v - here[k]!) ** 2, 0);
          if (apart < nearest) [nearest, from] = [apart, q];
        }
      }
      if (from < 0) continue; // No square is calm and flat: this part of the border keeps the patches' grain alone.
      for (let y = 0; y < B; y++) {
        if (sy + y < 0 || sy + y >= height) continue;
        for (let x = 0; x < B; x++) {
          if (sx + x < 0 || sx + x >= width) continue;
          const [p, q, w] = [(sy + y) * width + sx + x, from + y * width + x, window[x]! * window[y]!];
          for (let k = 0; k < 3; k++) grain[p * 3 + k] = grain[p * 3 + k]! + w * residual[q * 3 + k]!;
        }
      }
    }
  return grain;
}

function median(values: number[]): number {
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** For each hole pixel, the ring pixel nearest to it (breadth first, inwards from the ring); -1 elsewhere. */
function nearestRingPixel(hole: Uint8Array, ring: Uint8Array, width: number, height: number): Int32Array {
  const n = width * height;
  const nearest = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let [head, tail] = [0, 0];
  for (let p = 0; p < n; p++)
    if (ring[p]) {
      nearest[p] = p;
      queue[tail++] = p;
    }
  const reach = (q: number, from: number) => {
    if (nearest[q]! >= 0 || !hole[q]) return;
    nearest[q] = from;
    queue[tail++] = q;
  };
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    const from = nearest[p]!;
    if (x > 0) reach(p - 1, from);
    if (x < width - 1) reach(p + 1, from);
    if (p >= width) reach(p - width, from);
    if (p + width < n) reach(p + width, from);
  }
  for (let p = 0; p < n; p++) if (!hole[p]) nearest[p] = -1;
  return nearest;
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
