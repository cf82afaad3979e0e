import { rgbOf, to16 } from '../images/colour.js';
import type { Raster } from '../images/raster.js';
import { resizeRaster } from '../images/resample.js';

type Kernel = 'lanczos3' | 'linear';

/** A photo's colour as 16-bit RGB at full size and at the size a network works at. */
export interface WorkingCopy {
  /** The photo's colour, 16-bit RGB, full size. */
  full: Raster;
  /** The same, no longer than the working size (`full` itself when the photo is that small). */
  small: Raster;
  /** Whether `small` is a smaller copy. */
  resized: boolean;
  /** A result made at the small size, brought to the photo's size (itself when nothing was resized). */
  toFullSize(result: Raster, kernel?: Kernel): Promise<Raster>;
}

/** A photo's size scaled to be no longer than `side` (never enlarged), and at least `minSide` each way. */
export function workingSize(width: number, height: number, side: number, minSide = 16): [number, number] {
  const scale = Math.min(1, side / Math.max(width, height));
  return [Math.max(minSide, Math.round(width * scale)), Math.max(minSide, Math.round(height * scale))];
}

/**
 * For tools whose network sees the whole photo at once at a working size (Style; Low light makes only the small copy, with workingSize):
 * the copy it runs on, and the way back to full size, so every such tool scales the same way.
 */
export async function atWorkingSize(photo: Raster, side: number, opts: { minSide?: number; kernel?: Kernel } = {}): Promise<WorkingCopy> {
  const full = to16(rgbOf(photo));
  const { width: W, height: H } = full;
  const [w, h] = workingSize(W, H, side, opts.minSide);
  const resized = w !== W || h !== H;
  return {
    full,
    small: resized ? await resizeRaster(full, w, h, opts.kernel) : full,
    resized,
    toFullSize: async (result, kernel) => (resized ? resizeRaster(result, W, H, kernel) : result),
  };
}
