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

/**
 * For tools whose network sees the whole photo at once at a working size (Style, Low light):
 * the copy it runs on, and the way back to full size, so every such tool scales the same way.
 */
export async function atWorkingSize(photo: Raster, side: number, opts: { minSide?: number; kernel?: Kernel } = {}): Promise<WorkingCopy> {
  const full = to16(rgbOf(photo));
  const { width: W, height: H } = full;
  const scale = Math.min(1, side / Math.max(W, H));
  const min = opts.minSide ?? 16;
  const w = Math.max(min, Math.round(W * scale));
  const h = Math.max(min, Math.round(H * scale));
  const resized = w !== W || h !== H;
  return {
    full,
    small: resized ? await resizeRaster(full, w, h, opts.kernel) : full,
    resized,
    toFullSize: async (result, kernel) => (resized ? resizeRaster(result, W, H, kernel) : result),
  };
}
