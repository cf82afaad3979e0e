/**
 * Structure before texture (after Sun et al. 2005, "Image completion with structure
 * propagation"): the strong, straight or gently curved edges that run into a hole — a table's
 * edge, a horizon, a rail, a seam — are found around it, paired across it by direction and by the
 * colours on their two sides, and drawn through it along a smooth curve that leaves each edge at
 * its own angle. The rest of the hole is then filled around those lines, so each side keeps its
 * own colour and texture. Interleaved RGB 0..1 throughout.
 */
import { gaussianBlurPlane } from './blur.js';

/** Where an edge is looked for: this far outside the hole (pixels), clear of the object's soft edge. */
const RING = { near: 2, far: 6 };
/** Smoothing before gradients (σ, pixels): sensor noise makes no edges. */
const SIGMA = 1.5;
/** The weakest edge taken: a step of about 20/255 in brightness at SIGMA. */
const MIN_STRENGTH = 0.02;
/** …and at least this many times the typical gradient around the hole, so grass or gravel makes none. */
const ABOVE_TYPICAL = 3;
/** How line-like the neighbourhood must be (structure-tensor coherence, 0..1). */
const MIN_COHERENCE = 0.5;
/** An edge is followed this far away from the hole to measure its direction… */
const TRACE = 16;
/** …and must be at least this long there to count as structure. */
const MIN_TRACE = 6;
/** How far it is followed at most, to know how long it is (an outpainted border continues it no further than it ran straight). */
const LONG_TRACE = 256;
/**
 * A traced point this far (pixels) from the entry's line is where the edge turns off it. An edge
 * goes on straight no further than it ran straight: a lamp's ray that turns into a cloud's edge
 * was followed 100 px on rocket.jpg but is straight for 26, and carried on 100 px into an
 * outpainted border it was a bar across the sky (camera.png: the camera's edge, across the
 * skyline). 2 and 3 px cut Erase's stubs on curved edges short (0.1 dB less across structure).
 */
const OFF_THE_LINE = 4;
/** Half-width (pixels) of the colours compared across an edge, and of the line drawn through the hole. */
const PROFILE = 4;
const CORE = 1.5;
/** Two entries pair when each points at the other within this angle (an arc turns by twice it)… */
const MAX_TURN = Math.cos((40 * Math.PI) / 180);
/** …and their two sides' colours differ by less than this on average, or one side's do (0..1; lighting changes along an edge). */
const MAX_COLOUR_DIFFERENCE = 0.1;
/** …or than this where one of them leads (see `leads`): its direction is evidence enough, and a glow or a shadow may lie over the other. */
const LED_COLOUR_DIFFERENCE = 0.3;
/** An edge followed at least this far (pixels) is taken at its word about where it goes. */
const LONG = 2 * TRACE;
/** A joined pair runs straight when each end points at the other within this angle (10°). */
const STRAIGHT = Math.cos((10 * Math.PI) / 180);
/** Two straight lines may cross at a wider angle than this (30°): nearer parallel, they are the two sides of one thing. */
const NARROW_CROSSING = (30 * Math.PI) / 180;
/** An edge without a partner goes on straight only within this angle (degrees) of the way into the hole, unless `OnwardRun.widest` says otherwise. */
const HEAD_ON = 50;

export interface EdgeEntry {
  /** Where the edge meets the ring around the hole. */
  x: number;
  y: number;
  /** Unit direction of the edge, pointing into the hole. */
  dx: number;
  dy: number;
  /** RGB across the edge, from its right (−PROFILE) to its left (+PROFILE) looking into the hole. */
  profile: Float32Array;
  /** Cosine between the edge and the way straight into the hole: 1 when it runs head-on into it. */
  headOn: number;
  /** How far (pixels) the edge was followed away from the hole: a long one is structure, not texture. */
  traced: number;
  /** How far (pixels) back from the hole the edge stays on the line it enters along: as far as it may be carried on straight. */
  straightFor: number;
}

export interface Structure {
  /** The pixels with the continued edges drawn into the hole, each with its two sides' colours beside it. */
  pixels: Float32Array;
  /** 1 on the drawn edges themselves: those pixels are settled; the rest of the hole is filled around them. */
  drawn: Uint8Array;
  /** 1 on the drawn edges and their sides: where a smooth fill takes the drawn colours as given, so each side keeps its own. */
  guide: Uint8Array;
  entries: EdgeEntry[];
  /** Index pairs of entries joined through the hole. */
  pairs: [number, number][];
}

function lumaPlane(pixels: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = 0.299 * pixels[p * 3]! + 0.587 * pixels[p * 3 + 1]! + 0.114 * pixels[p * 3 + 2]!;
  return out;
}

/** Distance (pixels, chamfer 3-4, about Euclidean) from each pixel to the nearest hole pixel. */
export function distanceToHole(hole: Uint8Array, w: number, h: number): Float32Array {
  const d = new Float32Array(w * h).fill(1e9);
  for (let p = 0; p < w * h; p++) if (hole[p]) d[p] = 0;
  const relax = (p: number, q: number, c: number) => {
    if (d[q]! + c < d[p]!) d[p] = d[q]! + c;
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x > 0) relax(p, p - 1, 3);
      if (y > 0) {
        relax(p, p - w, 3);
        if (x > 0) relax(p, p - w - 1, 4);
        if (x < w - 1) relax(p, p - w + 1, 4);
      }
    }
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const p = y * w + x;
      if (x < w - 1) relax(p, p + 1, 3);
      if (y < h - 1) {
        relax(p, p + w, 3);
        if (x < w - 1) relax(p, p + w + 1, 4);
        if (x > 0) relax(p, p + w - 1, 4);
      }
    }
  for (let p = 0; p < w * h; p++) d[p] = d[p]! / 3;
  return d;
}

/** Bilinear RGB at (x, y), or null where any of the four pixels is in the hole or off the image. */
function sample(pixels: Float32Array, hole: Uint8Array, w: number, h: number, x: number, y: number, out: number[]): boolean {
  const x0 = Math.floor(x),
    y0 = Math.floor(y);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) return false;
  const p = y0 * w + x0;
  if (hole[p] || hole[p + 1] || hole[p + w] || hole[p + w + 1]) return false;
  const fx = x - x0,
    fy = y - y0;
  for (let k = 0; k < 3; k++)
    out[k] =
      (pixels[p * 3 + k]! * (1 - fx) + pixels[(p + 1) * 3 + k]! * fx) * (1 - fy) +
      (pixels[(p + w) * 3 + k]! * (1 - fx) + pixels[(p + w + 1) * 3 + k]! * fx) * fy;
  return true;
}

/** The edges that run into the hole, each with its direction and the colours on its two sides. */
export function findEntries(pixels: Float32Array, w: number, h: number, hole: Uint8Array): EdgeEntry[] {
  const n = w * h;
  const lum = gaussianBlurPlane(lumaPlane(pixels, n), w, h, SIGMA);
  const dist = distanceToHole(hole, w, h);
  const gx = new Float32Array(n),
    gy = new Float32Array(n),
    mag = new Float32Array(n);
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      gx[p] = (lum[p + 1]! - lum[p - 1]!) / 2;
      gy[p] = (lum[p + w]! - lum[p - w]!) / 2;
      mag[p] = Math.hypot(gx[p]!, gy[p]!);
    }
  const ring: number[] = [];
  for (let p = 0; p < n; p++) if (dist[p]! >= RING.near && dist[p]! <= RING.far) ring.push(p);
  if (ring.length === 0) return [];
  const sorted = Float32Array.from(ring.map((p) => mag[p]!)).sort();
  const threshold = Math.max(MIN_STRENGTH, ABOVE_TYPICAL * sorted[Math.floor(sorted.length / 2)]!);
  const at = (x: number, y: number) => (x >= 1 && y >= 1 && x < w - 1 && y < h - 1 ? mag[Math.round(y) * w + Math.round(x)]! : 0);

  // Edge pixels on the ring: strong, the ridge of the gradient, and in a line-like neighbourhood.
  const candidate = new Uint8Array(n);
  const tangent = new Float32Array(2 * n);
  const inward = new Float32Array(2 * n);
  for (const p of ring) {
    const m = mag[p]!;
    if (m < threshold) continue;
    const x = p % w,
      y = (p - x) / w;
    const ux = gx[p]! / m,
      uy = gy[p]! / m;
    if (at(x + ux, y + uy) > m || at(x - ux, y - uy) > m) continue;
    let jxx = 0,
      jxy = 0,
      jyy = 0;
    for (let dy = -3; dy <= 3; dy++)
      for (let dx = -3; dx <= 3; dx++) {
        const q = Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx));
        if (hole[q]) continue;
        jxx += gx[q]! * gx[q]!;
        jxy += gx[q]! * gy[q]!;
        jyy += gy[q]! * gy[q]!;
      }
    const root = Math.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy);
    if (jxx + jyy <= 0 || (root / (jxx + jyy)) ** 2 < MIN_COHERENCE) continue;
    const theta = 0.5 * Math.atan2(2 * jxy, jxx - jyy);
    let tx = -Math.sin(theta),
      ty = Math.cos(theta);
    // Into the hole: against the distance's gradient.
    const ix = dist[y * w + Math.max(0, x - 1)]! - dist[y * w + Math.min(w - 1, x + 1)]!;
    const iy = dist[Math.max(0, y - 1) * w + x]! - dist[Math.min(h - 1, y + 1) * w + x]!;
    const il = Math.hypot(ix, iy) || 1;
    if (tx * ix + ty * iy < 0) [tx, ty] = [-tx, -ty];
    // An edge that runs along the hole rather than into it continues nothing.
    if ((tx * ix + ty * iy) / il < 0.34) continue;
    candidate[p] = 1;
    tangent[2 * p] = tx;
    tangent[2 * p + 1] = ty;
    inward[2 * p] = ix / il;
    inward[2 * p + 1] = iy / il;
  }

  // One entry per connected run of edge pixels (an edge crosses the ring in a few of them).
  const entries: EdgeEntry[] = [];
  const seen = new Uint8Array(n);
  for (const start of ring) {
    if (!candidate[start] || seen[start]) continue;
    let best = start;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      if (mag[p]! > mag[best]!) best = p;
      const x = p % w,
        y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const q = (y + dy) * w + x + dx;
          if (x + dx < 0 || y + dy < 0 || x + dx >= w || y + dy >= h || seen[q] || !candidate[q]) continue;
          seen[q] = 1;
          stack.push(q);
        }
    }
    const entry = traceEntry(best, w, h, tangent, mag, threshold, hole, pixels);
    if (entry) entries.push({ ...entry, headOn: entry.dx * inward[2 * best]! + entry.dy * inward[2 * best + 1]! });
  }
  return entries;
}

/** Follows an edge away from the hole, fits its line, and reads the colours on its two sides. */
function traceEntry(
  seed: number,
  w: number,
  h: number,
  tangent: Float32Array,
  mag: Float32Array,
  threshold: number,
  hole: Uint8Array,
  pixels: Float32Array,
): Omit<EdgeEntry, 'headOn'> | null {
  const tx = tangent[2 * seed]!,
    ty = tangent[2 * seed + 1]!;
  const [nx, ny] = [-ty, tx];
  const points: [number, number][] = [[seed % w, Math.floor(seed / w)]];
  let [px, py] = points[0]!;
  for (let k = 0; k < LONG_TRACE; k++) {
    const [cx, cy] = [px - tx, py - ty];
    let best = -1,
      bx = 0,
      by = 0;
    for (let o = -1.5; o <= 1.5; o += 0.5) {
      const x = Math.round(cx + o * nx),
        y = Math.round(cy + o * ny);
      if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1 || hole[y * w + x]) continue;
      if (mag[y * w + x]! > best) [best, bx, by] = [mag[y * w + x]!, x, y];
    }
    if (best < threshold / 2) break;
    [px, py] = [cx + ((bx - cx) * nx + (by - cy) * ny) * nx, cy + ((bx - cx) * nx + (by - cy) * ny) * ny];
    points.push([px, py]);
  }
  if (points.length < MIN_TRACE) return null;
  const traced = points.length - 1;
  const all = points.slice();
  points.length = Math.min(points.length, TRACE + 1);
  // The line through the traced points near the hole (their principal direction), oriented into it.
  const mx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const my = points.reduce((s, p) => s + p[1], 0) / points.length;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  if (dx * tx + dy * ty < 0) [dx, dy] = [-dx, -dy];
  const [sx, sy] = points[0]!;
  const along = (sx - mx) * dx + (sy - my) * dy;
  const [ex, ey] = [mx + along * dx, my + along * dy];
  const off = all.findIndex(([x, y]) => Math.abs((x - mx) * -dy + (y - my) * dx) > OFF_THE_LINE);
  const straightFor = off < 0 ? traced : off;
  // The colours across the edge, averaged along the traced part (clear of the hole).
  const profile = new Float32Array((2 * PROFILE + 1) * 3);
  const counts = new Float32Array(2 * PROFILE + 1);
  const rgb = [0, 0, 0];
  const [lx, ly] = [-dy, dx];
  for (let k = 2; k < points.length; k++) {
    const [bx, by] = [ex - k * dx, ey - k * dy];
    for (let s = -PROFILE; s <= PROFILE; s++) {
      if (!sample(pixels, hole, w, h, bx + s * lx, by + s * ly, rgb)) continue;
      const i = s + PROFILE;
      for (let c = 0; c < 3; c++) profile[i * 3 + c] = profile[i * 3 + c]! + rgb[c]!;
      counts[i] = counts[i]! + 1;
    }
  }
  if (counts.some((c) => c === 0)) return null;
  for (let i = 0; i < counts.length; i++) for (let c = 0; c < 3; c++) profile[i * 3 + c] = profile[i * 3 + c]! / counts[i]!;
  return { x: ex, y: ey, dx, dy, profile, traced, straightFor };
}

/** How much an edge steps across (0..1, the mean RGB difference between its two sides' outer colours). */
export function stepAcross(e: EdgeEntry): number {
  const far = 2 * PROFILE * 3;
  return (Math.abs(e.profile[0]! - e.profile[far]!) + Math.abs(e.profile[1]! - e.profile[far + 1]!) + Math.abs(e.profile[2]! - e.profile[far + 2]!)) / 3;
}

/** How unlike two entries' colours are at profile offsets `from`..`to` when joined: a's left is b's right (they face each other). */
function profileDifference(a: EdgeEntry, b: EdgeEntry, from: number, to: number): number {
  let sum = 0;
  for (let s = from; s <= to; s++) for (let c = 0; c < 3; c++) sum += Math.abs(a.profile[(s + PROFILE) * 3 + c]! - b.profile[(-s + PROFILE) * 3 + c]!);
  return sum / ((to - from + 1) * 3);
}

/** How unlike two entries' sides are when joined. */
const colourDifference = (a: EdgeEntry, b: EdgeEntry) => profileDifference(a, b, -PROFILE, PROFILE);

/**
 * How unlike the better-matching one of two entries' sides is when joined: an object's edge keeps
 * its own side while what is behind it changes (a helmet's rim against a black box on one side of
 * the hole and a grey wall on the other).
 */
const nearerSideDifference = (a: EdgeEntry, b: EdgeEntry) => Math.min(profileDifference(a, b, 1, PROFILE), profileDifference(a, b, -PROFILE, -1));

/** Entries this near parallel (the cosine of the angle between them) may be two sides of one line. */
const ALONGSIDE = Math.cos((30 * Math.PI) / 180);

/**
 * Whether edge `e` lies in the band drawn along `o` and brings nothing beyond it: `o`'s colours
 * across the edge already hold the whole line. A saucer's highlight, 3 px wide, made an edge on
 * each side; drawn along both, 3–5 px apart, it was a pale smear 8 px wide across coffee.png.
 */
function withinBand(e: EdgeEntry, o: EdgeEntry): boolean {
  if (e.dx * o.dx + e.dy * o.dy < ALONGSIDE) return false;
  // e's offset s across its edge is o's s + shift.
  const shift = (e.x - o.x) * -o.dy + (e.y - o.y) * o.dx;
  if (Math.abs(shift) > PROFILE + 1) return false;
  let sum = 0,
    n = 0;
  for (let s = -PROFILE; s <= PROFILE; s++) {
    if (Math.abs(s + shift) <= PROFILE) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(e.profile[(s + PROFILE) * 3 + c]! - profileColour(o.profile, s + shift, c));
    n += 3;
  }
  return n === 0 || sum / n <= MAX_COLOUR_DIFFERENCE;
}

/** How nearly each of two entries points at the other: the cosines of the angles between their directions and the line joining them. */
function facing(a: EdgeEntry, b: EdgeEntry): { towardsB: number; towardsA: number } {
  const [cx, cy] = [b.x - a.x, b.y - a.y];
  const length = Math.hypot(cx, cy);
  if (length < 1) return { towardsB: -1, towardsA: -1 };
  return { towardsB: (a.dx * cx + a.dy * cy) / length, towardsA: -(b.dx * cx + b.dy * cy) / length };
}

/**
 * Whether the curve joining two entries would bend one way and then the other (an S): each end
 * turns more than STRAIGHT from the line between them, to the same side. An arc turns its two ends
 * to opposite sides; two edges that each turn the same way are different edges, offset.
 */
function bendsBothWays(a: EdgeEntry, b: EdgeEntry): boolean {
  const [cx, cy] = [b.x - a.x, b.y - a.y];
  const length = Math.hypot(cx, cy);
  // Sines of the turns from the line a→b: a's way out, and the way the curve arrives at b (against b's direction).
  const atA = (cx * a.dy - cy * a.dx) / length;
  const atB = (cx * -b.dy - cy * -b.dx) / length;
  const slight = Math.sqrt(1 - STRAIGHT * STRAIGHT);
  return atA * atB > 0 && Math.min(Math.abs(atA), Math.abs(atB)) > slight;
}

/**
 * Whether `e` says where its edge goes: followed far (LONG) and pointing straight at `o`, while
 * `o` either was followed too little for its own direction and colours to be trusted (the foot of
 * a rocket's side, glimpsed between a gantry and a lamp's glow) or points straight back (`back`):
 * then their sides' colours may differ more, as a lamp lights a tower's upright from one end.
 */
function leads(e: EdgeEntry, towards: number, o: EdgeEntry, back: number): boolean {
  return e.traced >= LONG && towards >= STRAIGHT && (o.traced < TRACE || back >= STRAIGHT);
}

/** A possible join of entries `a` and `b` across the hole: how nearly each points at the other, and which of them leads (see `leads`). */
interface Join {
  a: number;
  b: number;
  towardsA: number;
  towardsB: number;
  aLeads: boolean;
  bLeads: boolean;
  /** Whether both sides' colours match (see nearerSideDifference for one). */
  bothSides: boolean;
}

/** The joins possible across the hole: entries pointing at each other, with the same colours on each side (or one); the best-fitting first. */
function joinOptions(entries: EdgeEntry[]): Join[] {
  const options: (Join & { cost: number })[] = [];
  for (let a = 0; a < entries.length; a++)
    for (let b = a + 1; b < entries.length; b++) {
      const [ea, eb] = [entries[a]!, entries[b]!];
      const { towardsB, towardsA } = facing(ea, eb);
      if (towardsB < MAX_TURN || towardsA < MAX_TURN) continue;
      if (bendsBothWays(ea, eb)) continue;
      const [aLeads, bLeads] = [leads(ea, towardsB, eb, towardsA), leads(eb, towardsA, ea, towardsB)];
      const colour = colourDifference(ea, eb);
      const bothSides = colour <= (aLeads || bLeads ? LED_COLOUR_DIFFERENCE : MAX_COLOUR_DIFFERENCE);
      if (!bothSides && nearerSideDifference(ea, eb) > MAX_COLOUR_DIFFERENCE) continue;
      options.push({ a, b, towardsA, towardsB, aLeads, bLeads, bothSides, cost: 2 - towardsA - towardsB + colour / MAX_COLOUR_DIFFERENCE });
    }
  // Joins by one side only come after every join by both, for the entries those leave: by its
  // sides' colours a bus's roof line matches its other end better than a window's edge matches it
  // by one side, however nearly the window's edge points at it.
  return options.sort((x, y) => Number(y.bothSides) - Number(x.bothSides) || x.cost - y.cost);
}

/** What has been drawn so far: for each pixel, how near the nearest drawn curve passes (squared). */
class Canvas {
  readonly pixels: Float32Array;
  readonly drawn: Uint8Array;
  readonly guide: Uint8Array;
  private readonly nearest: Float32Array;
  /** 1 within CORE of a curve drawn so far… */
  private readonly cores: Uint8Array;
  /** …and that curve's unit direction there. */
  private readonly coreTangents: Float32Array;

  constructor(
    pixels: Float32Array,
    readonly w: number,
    readonly h: number,
    readonly hole: Uint8Array,
  ) {
    this.pixels = Float32Array.from(pixels);
    this.drawn = new Uint8Array(w * h);
    this.guide = new Uint8Array(w * h);
    this.nearest = new Float32Array(w * h).fill(Infinity);
    this.cores = new Uint8Array(w * h);
    this.coreTangents = new Float32Array(2 * w * h);
  }

  /**
   * How far along `point(u)` (u from 0 to 1, `tangent(u)` its direction) a curve runs before it
   * meets one drawn earlier at an angle of at most `within` (radians; π/2 for any): 1 when it meets none.
   */
  freeRun(length: number, point: (u: number) => [number, number], tangent: (u: number) => [number, number], within = Math.PI / 2): number {
    const steps = Math.max(2, Math.ceil(length * 2));
    const limit = Math.cos(within);
    for (let i = 0; i <= steps; i++) {
      const [x, y] = point(i / steps).map(Math.round) as [number, number];
      if (x < 0 || y < 0 || x >= this.w || y >= this.h) continue;
      const q = y * this.w + x;
      if (!this.cores[q]) continue;
      const [tx, ty] = tangent(i / steps);
      if (Math.abs(tx * this.coreTangents[2 * q]! + ty * this.coreTangents[2 * q + 1]!) / (Math.hypot(tx, ty) || 1) >= limit) return i / steps;
    }
    return 1;
  }

  /**
   * Draws one edge through the hole along `point(u)` (u from 0 to 1, `tangent(u)` its direction),
   * its colours across it given by `profileAt(u, s)`: hole pixels within PROFILE of the curve, the
   * nearest curve deciding each; those within CORE are the edge itself.
   */
  curve(
    length: number,
    point: (u: number) => [number, number],
    tangent: (u: number) => [number, number],
    profileAt: (u: number, s: number, rgb: number[]) => void,
  ): void {
    const { w, h, hole } = this;
    const steps = Math.max(2, Math.ceil(length * 2));
    const best = new Map<number, { d: number; u: number; s: number; tx: number; ty: number }>();
    const reach = PROFILE + 1;
    for (let i = 0; i <= steps; i++) {
      const u = i / steps;
      const [px, py] = point(u);
      let [tx, ty] = tangent(u);
      const tl = Math.hypot(tx, ty) || 1;
      [tx, ty] = [tx / tl, ty / tl];
      for (let y = Math.floor(py) - reach; y <= Math.ceil(py) + reach; y++)
        for (let x = Math.floor(px) - reach; x <= Math.ceil(px) + reach; x++) {
          if (x < 0 || y < 0 || x >= w || y >= h || !hole[y * w + x]) continue;
          const along = (x - px) * tx + (y - py) * ty;
          const s = -(x - px) * ty + (y - py) * tx;
          const d = along * along + s * s;
          const q = y * w + x;
          if (Math.abs(s) <= PROFILE && d < (best.get(q)?.d ?? Infinity)) best.set(q, { d, u, s, tx, ty });
        }
    }
    const rgb = [0, 0, 0];
    for (const [q, { d, u, s, tx, ty }] of best) {
      if (Math.abs(s) <= CORE) {
        this.cores[q] = 1;
        this.coreTangents[2 * q] = tx;
        this.coreTangents[2 * q + 1] = ty;
      }
      if (d >= this.nearest[q]!) continue;
      this.nearest[q] = d;
      profileAt(u, s, rgb);
      for (let k = 0; k < 3; k++) this.pixels[q * 3 + k] = rgb[k]!;
      this.guide[q] = 1;
      this.drawn[q] = Math.abs(s) <= CORE ? 1 : 0;
    }
  }
}

/**
 * A line at least this many times as long as the hole is wide across it runs along the hole, not
 * through it: within about 25° of a brushed stroke's length (cot 25° ≈ 2). That is what the user
 * brushed over — a wire, the rest of a spoon's handle — and drawn back it undoes the erasing; a
 * line crossing a stroke or a blob is shorter than the hole is wide across it.
 */
const ALONG_THE_STROKE = 2;

/** How wide (pixels) the hole is through `at`, across `direction`; a point outside the hole has no width to measure. */
function widthAcross(hole: Uint8Array, w: number, h: number, at: [number, number], direction: [number, number]): number {
  const norm = Math.hypot(...direction) || 1;
  const [nx, ny] = [-direction[1] / norm, direction[0] / norm];
  const inside = (d: number) => {
    const [x, y] = [Math.round(at[0] + nx * d), Math.round(at[1] + ny * d)];
    return x >= 0 && y >= 0 && x < w && y < h && hole[y * w + x] === 1;
  };
  if (!inside(0)) return Infinity;
  let width = 0;
  for (const side of [1, -1]) for (let d = 0.5; inside(side * d); d += 0.5) width += 0.5;
  return width;
}

/** How far (pixels) a straight line from an entry runs through the hole before leaving it. */
function reachThrough(e: EdgeEntry, hole: Uint8Array, w: number, h: number): number {
  let inside = false;
  for (let d = 0; ; d += 0.5) {
    const [x, y] = [Math.round(e.x + e.dx * d), Math.round(e.y + e.dy * d)];
    if (x < 0 || y < 0 || x >= w || y >= h) return d;
    if (hole[y * w + x]) inside = true;
    else if (inside) return d;
  }
}

/** Lines this many or more that, followed back away from the hole, meet at one point outside it are rays of something there (see `OnwardRun.rays`). */
const RAYS = 3;
/** Rays fan out by at least this (the cosine of the widest angle between two of them). */
const FAN = Math.cos((30 * Math.PI) / 180);
/** How far (pixels) a line may pass from the point the others meet at, plus this share of its way there (the entry's angle is fitted over a few pixels). */
const MEETING = { near: 2, share: 0.3 };

/** The entries among `es` whose lines, followed back, meet RAYS or more of them at a point outside the hole. */
function raysOf(es: EdgeEntry[], hole: Uint8Array, w: number, h: number): Set<EdgeEntry> {
  const rays = new Set<EdgeEntry>();
  const through = (e: EdgeEntry, [x, y]: [number, number]) => {
    const behind = -((x - e.x) * e.dx + (y - e.y) * e.dy);
    return behind > 0 && Math.abs((x - e.x) * -e.dy + (y - e.y) * e.dx) <= MEETING.near + MEETING.share * behind;
  };
  for (let i = 0; i < es.length; i++)
    for (let j = i + 1; j < es.length; j++) {
      const [a, b] = [es[i]!, es[j]!];
      const cross = a.dx * b.dy - a.dy * b.dx;
      if (Math.abs(cross) < 0.1) continue;
      const t = ((b.x - a.x) * b.dy - (b.y - a.y) * b.dx) / cross;
      const at: [number, number] = [a.x + a.dx * t, a.y + a.dy * t];
      const [x, y] = [Math.round(at[0]), Math.round(at[1])];
      if (t >= 0 || (x >= 0 && y >= 0 && x < w && y < h && hole[y * w + x]) || !through(b, at)) continue;
      const meeting = es.filter((e) => through(e, at));
      if (meeting.length < RAYS) continue;
      // Edges side by side (a pole's two sides and a leg's) meet anywhere behind them within the tolerance; rays fan out.
      const fan = Math.min(...meeting.flatMap((p) => meeting.map((q) => p.dx * q.dx + p.dy * q.dy)));
      if (fan <= FAN) for (const e of meeting) rays.add(e);
    }
  return rays;
}

/** An entry's edge drawn straight on for `length` pixels. */
function drawStraight(canvas: Canvas, e: EdgeEntry, length: number): void {
  canvas.curve(
    length,
    (u) => [e.x + e.dx * length * u, e.y + e.dy * length * u],
    () => [e.dx, e.dy],
    (_, s, rgb) => {
      for (let k = 0; k < 3; k++) rgb[k] = profileColour(e.profile, s, k);
    },
  );
}

/** The profile's colour at a fractional offset across the edge. */
function profileColour(profile: Float32Array, s: number, k: number): number {
  const f = Math.min(PROFILE, Math.max(-PROFILE, s)) + PROFILE;
  const i = Math.min(2 * PROFILE - 1, Math.floor(f));
  const t = f - i;
  return profile[i * 3 + k]! * (1 - t) + profile[(i + 1) * 3 + k]! * t;
}

/** How far an edge without a partner goes on straight: a share of its way through the hole, and at most `longest` pixels. */
export interface OnwardRun {
  share: number;
  longest: number;
  /**
   * Whether rays go on too: lines that fan out from one point outside the hole, as a lamp's star
   * or a cat's whiskers do. Beside a lamp on rocket.jpg, pixels copied after its rays' bright stubs
   * grew a pale block from them; where nothing is copied after them, a border's whiskers go on.
   */
  rays: boolean;
  /**
   * The widest angle (degrees) between an edge and the way straight into the hole at which it goes
   * on; HEAD_ON unless given. In a hole, a slanting stub of an object's outline drawn on is a
   * scratch across it (at 65°, camera.png's object hole's edge continuation fell 0.25 → 0.08 on the
   * quality harness); at a border's edge, a tripod's leg 62° off the way out stopped there.
   */
  widest?: number;
}

/**
 * The edges running into `hole` continued through it: pairs joined along a cubic curve that
 * leaves each end at its edge's angle (a straight edge stays straight, a circle's arc bends as it
 * did); edges without a partner (not counting the far side of a bar drawn through) go on as
 * `onward(those edges)` says (an outpainted border has no far side: all the way).
 */
export function continueStructure(pixels: Float32Array, w: number, h: number, hole: Uint8Array, onward: (unpaired: EdgeEntry[]) => OnwardRun): Structure {
  const entries = findEntries(pixels, w, h, hole);
  const canvas = new Canvas(pixels, w, h, hole);
  // Best-fitting first, each entry once: a curve that would cross one drawn before it is left out
  // (its entries may still join others), unless both run straight and meet at a wide angle (a
  // window's mullions, a lattice's girders cross; two arcs bent to meet rarely do, and the two
  // sides of one bar never swap).
  const used = new Set<number>();
  const pairs: [number, number][] = [];
  for (const { a: ia, b: ib, towardsA, towardsB, aLeads, bLeads } of joinOptions(entries)) {
    if (used.has(ia) || used.has(ib)) continue;
    const [a, b] = [entries[ia]!, entries[ib]!];
    // The far side of a thin line whose whole band is drawn already: drawn again a few pixels off,
    // the two blurred into a smear. Its entries are used up, not drawn.
    if (pairs.some(([i, j]) => (withinBand(a, entries[i]!) && withinBand(b, entries[j]!)) || (withinBand(a, entries[j]!) && withinBand(b, entries[i]!)))) {
      used.add(ia);
      used.add(ib);
      continue;
    }
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    // Cubic Hermite from a to b, leaving a along its direction and arriving at b against b's — or,
    // where one end leads, along the line between them at the other.
    const chord = [b.x - a.x, b.y - a.y] as const;
    const [ta, tb] = [bLeads ? chord : ([a.dx * length, a.dy * length] as const), aLeads ? chord : ([-b.dx * length, -b.dy * length] as const)];
    const point = (u: number): [number, number] => {
      const [u2, u3] = [u * u, u * u * u];
      const [h00, h10, h01, h11] = [2 * u3 - 3 * u2 + 1, u3 - 2 * u2 + u, -2 * u3 + 3 * u2, u3 - u2];
      return [h00 * a.x + h10 * ta[0] + h01 * b.x + h11 * tb[0], h00 * a.y + h10 * ta[1] + h01 * b.y + h11 * tb[1]];
    };
    const tangent = (u: number): [number, number] => {
      const u2 = u * u;
      const [d00, d10, d01, d11] = [6 * u2 - 6 * u, 3 * u2 - 4 * u + 1, -6 * u2 + 6 * u, 3 * u2 - 2 * u];
      return [d00 * a.x + d10 * ta[0] + d01 * b.x + d11 * tb[0], d00 * a.y + d10 * ta[1] + d01 * b.y + d11 * tb[1]];
    };
    if (length >= ALONG_THE_STROKE * widthAcross(hole, w, h, point(0.5), tangent(0.5))) continue;
    const straight = Math.min(towardsA, towardsB) >= STRAIGHT || aLeads || bLeads;
    if (canvas.freeRun(length, point, tangent, straight ? NARROW_CROSSING : Math.PI / 2) < 1) continue;
    canvas.curve(length, point, tangent, (u, s, rgb) => {
      for (let k = 0; k < 3; k++) rgb[k] = (1 - u) * profileColour(a.profile, s, k) + u * profileColour(b.profile, -s, k);
    });
    used.add(ia);
    used.add(ib);
    pairs.push([ia, ib]);
  }
  const paired = new Set(pairs.flat());
  const joined = [...paired].map((i) => entries[i]!);
  // An edge beside a joined one, running with it, is the far side of a bar drawn through already.
  const besidePaired = (e: EdgeEntry) => joined.some((o) => Math.hypot(o.x - e.x, o.y - e.y) <= 2 * PROFILE && o.dx * e.dx + o.dy * e.dy >= STRAIGHT);
  const unpaired = entries.filter((e, i) => !used.has(i) && !besidePaired(e));
  const run = onward(unpaired);
  if (run.share > 0) {
    // Only an edge that heads into the hole (a horizon, a floor line, a wall's edge), long enough
    // to be structure rather than texture; it goes on no further than it ran straight in the photo
    // (a horizon to the end of a border, a whisker not across it), and the longest-seen
    // first: one that meets an edge drawn before it ends there, as an edge meets what is in front of it.
    const headOn = Math.cos(((run.widest ?? HEAD_ON) * Math.PI) / 180);
    const goingOn = entries.filter((e, i) => !used.has(i) && e.headOn >= headOn && e.traced >= TRACE).sort((a, b) => b.traced - a.traced);
    const rays = run.rays ? new Set<EdgeEntry>() : raysOf(goingOn, hole, w, h);
    for (const e of goingOn) {
      if (rays.has(e)) continue;
      const reach = reachThrough(e, hole, w, h);
      if (reach >= ALONG_THE_STROKE * widthAcross(hole, w, h, [e.x + (e.dx * reach) / 2, e.y + (e.dy * reach) / 2], [e.dx, e.dy])) continue;
      const length = Math.min(e.straightFor, run.longest, run.share * reach);
      drawStraight(
        canvas,
        e,
        length *
          canvas.freeRun(
            length,
            (u) => [e.x + e.dx * length * u, e.y + e.dy * length * u],
            () => [e.dx, e.dy],
          ),
      );
    }
  }
  return { pixels: canvas.pixels, drawn: canvas.drawn, guide: canvas.guide, entries, pairs };
}
