import { gaussianBlurPlane } from './blur.js';
import { SummedArea } from './summed-area.js';
/**
 * Taking out the grid a network's upsampling leaves (nearest-neighbour resize or strided
 * transposed convolution followed by a few convolutions): a pattern that repeats every `period`
 * output pixels, in colour (green/magenta dots) as much as in brightness. At 100 % it reads as
 * sensor noise, not brushwork.
 */

/** Same-phase neighbours on each side that vote on the pattern: 5 periods along each axis. */
const REACH = 2;

/** Mean over the period × period box at each pixel (clipped at the borders). */
function boxMean(src: Float32Array, w: number, h: number, period: number): Float32Array {
  const sums = new SummedArea(src, w, h);
  const out = new Float32Array(w * h);
  const half = period >> 1;
  for (let y = 0; y < h; y++) {
    const [y0, y1] = [Math.max(0, y - half), Math.min(h, y - half + period)];
    for (let x = 0; x < w; x++) {
      const [x0, x1] = [Math.max(0, x - half), Math.min(w, x - half + period)];
      out[y * w + x] = sums.sum(x0, y0, x1, y1) / ((x1 - x0) * (y1 - y0));
    }
  }
  return out;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** At each pixel, the median of `src` at the same phase `period` apart, REACH each way along one axis. */
function samePhaseMedian(src: Float32Array, w: number, h: number, period: number, alongX: boolean): Float32Array {
  const out = new Float32Array(w * h);
  const votes: number[] = [];
  const [step, length] = alongX ? [1, w] : [w, h];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const at = alongX ? x : y;
      votes.length = 0;
      for (let k = -REACH; k <= REACH; k++) {
        const q = at + k * period;
        if (q >= 0 && q < length) votes.push(src[y * w + x + (q - at) * step]!);
      }
      out[y * w + x] = median(votes);
    }
  return out;
}

/**
 * Takes the grid out of each plane of planar `rgb` (in place): the pattern at a pixel is what its
 * same-phase neighbours a period apart agree on in the photo's detail (the pixel minus its
 * period-square mean) — a median, so an edge or a dot of real paint, which one neighbour holds and
 * the others do not, is not taken for the pattern — made zero-mean over a period and subtracted.
 */
export function removeGridPattern(rgb: Float32Array, w: number, h: number, period: number): void {
  const plane = w * h;
  for (let c = 0; c < rgb.length / plane; c++) {
    const v = rgb.subarray(c * plane, (c + 1) * plane);
    const mean = boxMean(v, w, h, period);
    const detail = v.map((value, i) => value - mean[i]!);
    const pattern = samePhaseMedian(samePhaseMedian(detail, w, h, period, true), w, h, period, false);
    const level = boxMean(pattern, w, h, period);
    for (let i = 0; i < plane; i++) v[i] = v[i]! - (pattern[i]! - level[i]!);
  }
}

/**
 * Smooths the colour of planar `rgb` (in place) at the scale of a pixel or two, keeping its
 * luminance: what is left of an upsampling grid is mostly green/magenta from pixel to pixel,
 * which no brushstroke has.
 */
export function smoothChroma(rgb: Float32Array, w: number, h: number, sigma: number): void {
  const plane = w * h;
  const y = new Float32Array(plane);
  for (let i = 0; i < plane; i++) y[i] = 0.299 * rgb[i]! + 0.587 * rgb[plane + i]! + 0.114 * rgb[2 * plane + i]!;
  for (let c = 0; c < 3; c++) {
    const v = rgb.subarray(c * plane, (c + 1) * plane);
    const chroma = gaussianBlurPlane(
      v.map((value, i) => value - y[i]!),
      w,
      h,
      sigma,
    );
    for (let i = 0; i < plane; i++) v[i] = y[i]! + chroma[i]!;
  }
}
