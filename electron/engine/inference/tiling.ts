/** Tile starts along one axis: every tile has the same length; the last is shifted inward to end at the edge. */
export interface AxisPlan {
  starts: number[];
  length: number;
}

export function planAxis(size: number, tile: number, overlap: number): AxisPlan {
  if (size <= tile) return { starts: [0], length: size };
  const stride = tile - overlap;
  if (stride <= 0) throw new Error(`tile ${tile} must be larger than overlap ${overlap}`);
  const count = Math.ceil((size - overlap) / stride);
  // Spread the tiles evenly instead of leaving one mostly-overlapping tile at the end: less work.
  const length = Math.min(size, Math.ceil((size + (count - 1) * overlap) / count));
  const step = (size - length) / (count - 1);
  const starts = Array.from({ length: count }, (_, i) => Math.round(i * step));
  return { starts, length };
}

export interface TilePlan {
  cols: AxisPlan;
  rows: AxisPlan;
  count: number;
}

export function planTiles(width: number, height: number, tile: number, overlap: number): TilePlan {
  const cols = planAxis(width, tile, overlap);
  const rows = planAxis(height, tile, overlap);
  return { cols, rows, count: cols.starts.length * rows.starts.length };
}

/**
 * Blend weights along one axis of one tile, in output pixels: a linear ramp across each overlap
 * with a neighbour, 1 elsewhere. Tile borders carry the least context, so they weigh least.
 */
export function axisWeights(plan: AxisPlan, index: number, scale: number): Float32Array {
  const len = plan.length * scale;
  const w = new Float32Array(len).fill(1);
  const start = plan.starts[index]!;
  const prev = index > 0 ? plan.starts[index - 1]! : null;
  const next = index < plan.starts.length - 1 ? plan.starts[index + 1]! : null;
  if (prev !== null) {
    const ramp = (prev + plan.length - start) * scale;
    for (let i = 0; i < ramp; i++) w[i] = Math.min(w[i]!, (i + 0.5) / ramp);
  }
  if (next !== null) {
    const ramp = (start + plan.length - next) * scale;
    for (let i = 0; i < ramp; i++) w[len - 1 - i] = Math.min(w[len - 1 - i]!, (i + 0.5) / ramp);
  }
  return w;
}

/**
 * Weighted sums for a band of output rows. Tiles arrive row by row; rows above the current tile
 * row are final and are handed to `emit` and dropped, so memory holds one tile row, never the
 * whole output in float.
 */
export class BandAccumulator {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private top = 0;
  private rows = 0;

  constructor(
    private readonly width: number,
    private readonly channels: number,
    capacityRows: number,
    private readonly emit: (y: number, rows: number, sum: Float32Array, weight: Float32Array) => void,
  ) {
    this.sum = new Float32Array(width * channels * capacityRows);
    this.weight = new Float32Array(width * capacityRows);
  }

  /** Emits every row above `y` and makes room for rows [y, y + rows). */
  advanceTo(y: number, rows: number): void {
    const done = Math.max(0, Math.min(y - this.top, this.rows));
    if (done > 0) {
      this.emit(this.top, done, this.sum.subarray(0, done * this.width * this.channels), this.weight.subarray(0, done * this.width));
      this.sum.copyWithin(0, done * this.width * this.channels, this.rows * this.width * this.channels);
      this.weight.copyWithin(0, done * this.width, this.rows * this.width);
    }
    const kept = this.rows - done;
    this.top = y;
    this.rows = Math.max(kept, rows);
    this.sum.fill(0, kept * this.width * this.channels, this.rows * this.width * this.channels);
    this.weight.fill(0, kept * this.width, this.rows * this.width);
  }

  /**
   * Adds columns [i0, i1) of rows [j0, j1) of a planar (CHW) tile w×h placed at output position
   * (x, y), with separable weights wx × wy.
   */
  add(
    tile: Float32Array,
    x: number,
    y: number,
    w: number,
    h: number,
    wx: Float32Array,
    wy: Float32Array,
    [i0, i1, j0, j1]: readonly [number, number, number, number] = [0, w, 0, h],
  ): void {
    const plane = w * h;
    const c = this.channels;
    for (let j = j0; j < j1; j++) {
      const row = y - this.top + j;
      const wyj = wy[j]!;
      const wBase = row * this.width + x;
      for (let i = i0; i < i1; i++) {
        const wt = wx[i]! * wyj;
        const src = j * w + i;
        const dst = (wBase + i) * c;
        for (let k = 0; k < c; k++) this.sum[dst + k]! += tile[k * plane + src]! * wt;
        this.weight[wBase + i]! += wt;
      }
    }
  }

  finish(): void {
    this.advanceTo(this.top + this.rows, 0);
  }
}
