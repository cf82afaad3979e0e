import { copyAlpha, luma, rgbLike, rgbOf, to16 } from '../../images/colour.js';
import { colourChannels, maxValue, type Raster } from '../../images/raster.js';
import { resizeRaster } from '../../images/resample.js';
import { readPlanarRgb } from '../../inference/tensors.js';
import { defineTool } from '../tool.js';
import { workingSize } from '../working-size.js';
import { LOWLIGHT_MODEL_NAMES, lowlightSpec } from './spec.js';

/** The largest brightening per pixel: enough for a photo 5 stops under. */
const MAX_GAIN = 32;
/** Where the highlight roll-off starts (the brightest channel, 0..1). */
const KNEE = 0.7;
/** A cast (spread of the channel means ÷ their mean) above this is taken out by Auto white balance. */
const STRONG_CAST = 0.15;
/** White balance never multiplies a channel by more than this (or less than its inverse). */
const MAX_WB_GAIN = 2.5;
/**
 * How much of a cast Auto takes out (of its gains, in stops): a night scene under sodium lamps
 * is not grey on average, and the whole correction turns lamp-lit walls blue and lifts the blue
 * channel's noise with it.
 */
const WB_SHARE = 0.7;

/** `x` on a soft shoulder above KNEE, approaching `ceiling` without reaching it (slope 1 at the knee). */
function rolledOff(x: number, ceiling: number): number {
  return x <= KNEE ? x : KNEE + (ceiling - KNEE) * (1 - Math.exp(-(x - KNEE) / (ceiling - KNEE)));
}

/** A photo brighter than this on average (0..1 luma) is not a low-light photo. */
const NOT_DARK = 0.4;

function smoothstep(a: number, b: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

/** The spread of three channel means ÷ their mean: 0 for neutral grey, about 1 under sodium lamps. */
export function castOf(means: readonly number[]): number {
  const mean = (means[0]! + means[1]! + means[2]!) / 3;
  return mean > 0 ? (Math.max(...means) - Math.min(...means)) / mean : 0;
}

/**
 * White balance from the small copy (planar RGB 0..1). Two estimates of the light's colour over
 * the lit parts — neither near black, whose colour is noise and rounding however much it is
 * lifted, nor near clipping: grey world (the mean of each channel) and white patch (the mean of
 * the brightest 2 %). The cast is grey world's spread (the brightening multiplies each pixel's
 * channels alike, so the brightened photo has the same). Auto takes out a strong one only as far
 * as both estimates agree, channel by channel: a brown cup under daylight has a "cast" in grey
 * world but a white rim in white patch, so it keeps its colour, while a street under sodium lamps
 * is orange in both. WB_SHARE of that, no channel beyond MAX_WB_GAIN, brightness kept. As shot
 * leaves the colour. Returns the channel gains and the cast before and after.
 */
function whiteBalance(input: Float32Array, plane: number, auto: boolean): { gains: number[]; before: number; after: number } {
  const lit: number[] = [];
  const sums = [0, 0, 0];
  for (let i = 0; i < plane; i++) {
    const [r, g, b] = [input[i]!, input[plane + i]!, input[2 * plane + i]!];
    if (luma(r, g, b) < 0.02 || Math.max(r, g, b) > 0.95) continue;
    lit.push(i);
    sums[0]! += r;
    sums[1]! += g;
    sums[2]! += b;
  }
  const before = castOf(sums);
  if (!auto || before <= STRONG_CAST) return { gains: [1, 1, 1], before, after: before };
  const brightest = lit
    .map((i) => ({ i, y: luma(input[i]!, input[plane + i]!, input[2 * plane + i]!) }))
    .sort((u, v) => v.y - u.y)
    .slice(0, Math.max(1, Math.ceil(lit.length * 0.02)));
  const patch = [0, 1, 2].map((k) => brightest.reduce((sum, { i }) => sum + input[k * plane + i]!, 0));
  const stopsOf = (means: number[]) => {
    const grey = (means[0]! + means[1]! + means[2]!) / 3;
    return means.map((m) => Math.log(grey / Math.max(m, 1e-9)));
  };
  const [world, white] = [stopsOf(sums), stopsOf(patch)];
  const stops = world.map((a, k) => (Math.sign(a) === Math.sign(white[k]!) ? Math.sign(a) * Math.min(Math.abs(a), Math.abs(white[k]!)) : 0) * WB_SHARE);
  // Shortened as a whole when one channel would go too far, so the correction keeps its direction
  // (clamping the blue gain alone would leave a sodium-lit scene green).
  const shorten = Math.min(1, Math.log(MAX_WB_GAIN) / Math.max(1e-9, ...stops.map(Math.abs)));
  const raw = stops.map((l) => Math.exp(l * shorten));
  const [sr, sg, sb] = sums as [number, number, number];
  const keep = luma(sr, sg, sb) / luma(raw[0]! * sr, raw[1]! * sg, raw[2]! * sb);
  const gains = raw.map((g) => g * keep);
  return { gains, before, after: castOf(sums.map((m, k) => m * gains[k]!)) };
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
    // One gain per pixel, of luminance, at the working size (brought to full size pixel by pixel
    // below): every channel of a pixel is multiplied alike, so its colour is the photo's and a
    // channel's gain cannot run ahead of another's at an edge (red or yellow fringes); colour is
    // white balance's work.
    const plane = w * h;
    const gain = new Float32Array(plane);
    for (let i = 0; i < plane; i++) {
      const before = luma(input[i]!, input[plane + i]!, input[2 * plane + i]!);
      const after = luma(output[i]!, output[plane + i]!, output[2 * plane + i]!);
      gain[i] = Math.min(MAX_GAIN, Math.max(0, after) / Math.max(before, 1e-3));
    }
    const balance = whiteBalance(input, plane, p.whiteBalance === 'auto');
    // Amount scales the whole change, the balance with the brightening (in stops).
    const balanced = balance.gains.map((g) => g ** p.amount);
    steps.start(applying);

    // Strip by strip, straight into the output at the photo's depth; with noise reduction the
    // strip is brightened into 16-bit RGB first (with the filter's reach above and below).
    const out = rgbLike(raster);
    const top = maxValue(out.depth);
    const xs = samplePositions(W, w);
    const ys = samplePositions(H, h);
    const reach = p.denoise > 0 ? DENOISE_REACH : 0;
    const strip = new Uint16Array((STRIP_ROWS + 2 * reach) * W * 3);
    // The gain of the row being worked on, interpolated between the two rows of the small map around it.
    const rowGain = new Float32Array(w);
    let gainRow = -1;
    const c = new Float64Array(3);
    const bright = [0, 0, 0];
    // Below the top of the scale by one step: a pixel that was not clipped never rounds to clipped.
    const ceiling = (top - 1) / top;
    const brighten = (i: number, x: number, y: number) => {
      if (y !== gainRow) {
        const [a, b, t] = [ys.lo[y]! * w, ys.hi[y]! * w, ys.t[y]!];
        for (let sx = 0; sx < w; sx++) rowGain[sx] = gain[a + sx]! * (1 - t) + gain[b + sx]! * t;
        gainRow = y;
      }
      colourAt(raster, i, c);
      const [l, r, u] = [xs.lo[x]!, xs.hi[x]!, xs.t[x]!];
      const g = 1 + (rowGain[l]! * (1 - u) + rowGain[r]! * u - 1) * p.amount;
      const m0 = Math.max(c[0]!, c[1]!, c[2]!);
      // Light sources keep their colour rather than taking the balance (a lamp stays warm), fading in
      // smoothly so a lamp's glow shades into its surroundings without blotches.
      const wb = 1 - smoothstep(0.5, 0.95, m0);
      for (let k = 0; k < 3; k++) bright[k] = c[k]! * g * balanced[k]! ** wb;
      const m = Math.max(bright[0]!, bright[1]!, bright[2]!);
      // The brightest channel rolls off below the top instead of clipping; the pixel is scaled as
      // a whole, so its hue stays, and it never ends darker than it was.
      const s = m <= 0 ? 1 : p.protectHighlights ? Math.max(m0 >= 1 ? 1 : Math.min(m0, ceiling), rolledOff(m, ceiling)) / m : 1;
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
    const cast = (v: number) => v.toFixed(2);
    const notes =
      balance.after !== balance.before
        ? [`White balance: colour cast ${cast(balance.before)} → ${cast(balance.after)}`]
        : balance.before > STRONG_CAST
          ? [`Colour cast ${cast(balance.before)} kept (white balance as shot)`]
          : [];
    return {
      raster: out,
      notes,
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
