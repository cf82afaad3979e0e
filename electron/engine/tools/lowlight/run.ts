import { copyAlpha, luma, rgbLike, rgbOf, to16 } from '../../images/colour.js';
import { colourChannels, maxValue, type Raster } from '../../images/raster.js';
import { resizeRaster } from '../../images/resample.js';
import { readPlanarRgb } from '../../inference/tensors.js';
import { defineTool } from '../tool.js';
import { workingSize } from '../working-size.js';
import { LOWLIGHT_MODEL_NAMES, lowlightSpec } from './spec.js';

/** The largest brightening per pixel: enough for a photo 5 stops under. */
const MAX_GAIN = 32;
/** Where the highlight roll-off starts (luma 0..1). */
const KNEE = 0.75;

/** Luma `y` on a soft shoulder above KNEE, approaching 1 without reaching it. */
function rolledOff(y: number): number {
  return y <= KNEE ? y : KNEE + (1 - KNEE) * (1 - Math.exp(-(y - KNEE) / (1 - KNEE)));
}

/** A photo brighter than this on average (0..1 luma) is not a low-light photo. */
const NOT_DARK = 0.4;

function smoothstep(a: number, b: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

/** A pixel's colour, 0..1: grey is read as R = G = B, alpha is left out. */
function colourAt(r: Raster, i: number, out: Float64Array): void {
  const k = 1 / maxValue(r.depth);
  const q = i * r.channels;
  if (colourChannels(r) === 3) {
    out[0] = r.data[q]! * k;
    out[1] = r.data[q + 1]! * k;
    out[2] = r.data[q + 2]! * k;
  } else out[0] = out[1] = out[2] = r.data[q]! * k;
}

export function meanLuma(r: Raster): number {
  const c = new Float64Array(3);
  let sum = 0;
  for (let i = 0, n = r.width * r.height; i < n; i++) {
    colourAt(r, i, c);
    sum += luma(c[0]!, c[1]!, c[2]!);
  }
  return sum / (r.width * r.height);
}

/** Rows worked on at once: the full-size work is done strip by strip, so memory stays near the photo's own size. */
const STRIP_ROWS = 256;
/** The noise filter's reach (a 5×5 window): a strip is computed with this many rows more on each side. */
const DENOISE_REACH = 2;
const SPATIAL = [1, 0.61, 0.14]; // exp(-d²/2σ²) for d = 0, 1, 2 and σ = 1

/**
 * Edge-preserving smoothing (a 5×5 bilateral filter on luma distance) of rows `from`..`to` of a
 * strip of 16-bit RGB (rows beyond the strip are read as its edge rows), blended by `strength`;
 * each smoothed pixel is handed to `put`. The networks brighten sensor noise with everything
 * else; this takes it back down.
 */
function denoiseRows(
  strip: Uint16Array,
  w: number,
  rows: number,
  from: number,
  to: number,
  strength: number,
  put: (row: number, x: number, rgb: number[]) => void,
): void {
  const sigmaR = (0.02 + 0.1 * strength) * 65535;
  const rgb = [0, 0, 0];
  for (let y = from; y < to; y++) {
    for (let x = 0; x < w; x++) {
      const c = (y * w + x) * 3;
      const lc = luma(strip[c]!, strip[c + 1]!, strip[c + 2]!);
      let sw = 0,
        sr = 0,
        sg = 0,
        sb = 0;
      for (let dy = -DENOISE_REACH; dy <= DENOISE_REACH; dy++) {
        const yy = Math.min(rows - 1, Math.max(0, y + dy));
        for (let dx = -DENOISE_REACH; dx <= DENOISE_REACH; dx++) {
          const q = (yy * w + Math.min(w - 1, Math.max(0, x + dx))) * 3;
          const dl = (luma(strip[q]!, strip[q + 1]!, strip[q + 2]!) - lc) / sigmaR;
          const wt = SPATIAL[Math.abs(dx)]! * SPATIAL[Math.abs(dy)]! * Math.exp(-0.5 * dl * dl);
          sw += wt;
          sr += wt * strip[q]!;
          sg += wt * strip[q + 1]!;
          sb += wt * strip[q + 2]!;
        }
      }
      rgb[0] = strip[c]! + (sr / sw - strip[c]!) * strength;
      rgb[1] = strip[c + 1]! + (sg / sw - strip[c + 1]!) * strength;
      rgb[2] = strip[c + 2]! + (sb / sw - strip[c + 2]!) * strength;
      put(y, x, rgb);
    }
  }
}

/** Bilinear sampling positions (pixel centres aligned) of `n` output positions over `m` source ones. */
function samplePositions(n: number, m: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.min(m - 1, Math.max(0, ((i + 0.5) * m) / n - 0.5));
    lo[i] = Math.floor(s);
    hi[i] = Math.min(m - 1, lo[i]! + 1);
    t[i] = s - lo[i]!;
  }
  return { lo, hi, t };
}

/**
 * Low light: the network brightens a copy at the working size; the per-pixel gain it applied
 * (output / input, smoothed by bilinear upsampling) brightens the full-size photo, so detail and
 * bit depth (16-bit stays 16-bit) are the photo's own. Bright areas keep their level.
 */
export const lowlightTool = defineTool(
  lowlightSpec,
  async ({ raster }, p, ctx) => {
    const model = await ctx.model(p.model);
    const { width: W, height: H } = raster;
    const applying = p.denoise > 0 ? 'applying at full size with noise reduction' : 'applying at full size';
    const steps = ctx.steps(['brightening', applying]);
    steps.start('brightening');
    const small = await smallCopy(raster, p.workingSize);
    const { width: w, height: h } = small;
    const input = readPlanarRgb(small, 0, 0, w, h);
    const output = await model.infer(input, w, h);
    // Gain per pixel and channel at the working size; brought to full size pixel by pixel below.
    const plane = w * h;
    const gain = new Float32Array(3 * plane);
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < plane; i++) gain[k * plane + i] = Math.min(MAX_GAIN, output[k * plane + i]! / Math.max(input[k * plane + i]!, 1e-3));
    steps.start(applying);

    // Strip by strip, straight into the output at the photo's depth; with noise reduction the
    // strip is brightened into 16-bit RGB first (with the filter's reach above and below).
    const out = rgbLike(raster);
    const top = maxValue(out.depth);
    const xs = samplePositions(W, w);
    const ys = samplePositions(H, h);
    const reach = p.denoise > 0 ? DENOISE_REACH : 0;
    const strip = new Uint16Array((STRIP_ROWS + 2 * reach) * W * 3);
    const gains = [0, 1, 2].map((k) => gain.subarray(k * plane, (k + 1) * plane));
    // The gain of the row being worked on, interpolated between the two rows of the small map around it.
    const rowGain = [0, 1, 2].map(() => new Float32Array(w));
    let gainRow = -1;
    const c = new Float64Array(3);
    const bright = [0, 0, 0];
    const brighten = (i: number, x: number, y: number) => {
      if (y !== gainRow) {
        const [a, b, t] = [ys.lo[y]! * w, ys.hi[y]! * w, ys.t[y]!];
        for (let k = 0; k < 3; k++) for (let sx = 0; sx < w; sx++) rowGain[k]![sx] = gains[k]![a + sx]! * (1 - t) + gains[k]![b + sx]! * t;
        gainRow = y;
      }
      colourAt(raster, i, c);
      const y0 = luma(c[0]!, c[1]!, c[2]!);
      const keep = p.protectHighlights ? smoothstep(0.55, 0.9, y0) : 0;
      const [l, r, u] = [xs.lo[x]!, xs.hi[x]!, xs.t[x]!];
      for (let k = 0; k < 3; k++) {
        const g = rowGain[k]!;
        const gk = 1 + (g[l]! * (1 - u) + g[r]! * u - 1) * p.amount;
        bright[k] = c[k]! * (gk + (1 - gk) * keep);
      }
      // Brightened highlights roll off towards white instead of clipping (same hue); nothing ends darker than it was.
      const yOut = luma(bright[0]!, bright[1]!, bright[2]!);
      const s = p.protectHighlights && yOut > 0 ? Math.max(y0, rolledOff(yOut)) / yOut : 1;
      for (let k = 0; k < 3; k++) bright[k] = Math.min(1, bright[k]! * s);
    };
    const write = (i: number, rgb: number[], scale: number) => {
      const q = i * out.channels;
      for (let k = 0; k < 3; k++) out.data[q + k] = Math.round(rgb[k]! * scale);
    };
    for (let y0 = 0; y0 < H; y0 += STRIP_ROWS) {
      const y1 = Math.min(H, y0 + STRIP_ROWS);
      if (!reach) {
        for (let y = y0; y < y1; y++)
          for (let x = 0; x < W; x++) {
            brighten(y * W + x, x, y);
            write(y * W + x, bright, top);
          }
        continue;
      }
      const [first, last] = [Math.max(0, y0 - reach), Math.min(H, y1 + reach)];
      for (let y = first; y < last; y++)
        for (let x = 0; x < W; x++) {
          brighten(y * W + x, x, y);
          const q = ((y - first) * W + x) * 3;
          for (let k = 0; k < 3; k++) strip[q + k] = Math.round(bright[k]! * 65535);
        }
      denoiseRows(strip, W, last - first, y0 - first, y1 - first, p.denoise, (row, x, rgb) => write((row + first) * W + x, rgb, top / 65535));
    }
    copyAlpha(raster, out);
    steps.finish();
    return {
      raster: out,
      layerName: `Low light: ${(LOWLIGHT_MODEL_NAMES as Record<string, string>)[p.model] ?? model.id}`,
      modelId: model.id,
      provider: model.provider,
    };
  },
  // Said before it runs, from the small copy the panel has anyway, rather than after a washed-out result.
  (small) => {
    const mean = meanLuma(small);
    return mean > NOT_DARK ? [`This photo is not dark (average brightness ${Math.round(mean * 100)} %); Low light may wash it out.`] : [];
  },
);

/** The photo's colour as 16-bit RGB no longer than the working size, made from the photo without a full-size copy. */
async function smallCopy(photo: Raster, side: number): Promise<Raster> {
  const [w, h] = workingSize(photo.width, photo.height, side);
  const resized = w !== photo.width || h !== photo.height ? await resizeRaster(photo, w, h, 'linear') : photo;
  return to16(rgbOf(resized));
}
