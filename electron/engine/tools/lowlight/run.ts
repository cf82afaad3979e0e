import { copyAlpha, luma, rgbLike, rgbOf } from '../../images/colour.js';
import { allocRaster, copyRaster, maxValue, rasterFromPlanar, type Raster } from '../../images/raster.js';
import { readPlanarRgb } from '../../inference/tensors.js';
import { defineTool } from '../tool.js';
import { LOWLIGHT_MODEL_NAMES, lowlightSpec } from './spec.js';
import { atWorkingSize } from '../working-size.js';

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

export function meanLuma(r: Raster): number {
  const rgb = rgbOf(r);
  const k = 1 / maxValue(r.depth);
  let sum = 0;
  for (let i = 0, n = r.width * r.height; i < n; i++) sum += luma(rgb.data[i * 3]! * k, rgb.data[i * 3 + 1]! * k, rgb.data[i * 3 + 2]! * k);
  return sum / (r.width * r.height);
}

/**
 * Edge-preserving smoothing (a 5×5 bilateral filter on luma distance) of 16-bit RGB, blended by
 * `strength`. The networks brighten sensor noise with everything else; this takes it back down.
 */
export function denoise(rgb: Raster, strength: number): Raster {
  const { width: w, height: h } = rgb;
  const out = copyRaster(rgb);
  const sigmaR = (0.02 + 0.1 * strength) * 65535;
  const spatial = [1, 0.61, 0.14]; // exp(-d²/2σ²) for d = 0, 1, 2 and σ = 1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = (y * w + x) * 3;
      const lc = luma(rgb.data[c]!, rgb.data[c + 1]!, rgb.data[c + 2]!);
      let sw = 0,
        sr = 0,
        sg = 0,
        sb = 0;
      for (let dy = -2; dy <= 2; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -2; dx <= 2; dx++) {
          const q = (yy * w + Math.min(w - 1, Math.max(0, x + dx))) * 3;
          const dl = (luma(rgb.data[q]!, rgb.data[q + 1]!, rgb.data[q + 2]!) - lc) / sigmaR;
          const wt = spatial[Math.abs(dx)]! * spatial[Math.abs(dy)]! * Math.exp(-0.5 * dl * dl);
          sw += wt;
          sr += wt * rgb.data[q]!;
          sg += wt * rgb.data[q + 1]!;
          sb += wt * rgb.data[q + 2]!;
        }
      }
      out.data[c] = Math.round(rgb.data[c]! + (sr / sw - rgb.data[c]!) * strength);
      out.data[c + 1] = Math.round(rgb.data[c + 1]! + (sg / sw - rgb.data[c + 1]!) * strength);
      out.data[c + 2] = Math.round(rgb.data[c + 2]! + (sb / sw - rgb.data[c + 2]!) * strength);
    }
  }
  return out;
}

/**
 * Low light: the network brightens a copy at the working size; the per-pixel gain it applied
 * (output / input, smoothed by bilinear upsampling) brightens the full-size photo, so detail and
 * bit depth (16-bit stays 16-bit) are the photo's own. Bright areas keep their level.
 */
export const lowlightTool = defineTool(lowlightSpec, async ({ raster }, p, ctx) => {
  const model = await ctx.model(p.model);
  const mean = meanLuma(raster);
  const warnings = mean > NOT_DARK ? [`This photo is not dark (average brightness ${Math.round(mean * 100)} %); Low light may wash it out.`] : [];
  const { width: W, height: H } = raster;
  const steps = ctx.steps(p.denoise > 0 ? ['brightening', 'applying at full size', 'reducing noise'] : ['brightening', 'applying at full size']);
  steps.start('brightening');
  const work = await atWorkingSize(raster, p.workingSize, { kernel: 'linear' });
  const { full: colour, small } = work;
  const { width: w, height: h } = small;
  const input = readPlanarRgb(small, 0, 0, w, h);
  const output = await model.infer(input, w, h);
  // Gain per pixel and channel, kept in a 16-bit raster as gain/MAX_GAIN.
  const plane = w * h;
  const gain = new Float32Array(3 * plane);
  for (let k = 0; k < 3; k++)
    for (let i = 0; i < plane; i++) gain[k * plane + i] = Math.min(MAX_GAIN, output[k * plane + i]! / Math.max(input[k * plane + i]!, 1e-3)) / MAX_GAIN;
  const gainFull = await work.toFullSize(rasterFromPlanar(gain, w, h, 16), 'linear');
  steps.start('applying at full size');

  // One pass from the gain to the result: straight into the output at the photo's depth, or
  // into 16-bit RGB first when noise reduction follows.
  const out = rgbLike(raster);
  const bright = p.denoise > 0 ? allocRaster(W, H, 3, 16) : out;
  const bc = bright.channels;
  const top = maxValue(bright.depth);
  const k = 1 / 65535;
  const cd = colour.data;
  const gd = gainFull.data;
  const amount = p.amount;
  for (let i = 0, n = W * H; i < n; i++) {
    const o = i * 3;
    const r0 = cd[o]! * k,
      g0 = cd[o + 1]! * k,
      b0 = cd[o + 2]! * k;
    const y = luma(r0, g0, b0);
    const keep = p.protectHighlights ? smoothstep(0.55, 0.9, y) : 0;
    const gr = 1 + (gd[o]! * k * MAX_GAIN - 1) * amount,
      gg = 1 + (gd[o + 1]! * k * MAX_GAIN - 1) * amount,
      gb = 1 + (gd[o + 2]! * k * MAX_GAIN - 1) * amount;
    const r = r0 * (gr + (1 - gr) * keep),
      g = g0 * (gg + (1 - gg) * keep),
      b = b0 * (gb + (1 - gb) * keep);
    // Brightened highlights roll off towards white instead of clipping (same hue); nothing
    // ends darker than it was.
    const yOut = luma(r, g, b);
    const s = p.protectHighlights && yOut > 0 ? Math.max(y, rolledOff(yOut)) / yOut : 1;
    const q = i * bc;
    bright.data[q] = Math.round(Math.min(1, r * s) * top);
    bright.data[q + 1] = Math.round(Math.min(1, g * s) * top);
    bright.data[q + 2] = Math.round(Math.min(1, b * s) * top);
  }
  if (bright !== out) {
    steps.start('reducing noise');
    const clean = denoise(bright, p.denoise);
    const kOut = maxValue(out.depth) / 65535;
    for (let i = 0, n = W * H; i < n; i++) for (let c = 0; c < 3; c++) out.data[i * out.channels + c] = Math.round(clean.data[i * 3 + c]! * kOut);
  }
  copyAlpha(raster, out);
  steps.finish();
  return {
    raster: out,
    layerName: `Low light: ${(LOWLIGHT_MODEL_NAMES as Record<string, string>)[p.model] ?? model.id}`,
    modelId: model.id,
    provider: model.provider,
    warnings,
  };
});
