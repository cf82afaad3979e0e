import { maxValue, type Raster } from '../images/raster.js';
import { axisWeights, type AxisPlan, type TilePlan } from './tiling.js';

/** Where a tiled run's output rows go, top to bottom, each once: the blender writes them in place. */
export interface RowSink {
  /** The raster, full width and `rows` high, that output rows [y, y + rows) are to be written into. */
  reserve(y: number, rows: number): Raster;
  /** Rows [y, y + rows) of the last reservation are written and final. */
  commit(y: number, rows: number): Promise<void> | void;
}

/** The range [first, end) of a tile's weights that are exactly 1: where no neighbouring tile reaches. */
function unshared(weights: Float32Array): [number, number] {
  const first = weights.indexOf(1);
  if (first < 0) return [0, 0];
  return [first, weights.lastIndexOf(1) + 1];
}

/** One axis's blend weights for every tile along it, with each tile's unshared range. */
function axisBlend(plan: AxisPlan, scale: number): { weights: Float32Array; inner: [number, number] }[] {
  return plan.starts.map((_, i) => {
    const weights = axisWeights(plan, i, scale);
    const inner = unshared(weights);
    // Holds while the overlap is under half a tile, which planning and tile halving keep.
    if (inner[0] >= inner[1]) throw new Error(`tiles of ${plan.length} px overlap too much to blend`);
    return { weights, inner };
  });
}

/** A planar RGB tile at its output position, with the separable weights it is blended with. */
interface PlacedTile {
  data: Float32Array;
  x: number;
  y: number;
  width: number;
  height: number;
  wx: Float32Array;
  wy: Float32Array;
}

/** Weighted sums over one rectangle of the output that two or four tiles share. */
class Overlap {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;

  constructor(
    readonly x: number,
    readonly y: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.sum = new Float32Array(width * height * 3);
    this.weight = new Float32Array(width * height);
  }

  /** Adds the tile's columns [i0, i1) of rows [j0, j1), which must lie inside this rectangle. */
  add(t: PlacedTile, i0: number, i1: number, j0: number, j1: number): void {
    const plane = t.width * t.height;
    for (let j = j0; j < j1; j++) {
      const wyj = t.wy[j]!;
      const base = (t.y + j - this.y) * this.width + t.x - this.x;
      for (let i = i0; i < i1; i++) {
        const wt = t.wx[i]! * wyj;
        const src = j * t.width + i;
        const p = base + i;
        this.sum[p * 3]! += t.data[src]! * wt;
        this.sum[p * 3 + 1]! += t.data[plane + src]! * wt;
        this.sum[p * 3 + 2]! += t.data[2 * plane + src]! * wt;
        this.weight[p]! += wt;
      }
    }
  }

  /** Writes the blended pixels into `out`, whose first row is output row `top`. */
  writeTo(out: Raster, top: number): void {
    const put = pixelWriter(out);
    for (let r = 0; r < this.height; r++) {
      const o = ((this.y - top + r) * out.width + this.x) * out.channels;
      for (let c = 0, p = r * this.width; c < this.width; c++, p++) {
        const inv = 1 / this.weight[p]!;
        put(o + c * out.channels, this.sum[p * 3]! * inv, this.sum[p * 3 + 1]! * inv, this.sum[p * 3 + 2]! * inv);
      }
    }
  }
}

/**
 * Blends a tiled network's planar 0..1 output in one pass, straight into the rows the sink gives
 * it, with floats only where tiles overlap: a pixel one tile covers (most of them) is converted
 * in place; the columns two neighbouring tiles share are summed until the second arrives; the
 * rows shared with the next row of tiles wait for it. Rows are final in order, so a result much
 * larger than memory can be resized band by band.
 */
export class TileBlender {
  private readonly cols: ReturnType<typeof axisBlend>;
  private readonly rows: ReturnType<typeof axisBlend>;
  /** The current tile row's rows in the sink, from its first to the end of those it alone covers. */
  private band: Raster | null = null;
  /** Rows the current tile row shares with the one above, and with the one below. */
  private above: Overlap | null = null;
  private below: Overlap | null = null;
  /** Columns the last tile shares with the next in its row. */
  private beside: Overlap | null = null;
  private readonly width: number;

  constructor(
    private readonly plan: TilePlan,
    private readonly scale: number,
    private readonly sink: RowSink,
  ) {
    this.cols = axisBlend(plan.cols, scale);
    this.rows = axisBlend(plan.rows, scale);
    this.width = (plan.cols.starts.at(-1)! + plan.cols.length) * scale;
  }

  /** Places the output of the tile in plan column `col` and row `row`; tiles must come row by row, left to right. */
  async add(data: Float32Array, col: number, row: number): Promise<void> {
    const { scale, plan } = this;
    const [i0, i1] = this.cols[col]!.inner;
    const [j0, j1] = this.rows[row]!.inner;
    const t: PlacedTile = {
      data,
      x: plan.cols.starts[col]! * scale,
      y: plan.rows.starts[row]! * scale,
      width: plan.cols.length * scale,
      height: plan.rows.length * scale,
      wx: this.cols[col]!.weights,
      wy: this.rows[row]!.weights,
    };
    if (col === 0) this.band = this.sink.reserve(t.y, j1);
    const band = this.band!;
    if (j0 > 0) this.above!.add(t, 0, t.width, 0, j0);
    if (j1 < t.height) {
      this.below ??= new Overlap(0, t.y + j1, this.width, t.height - j1);
      this.below.add(t, 0, t.width, j1, t.height);
    }
    if (i0 > 0) {
      this.beside!.add(t, 0, i0, j0, j1);
      this.beside!.writeTo(band, t.y);
      this.beside = null;
    }
    if (i1 < t.width) {
      this.beside = new Overlap(t.x + i1, t.y + j0, t.width - i1, j1 - j0);
      this.beside.add(t, i1, t.width, j0, j1);
    }
    writeDirect(band, t, i0, i1, j0, j1);
    if (col === plan.cols.starts.length - 1) {
      // The rows shared with the tile row above are complete now too.
      this.above?.writeTo(band, t.y);
      [this.above, this.below] = [this.below, null];
      await this.sink.commit(t.y, j1);
    }
  }
}

/** Converts the pixels only this tile covers, columns [i0, i1) of rows [j0, j1), into the band whose first row is the tile's. */
function writeDirect(band: Raster, t: PlacedTile, i0: number, i1: number, j0: number, j1: number): void {
  const put = pixelWriter(band);
  const { width, channels } = band;
  const plane = t.width * t.height;
  for (let j = j0; j < j1; j++) {
    let o = (j * width + t.x + i0) * channels;
    for (let s = j * t.width + i0, end = j * t.width + i1; s < end; s++, o += channels) put(o, t.data[s]!, t.data[plane + s]!, t.data[2 * plane + s]!);
  }
}

/** Stores a 0..1 RGB value at a sample offset of the raster: clamped (GAN outputs overshoot), grey as the mean. */
function pixelWriter(out: Raster): (o: number, r: number, g: number, b: number) => void {
  const { data } = out;
  const max = maxValue(out.depth);
  if (out.channels === 1) return (o, r, g, b) => (data[o] = level((r + g + b) / 3, max));
  return (o, r, g, b) => {
    data[o] = level(r, max);
    data[o + 1] = level(g, max);
    data[o + 2] = level(b, max);
  };
}

/**
 * A 0..1 value as a pixel level 0..max, clamped; rounded by the store into the integer array.
 * Branch-free: twice as fast as comparisons on this hot path.
 */
function level(v: number, max: number): number {
  return Math.min(max, Math.max(0, v * max + 0.5));
}
