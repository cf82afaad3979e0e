/** Sums over any rectangle of a plane in constant time: a summed-area table. */
export class SummedArea {
  private readonly table: Float64Array;

  constructor(
    values: ArrayLike<number>,
    private readonly width: number,
    height: number,
  ) {
    this.table = new Float64Array((width + 1) * (height + 1));
    for (let y = 0; y < height; y++) {
      let row = 0;
      for (let x = 0; x < width; x++) {
        row += values[y * width + x]!;
        this.table[(y + 1) * (width + 1) + x + 1] = this.table[y * (width + 1) + x + 1]! + row;
      }
    }
  }

  /** The sum over columns x0…x1−1 of rows y0…y1−1. */
  sum(x0: number, y0: number, x1: number, y1: number): number {
    const w = this.width + 1;
    return this.table[y1 * w + x1]! - this.table[y0 * w + x1]! - this.table[y1 * w + x0]! + this.table[y0 * w + x0]!;
  }
}

/** The mean of each channel of interleaved RGB over the square of half-side `radius` around each pixel (clipped to the image). */
export function boxMeanRgb(rgb: Float32Array, width: number, height: number, radius: number): Float32Array {
  const out = new Float32Array(rgb.length);
  const plane = new Float32Array(width * height);
  for (let k = 0; k < 3; k++) {
    for (let p = 0; p < plane.length; p++) plane[p] = rgb[p * 3 + k]!;
    const sums = new SummedArea(plane, width, height);
    for (let y = 0; y < height; y++) {
      const [y0, y1] = [Math.max(0, y - radius), Math.min(height, y + radius + 1)];
      for (let x = 0; x < width; x++) {
        const [x0, x1] = [Math.max(0, x - radius), Math.min(width, x + radius + 1)];
        out[(y * width + x) * 3 + k] = sums.sum(x0, y0, x1, y1) / ((x1 - x0) * (y1 - y0));
      }
    }
  }
  return out;
}

/** The mean colour and the variance (summed over channels) of interleaved RGB over any rectangle (clipped to the image). */
export function rectangleStats(rgb: Float32Array, width: number, height: number) {
  const plane = (value: (p: number) => number) =>
    new SummedArea(
      Float64Array.from({ length: width * height }, (_, p) => value(p)),
      width,
      height,
    );
  const sums = [0, 1, 2].map((k) => plane((p) => rgb[p * 3 + k]!));
  const squares = plane((p) => rgb[p * 3]! ** 2 + rgb[p * 3 + 1]! ** 2 + rgb[p * 3 + 2]! ** 2);
  const clipped = (x0: number, y0: number, x1: number, y1: number) => [Math.max(0, x0), Math.max(0, y0), Math.min(width, x1), Math.min(height, y1)] as const;
  const mean = (x0: number, y0: number, x1: number, y1: number) => {
    const r = clipped(x0, y0, x1, y1);
    return sums.map((s) => s.sum(...r) / ((r[2] - r[0]) * (r[3] - r[1])));
  };
  const variance = (x0: number, y0: number, x1: number, y1: number) => {
    const r = clipped(x0, y0, x1, y1);
    const squared = squares.sum(...r) / ((r[2] - r[0]) * (r[3] - r[1]));
    return Math.max(0, squared - mean(x0, y0, x1, y1).reduce((total, m) => total + m * m, 0));
  };
  return { mean, variance };
}
