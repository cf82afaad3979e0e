import { allocRaster, type Channels, type Raster } from './raster.js';
import { resizedSamples } from './resample.js';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Output rows beyond a band's own that its resize reads: Lanczos-3 reaches three, one more for rounding. */
const REACH = 4;

/**
 * Resizes an image (Lanczos-3) as its rows arrive top to bottom, so the image itself is never held
 * whole: Enhance ×2 of a 24 MP photo never holds its 1.15 GB ×4 copy. Each band is resized with
 * margins of its real neighbouring rows and cropped, and starts where a source row and an output
 * row begin together, so the pixels are those of resizing the whole image at once.
 */
export class BandResizer {
  readonly result: Raster;
  /** Source rows per block and output rows per block: bands start on block boundaries. */
  private readonly block: { from: number; to: number };
  private readonly margin: number;
  private pending: Raster;
  private pendingTop = 0;
  private pendingRows = 0;
  private written = 0;

  constructor(
    private readonly from: { width: number; height: number },
    to: { width: number; height: number },
    channels: Channels,
    depth: Raster['depth'],
  ) {
    this.result = allocRaster(to.width, to.height, channels, depth);
    const common = gcd(from.height, to.height);
    this.block = { from: from.height / common, to: to.height / common };
    const reach = REACH * Math.max(1, Math.ceil(this.block.to / this.block.from));
    this.margin = Math.ceil(reach / this.block.to);
    this.pending = allocRaster(from.width, 0, channels, depth);
  }

  /** Room for source rows [y, y + rows), which must follow the last ones committed, to be written into. */
  reserve(y: number, rows: number): Raster {
    if (y !== this.pendingTop + this.pendingRows) throw new Error(`rows from ${y} were asked for after rows up to ${this.pendingTop + this.pendingRows}`);
    const rowValues = this.from.width * this.result.channels;
    const needed = this.pendingRows + rows;
    if (needed > this.pending.height) {
      // Exactly what is needed: after the first band it holds a margin and one band, the most it ever holds.
      const grown = allocRaster(this.from.width, needed, this.result.channels, this.result.depth);
      grown.data.set(this.pending.data.subarray(0, this.pendingRows * rowValues));
      this.pending = grown;
    }
    return { ...this.pending, height: rows, data: this.pending.data.subarray(this.pendingRows * rowValues, needed * rowValues) };
  }

  /** Source rows [y, y + rows) are written: resizes the output rows they complete. */
  async commit(y: number, rows: number): Promise<void> {
    if (y !== this.pendingTop + this.pendingRows) throw new Error(`rows from ${y} were committed after rows up to ${this.pendingTop + this.pendingRows}`);
    this.pendingRows += rows;
    const end = this.pendingTop + this.pendingRows;
    const blocks = end === this.from.height ? end / this.block.from : Math.floor(end / this.block.from) - this.margin;
    const ready = blocks * this.block.to;
    if (ready > this.written) await this.resizeUpTo(ready);
  }

  /** Resizes output rows [written, end) from the source rows they reach, then drops the source rows no later band reaches. */
  private async resizeUpTo(end: number): Promise<void> {
    const { block, margin, result } = this;
    const firstBlock = Math.max(0, this.written / block.to - margin);
    const lastBlock = Math.min(this.from.height / block.from, end / block.to + margin);
    const top = firstBlock * block.from;
    const rowValues = this.from.width * result.channels;
    const source: Raster = {
      ...this.pending,
      height: (lastBlock - firstBlock) * block.from,
      data: this.pending.data.subarray((top - this.pendingTop) * rowValues, (lastBlock * block.from - this.pendingTop) * rowValues),
    };
    const resized = await resizedSamples(source, result.width, (lastBlock - firstBlock) * block.to);
    const rowBytes = result.width * result.channels * result.data.BYTES_PER_ELEMENT;
    const skip = this.written - firstBlock * block.to;
    new Uint8Array(result.data.buffer).set(resized.subarray(skip * rowBytes, (skip + end - this.written) * rowBytes), this.written * rowBytes);
    this.written = end;

    const keepFrom = Math.max(0, end / block.to - margin) * block.from;
    const drop = keepFrom - this.pendingTop;
    this.pending.data.copyWithin(0, drop * rowValues, this.pendingRows * rowValues);
    this.pendingTop = keepFrom;
    this.pendingRows -= drop;
  }
}
