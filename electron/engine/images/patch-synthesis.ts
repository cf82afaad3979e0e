import { CancelledError } from '../errors.js';
import { maskBounds } from './masks.js';
import { boxMeanRgb, SummedArea } from './summed-area.js';
import { seededRandom } from './seeded-random.js';
import { downsample, type Level } from './level.js';

/**
 * Texture synthesis by patches (Wexler, Shechtman and Irani's "space-time completion" with
 * Barnes et al.'s PatchMatch for the search, the method behind content-aware fill): the hole is
 * rebuilt from the photo's own patches, coarse to fine. At the coarsest scale the hole starts as
 * the network's fill, so the network decides the structure (which colour region goes where, how
 * edges continue) and the patches bring the photo's own texture, grain and noise at full
 * resolution.
 */
export interface SynthesisInput {
  width: number;
  height: number;
  /** Interleaved RGB 0..1: the photo's pixels, and in the hole the first guess (the network's fill). */
  pixels: Float32Array;
  /** 1 where the fill goes. */
  hole: Uint8Array;
  /** 1 where patches may be taken from (default: anywhere outside the hole). */
  from?: Uint8Array;
  signal?: AbortSignal;
  /** Seed of the random search, so a fill is the same every time. */
  seed?: number;
  /**
   * Interleaved RGB 0..1, the photo outside the hole: the broad colours the fill should have. Each
   * patch put into the hole is held to them on average, while its texture is free.
   */
  guide?: Float32Array;
  /**
   * With a guide: a patch with more than this many times the contrast of the typical source patch
   * costs more the busier it is, so a lamp-lit girder or a badge's letters are not copied into a
   * border the guide says is calm sky or cloth. Unset: any contrast.
   */
  busiest?: number;
}

/** Patch side (odd). 7 px carries wood grain, foliage and noise; smaller loses structure, larger slows. */
const PATCH = 7;
const R = (PATCH - 1) / 2;
/** Source patches keep this far from the hole: the object's soft edge and halo are not copied back in. */
const SOURCE_MARGIN = 2;
/**
 * How much a patch's mean colour straying from the guide's there counts against it, per pixel,
 * beside the patches' own difference: without it, patches that match only their neighbours carry
 * a rail or a bar into plain sky, where it shows as an embossed ghost of the bar.
 */
const HELD = 4;
/** How much a patch's contrast beyond `busiest` times the typical source's counts, per pixel (as HELD). */
const BUSY = 4;
/** Below the coarsest scale, the random search looks this far (pixels) around each match. */
const FINE_SEARCH = 16;
/** The coarsest scale has at least this many pixels across the hole's short side… */
const COARSEST_HOLE = 2 * PATCH;
/** …and at least this many across the image. */
const COARSEST_IMAGE = 4 * PATCH;

/** Short side of the hole's bounding box. */
function holeSpan(l: Level): number {
  const box = maskBounds({ width: l.width, height: l.height, bits: l.hole });
  return box ? Math.min(box.width, box.height) : 0;
}

/** Sum over windows of a 0/1 map, via a summed-area table: which patch centres see any set pixel. */
function windowsTouching(map: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const sat = new SummedArea(map, width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - radius),
      y1 = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius),
        x1 = Math.min(width, x + radius + 1);
      out[y * width + x] = sat.sum(x0, y0, x1, y1) > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Three passes of a 3×3 box blur (close to a Gaussian of σ≈1), edges clamped. */
function blurred(l: Level): Float32Array {
  const { width: w, height: h } = l;
  const src = Float32Array.from(l.image);
  const tmp = new Float32Array(src.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const a = (y * w + Math.max(0, x - 1)) * 3,
          b = (y * w + x) * 3,
          c = (y * w + Math.min(w - 1, x + 1)) * 3;
        for (let k = 0; k < 3; k++) tmp[b + k] = (src[a + k]! + src[b + k]! + src[c + k]!) / 3;
      }
    }
    for (let y = 0; y < h; y++) {
      const up = Math.max(0, y - 1) * w,
        down = Math.min(h - 1, y + 1) * w;
      for (let x = 0; x < w; x++) {
        const b = (y * w + x) * 3;
        for (let k = 0; k < 3; k++) src[b + k] = (tmp[(up + x) * 3 + k]! + tmp[b + k]! + tmp[(down + x) * 3 + k]!) / 3;
      }
    }
  }
  return src;
}

/**
 * Per pixel, what a patch centred there adds to a distance for contrast (RMS over the patch, all
 * channels) beyond `busiest` times the median source patch's.
 */
function busyness(l: Level, means: Float32Array, sources: Int32Array, busiest: number): Float32Array {
  const squares = boxMeanRgb(
    l.image.map((v) => v * v),
    l.width,
    l.height,
    R,
  );
  const contrast = new Float32Array(l.width * l.height);
  for (let p = 0; p < contrast.length; p++) {
    let v = 0;
    for (let k = 0; k < 3; k++) v += Math.max(0, squares[p * 3 + k]! - means[p * 3 + k]! ** 2);
    contrast[p] = Math.sqrt(v);
  }
  const typical = Float32Array.from(sources, (s) => contrast[s]!).sort()[sources.length >> 1] ?? 0;
  return contrast.map((c) => BUSY * PATCH * PATCH * Math.max(0, c - busiest * typical) ** 2);
}

const yieldTurn = async (signal: AbortSignal | undefined) => {
  await new Promise((r) => setImmediate(r));
  if (signal?.aborted) throw new CancelledError();
};

/** Where patches may come from and where they go, at one scale. */
class Field {
  readonly targets: Int32Array;
  readonly sources: Int32Array;
  readonly isSource: Uint8Array;
  /** Per target (by index in `targets`): its source centre and the patch distance. */
  readonly match: Int32Array;
  readonly dist: Float32Array;
  private readonly targetIndex: Int32Array;

  /** What patches are compared on: the image blurred, so the smooth first guess in the hole is not drawn to flat patches. */
  feature: Float32Array;
  /** With a guide: each source's mean colour, and the guide's mean colour at each target. */
  private readonly means?: { source: Float32Array; guide: Float32Array };
  /** With `busiest`: what each source patch's contrast beyond it adds to its distance. */
  private readonly busy?: Float32Array;

  constructor(
    readonly level: Level,
    guide?: Float32Array,
    busiest?: number,
  ) {
    this.feature = blurred(level);
    if (guide) this.means = { source: boxMeanRgb(level.image, level.width, level.height, R), guide: boxMeanRgb(guide, level.width, level.height, R) };
    const { width, height, hole } = level;
    const nearHole = windowsTouching(hole, width, height, R + SOURCE_MARGIN);
    const touchesHole = windowsTouching(hole, width, height, R);
    const targets: number[] = [];
    const sources: number[] = [];
    this.isSource = new Uint8Array(width * height);
    this.targetIndex = new Int32Array(width * height).fill(-1);
    for (let y = R; y < height - R; y++) {
      for (let x = R; x < width - R; x++) {
        const p = y * width + x;
        if (touchesHole[p]) {
          this.targetIndex[p] = targets.length;
          targets.push(p);
        } else if (!nearHole[p] && level.from[p]) {
          this.isSource[p] = 1;
          sources.push(p);
        }
      }
    }
    this.targets = Int32Array.from(targets);
    this.sources = Int32Array.from(sources);
    if (this.means && busiest !== undefined) this.busy = busyness(level, this.means.source, this.sources, busiest);
    this.match = new Int32Array(targets.length);
    this.dist = new Float32Array(targets.length);
  }

  targetAt(p: number): number {
    return this.targetIndex[p]!;
  }

  /** Sum of squared differences between the windows at `t` and `s`, giving up once past `limit`. */
  distance(t: number, s: number, limit: number): number {
    const { width } = this.level;
    const image = this.feature;
    let d = 0;
    if (this.means) {
      const { source, guide } = this.means;
      for (let k = 0; k < 3; k++) d += (guide[t * 3 + k]! - source[s * 3 + k]!) ** 2;
      d *= HELD * PATCH * PATCH;
      if (this.busy) d += this.busy[s]!;
    }
    for (let dy = -R; dy <= R; dy++) {
      let a = (t + dy * width - R) * 3;
      let b = (s + dy * width - R) * 3;
      for (let i = 0; i < PATCH * 3; i++, a++, b++) {
        const e = image[a]! - image[b]!;
        d += e * e;
      }
      if (d >= limit) return d;
    }
    return d;
  }
}

/**
 * PatchMatch: each target patch keeps the best source patch found so far; good matches spread to
 * neighbours (a neighbour's source, shifted by one), and a random search around the current match
 * at shrinking radii finds better ones.
 */
function patchMatch(f: Field, passes: number, rand: () => number, reach: number): void {
  const { width, height } = f.level;
  const n = f.targets.length;
  const consider = (i: number, t: number, s: number) => {
    if (s < 0 || s >= width * height || !f.isSource[s] || s === f.match[i]) return;
    const d = f.distance(t, s, f.dist[i]!);
    if (d < f.dist[i]!) {
      f.dist[i] = d;
      f.match[i] = s;
    }
  };
  for (let pass = 0; pass < passes; pass++) {
    const forward = pass % 2 === 0;
    const step = forward ? 1 : -1;
    for (let k = 0; k < n; k++) {
      const i = forward ? k : n - 1 - k;
      const t = f.targets[i]!;
      // Propagation: the left (right) and upper (lower) neighbours' matches, moved by one pixel.
      const left = f.targetAt(t - step);
      if (left >= 0) consider(i, t, f.match[left]! + step);
      const up = f.targetAt(t - step * width);
      if (up >= 0) consider(i, t, f.match[up]! + step * width);
      // Random search around the current match, at radii halving from the image's size.
      const s = f.match[i]!;
      const sx = s % width,
        sy = (s - sx) / width;
      for (let radius = reach; radius >= 1; radius >>= 1) {
        const x = Math.round(sx + (rand() * 2 - 1) * radius);
        const y = Math.round(sy + (rand() * 2 - 1) * radius);
        if (x < R || y < R || x >= width - R || y >= height - R) continue;
        consider(i, t, y * width + x);
      }
    }
  }
}

/**
 * Each hole pixel becomes the average of what the patches covering it say (those whose centre is
 * within `reach`), weighted by how well each matched. The whole patch while the search settles;
 * at the end a reach of 1: matches that agree then reproduce the source's texture exactly, and
 * where neighbouring matches disagree the pixel seams are softened instead of left as speckle.
 */
function vote(f: Field, reach = R): void {
  const { width, image, hole } = f.level;
  const sum = new Float32Array(image.length);
  const weight = new Float32Array(width * f.level.height);
  // Weights fall with the patch distance, relative to a typical one, so poor matches say little.
  const sorted = Float32Array.from(f.dist).sort();
  const typical = Math.max(1e-6, sorted[Math.floor(sorted.length * 0.5)] ?? 1);
  for (let i = 0; i < f.targets.length; i++) {
    const t = f.targets[i]!;
    const s = f.match[i]!;
    const w = Math.exp(-f.dist[i]! / (2 * typical));
    for (let dy = -reach; dy <= reach; dy++) {
      for (let dx = -reach; dx <= reach; dx++) {
        const p = t + dy * width + dx;
        if (!hole[p]) continue;
        const q = s + dy * width + dx;
        sum[p * 3] = sum[p * 3]! + w * image[q * 3]!;
        sum[p * 3 + 1] = sum[p * 3 + 1]! + w * image[q * 3 + 1]!;
        sum[p * 3 + 2] = sum[p * 3 + 2]! + w * image[q * 3 + 2]!;
        weight[p] = weight[p]! + w;
      }
    }
  }
  for (let p = 0; p < weight.length; p++) {
    if (!hole[p] || weight[p] === 0) continue;
    const inv = 1 / weight[p]!;
    image[p * 3] = sum[p * 3]! * inv;
    image[p * 3 + 1] = sum[p * 3 + 1]! * inv;
    image[p * 3 + 2] = sum[p * 3 + 2]! * inv;
  }
}

/** Matches of a coarser scale, doubled: where each target's source was at half size. */
function inherit(f: Field, coarse: Field | null, rand: () => number): void {
  const { width } = f.level;
  for (let i = 0; i < f.targets.length; i++) {
    const t = f.targets[i]!;
    let s = -1;
    if (coarse) {
      const tx = t % width,
        ty = (t - tx) / width;
      const cw = coarse.level.width;
      const ct = coarse.targetAt(Math.min(coarse.level.height - 1, ty >> 1) * cw + Math.min(cw - 1, tx >> 1));
      if (ct >= 0) {
        const cs = coarse.match[ct]!;
        const csx = cs % cw,
          csy = (cs - csx) / cw;
        const candidate = (2 * csy + (ty & 1)) * width + 2 * csx + (tx & 1);
        if (candidate < f.isSource.length && f.isSource[candidate]) s = candidate;
      }
    }
    if (s < 0) s = f.sources[Math.floor(rand() * f.sources.length)]!;
    f.match[i] = s;
    f.dist[i] = f.distance(t, s, Infinity);
  }
}

/** The finer level's hole estimate from the coarser result (nearest: the next EM round smooths it). */
function upsampleInto(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.height; y++) {
    for (let x = 0; x < fine.width; x++) {
      const p = y * fine.width + x;
      if (!fine.hole[p]) continue;
      const q = Math.min(coarse.height - 1, y >> 1) * coarse.width + Math.min(coarse.width - 1, x >> 1);
      fine.image[p * 3] = coarse.image[q * 3]!;
      fine.image[p * 3 + 1] = coarse.image[q * 3 + 1]!;
      fine.image[p * 3 + 2] = coarse.image[q * 3 + 2]!;
    }
  }
}

/**
 * Rebuilds the hole of `input` from the rest of the image, coarse to fine. Returns the image
 * (interleaved RGB 0..1) with the hole filled; outside the hole it is `input.pixels` exactly.
 * When the image has no place to take patches from, the first guess is returned.
 */
export async function synthesizeTexture(input: SynthesisInput): Promise<Float32Array> {
  const rand = seededRandom(input.seed ?? 1);
  const from = input.from ?? new Uint8Array(input.width * input.height).fill(1);
  const levels: Level[] = [{ width: input.width, height: input.height, image: Float32Array.from(input.pixels), hole: input.hole, from }];
  const guides = input.guide ? [input.guide] : undefined;
  while (levels.length < 8) {
    const l = levels.at(-1)!;
    if (holeSpan(l) <= COARSEST_HOLE || Math.min(l.width, l.height) / 2 < COARSEST_IMAGE) break;
    levels.push(downsample(l, 'any'));
    guides?.push(downsample({ ...l, image: guides.at(-1)! }, 'any').image);
  }
  let coarser: Field | null = null;
  for (let k = levels.length - 1; k >= 0; k--) {
    const level = levels[k]!;
    if (coarser) upsampleInto(level, coarser.level);
    const f = new Field(level, guides?.[k], input.busiest);
    if (f.targets.length === 0) return levels[0]!.image;
    if (f.sources.length === 0) return Float32Array.from(input.pixels);
    inherit(f, coarser, rand);
    // More rounds where they are cheap; the finest scale mostly sharpens what the coarser found.
    // The coarsest scale searches the whole image, several times over; finer ones refine what it
    // found nearby (a match doubles in place at each scale), which is where the time would go.
    const coarsest = k === levels.length - 1;
    const rounds = coarsest ? 4 : k === 0 ? 1 : 2;
    const reach = coarsest ? Math.max(level.width, level.height) : FINE_SEARCH;
    for (let round = 0; round < rounds; round++) {
      await yieldTurn(input.signal);
      patchMatch(f, 2, rand, reach);
      vote(f, k === 0 && round === rounds - 1 ? 1 : R);
      // Distances to the new estimate, so the next round's search starts from the truth.
      f.feature = blurred(f.level);
      for (let i = 0; i < f.targets.length; i++) f.dist[i] = f.distance(f.targets[i]!, f.match[i]!, Infinity);
    }
    coarser = f;
  }
  return levels[0]!.image;
}
