import { CancelledError, errorMessage } from '../errors.js';
import { isAllocationError } from './sessions.js';
import { allocRaster, colourChannels, type Raster } from '../images/raster.js';
import { TileBlender, type RowSink } from './blend.js';
import type { TensorContract } from '../models/catalog.js';
import { readPlanarRgb, type TileInference } from './tensors.js';
import { planTiles } from './tiling.js';
import { BandResizer } from '../images/band-resize.js';

export interface TileProgress {
  done: number;
  total: number;
  tile: number;
}

export interface TiledRunOptions {
  tile: number;
  overlap: number;
  scale: number;
  signal?: AbortSignal;
  onProgress?: (p: TileProgress) => void;
  /** Called when a tile failed to allocate and the run restarts with smaller tiles. */
  onTileReduced?: (from: number, to: number, reason: string) => void;
  /** Each tile's own output (planar RGB 0..1, `scale` times its input rectangle), once it is placed. */
  onTile?: (tile: { x: number; y: number; width: number; height: number; output: Float32Array }) => void;
  /** The size of the result when it is not `scale` times the input: resized (Lanczos-3) band by band as tiles finish, never whole. */
  resizeTo?: { width: number; height: number };
  /** The model's speed (seconds per input pixel), timed on the second tile: a session's first run also allocates and warms up. */
  onSpeed?: (secondsPerPixel: number) => void;
}

const SMALLEST_TILE = 32;

/**
 * Largest square tile whose run fits the memory budget, within the model's recommended range. A
 * model with `maxTileSeconds` gets tiles that take at most that long at its measured speed
 * (seconds per input pixel), or its smallest tile before it is measured: a cancel is read between
 * tiles (a network run cannot be stopped halfway, and stopping the thread inside ONNX Runtime
 * would take the process with it), so this is how long a cancel can wait.
 */
export function chooseTile(contract: TensorContract, width: number, height: number, budgetBytes: number, secondsPerPixel: number | null = null): number {
  const { minTile = SMALLEST_TILE, maxTile = 512, maxTileSeconds } = contract.tiling;
  const pixels = Math.max(0, budgetBytes - contract.memory.baseBytes) / contract.memory.bytesPerInputPixel;
  const fit = Math.floor(Math.sqrt(pixels));
  const quick = !maxTileSeconds ? Infinity : secondsPerPixel ? Math.floor(Math.sqrt(maxTileSeconds / secondsPerPixel)) : minTile;
  const tile = Math.max(minTile, Math.min(maxTile, fit, quick));
  return Math.min(tile, Math.max(width, height));
}

/**
 * ORT's run resolves in a microtask; without a real turn of the event loop between tiles, a
 * cancel message waiting in the queue would only be read after the whole image.
 */
async function throwIfCancelled(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new CancelledError();
}

/** Whether a tile that failed to allocate is tried again at half its size. */
function canHalve(tile: number, overlap: number): boolean {
  return Math.floor(tile / 2) >= Math.max(SMALLEST_TILE, overlap * 2 + 1);
}

/** Rows written straight into the result. */
class InPlace implements RowSink {
  constructor(readonly result: Raster) {}

  reserve(y: number, rows: number): Raster {
    const { width, channels, data } = this.result;
    return { ...this.result, height: rows, data: data.subarray(y * width * channels, (y + rows) * width * channels) };
  }

  commit(): void {}
}

async function runOnce(infer: TileInference, src: Raster, opts: TiledRunOptions): Promise<Raster> {
  const { scale } = opts;
  const plan = planTiles(src.width, src.height, opts.tile, opts.overlap);
  const full = { width: src.width * scale, height: src.height * scale };
  const size = opts.resizeTo ?? full;
  const channels = colourChannels(src);
  const sink =
    size.width === full.width && size.height === full.height
      ? new InPlace(allocRaster(size.width, size.height, channels, src.depth))
      : new BandResizer(full, size, channels, src.depth);
  const blend = new TileBlender(plan, scale, sink);

  let done = 0;
  opts.onProgress?.({ done, total: plan.count, tile: opts.tile });
  for (let r = 0; r < plan.rows.starts.length; r++) {
    const y0 = plan.rows.starts[r]!;
    for (let c = 0; c < plan.cols.starts.length; c++) {
      await throwIfCancelled(opts.signal);
      const x0 = plan.cols.starts[c]!;
      const tileIn = readPlanarRgb(src, x0, y0, plan.cols.length, plan.rows.length);
      const started = performance.now();
      const tileOut = await infer(tileIn, plan.cols.length, plan.rows.length, undefined, canHalve(opts.tile, opts.overlap));
      if (done === 1) opts.onSpeed?.((performance.now() - started) / 1000 / (plan.cols.length * plan.rows.length));
      await blend.add(tileOut, c, r);
      opts.onTile?.({ x: x0, y: y0, width: plan.cols.length, height: plan.rows.length, output: tileOut });
      done++;
      opts.onProgress?.({ done, total: plan.count, tile: opts.tile });
    }
  }
  return sink.result;
}

/**
 * Runs a fully convolutional network over any image size in overlapping tiles blended with linear
 * ramps. Cancellation is checked before every tile; an allocation failure halves the tile and
 * starts over.
 */
export async function runTiled(infer: TileInference, src: Raster, opts: TiledRunOptions): Promise<Raster> {
  let tile = opts.tile;
  for (;;) {
    try {
      return await runOnce(infer, src, { ...opts, tile });
    } catch (err) {
      if (!isAllocationError(err) || !canHalve(tile, opts.overlap)) throw err;
      opts.onTileReduced?.(tile, Math.floor(tile / 2), errorMessage(err));
      tile = Math.floor(tile / 2);
    }
  }
}
