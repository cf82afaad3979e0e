import { maxValue, type Raster } from '../images/raster.js';
import { BandAccumulator } from './tiling.js';

/** The range [first, end) of a tile's weights that are exactly 1: where no neighbouring tile reaches. */
function unshared(weights: Float32Array): [number, number] {
  const first = weights.indexOf(1);
  if (first < 0) return [0, 0];
  return [first, weights.lastIndexOf(1) + 1];
}

/**
 * Writes a tiled network's planar 0..1 output into a raster in one pass: a pixel only one tile
 * covers (most of them) is clamped and converted straight into the raster; the overlaps are summed
 * with their blend weights and converted once the rows are complete.
 */
export class TileBlender {
  private readonly overlaps: BandAccumulator;
  private readonly max: number;
  private readonly grey: boolean;

  constructor(
    private readonly out: Raster,
    capacityRows: number,
  ) {
    this.max = maxValue(out.depth);
    this.grey = out.channels === 1;
    this.overlaps = new BandAccumulator(out.width, 3, capacityRows, (y, rows, sum, weight) => this.writeBlended(y, rows, sum, weight));
  }

  /** Makes room for output rows [y, y + rows), writing out every blended row above `y`. */
  advanceTo(y: number, rows: number): void {
    this.overlaps.advanceTo(y, rows);
  }

  /** Places a planar RGB tile w×h at output position (x, y) with separable blend weights wx × wy. */
  add(tile: Float32Array, x: number, y: number, w: number, h: number, wx: Float32Array, wy: Float32Array): void {
    const [i0, i1] = unshared(wx);
    const [j0, j1] = i0 < i1 ? unshared(wy) : [h, h];
    for (const rect of [
      [0, w, 0, j0],
      [0, w, j1, h],
      [0, i0, j0, j1],
      [i1, w, j0, j1],
    ] as const) {
      if (rect[0] < rect[1] && rect[2] < rect[3]) this.overlaps.add(tile, x, y, w, h, wx, wy, rect);
    }
    this.writeDirect(tile, x, y, w, h, i0, i1, j0, j1);
  }

  finish(): void {
    this.overlaps.finish();
  }

  private writeDirect(tile: Float32Array, x: number, y: number, w: number, h: number, i0: number, i1: number, j0: number, j1: number): void {
    const { data, width, channels } = this.out;
    const { max, grey } = this;
    const plane = w * h;
    for (let j = j0; j < j1; j++) {
      let o = ((y + j) * width + x + i0) * channels;
      for (let s = j * w + i0, end = j * w + i1; s < end; s++, o += channels) {
        const r = tile[s]!;
        const g = tile[plane + s]!;
        const b = tile[2 * plane + s]!;
        if (grey) data[o] = level((r + g + b) / 3, max);
        else {
          data[o] = level(r, max);
          data[o + 1] = level(g, max);
          data[o + 2] = level(b, max);
        }
      }
    }
  }

  private writeBlended(y: number, rows: number, sum: Float32Array, weight: Float32Array): void {
    const { data, width, channels } = this.out;
    const { max, grey } = this;
    for (let p = 0, n = rows * width; p < n; p++) {
      const wt = weight[p]!;
      // No weight: a pixel one tile covered alone, already written.
      if (wt === 0) continue;
      const inv = 1 / wt;
      const r = sum[p * 3]! * inv;
      const g = sum[p * 3 + 1]! * inv;
      const b = sum[p * 3 + 2]! * inv;
      const o = (y * width + p) * channels;
      if (grey) data[o] = level((r + g + b) / 3, max);
      else {
        data[o] = level(r, max);
        data[o + 1] = level(g, max);
        data[o + 2] = level(b, max);
      }
    }
  }
}

/**
 * A 0..1 value as a pixel level 0..max, clamped (GAN outputs overshoot); rounded by the store into
 * the integer array. Branch-free: twice as fast as comparisons on this hot path.
 */
function level(v: number, max: number): number {
  return Math.min(max, Math.max(0, v * max + 0.5));
}
