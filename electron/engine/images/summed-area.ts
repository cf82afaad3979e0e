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
