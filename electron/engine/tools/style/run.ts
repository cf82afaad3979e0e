import { readFile } from 'node:fs/promises';
import { GanvasError } from '../../errors.js';
import { copyAlpha, luma, rgbLike, rgbOf } from '../../images/colour.js';
import { removeGridPattern, smoothChroma } from '../../images/grid.js';
import { cropRaster, maxValue, rasterFromPlanar, type Raster } from '../../images/raster.js';
import { resizeRaster } from '../../images/resample.js';
import { readPlanarRgb } from '../../inference/tensors.js';
import { defineTool, type ModelHandle, type ToolContext } from '../tool.js';
import { atWorkingSize } from '../working-size.js';
import { FIXED_STYLES, STYLE_PREDICT_MODEL, STYLE_TRANSFER_MODEL, STYLE_VECTORS, styleName, styleSpec, type StyleParams } from './spec.js';

const PREDICT_SIZE = 256;

async function styleVectors(ctx: ToolContext): Promise<Record<string, number[]>> {
  const json = JSON.parse(await readFile(await ctx.dataFile(STYLE_VECTORS), 'utf8')) as { vectors: Record<string, number[]> };
  return json.vectors;
}

/** A painting's style: centre square, 256 px (bilinear), through the predictor. */
async function predictStyle(model: ModelHandle, painting: Raster): Promise<Float32Array> {
  if (!model.inferVector) throw new GanvasError('MODEL_UNKNOWN', `${model.id} does not predict styles.`);
  const side = Math.min(painting.width, painting.height);
  const square = cropRaster(rgbOf(painting), {
    x: Math.floor((painting.width - side) / 2),
    y: Math.floor((painting.height - side) / 2),
    width: side,
    height: side,
  });
  const small = await resizeRaster(square, PREDICT_SIZE, PREDICT_SIZE, 'linear');
  return model.inferVector(readPlanarRgb(small, 0, 0, PREDICT_SIZE, PREDICT_SIZE), PREDICT_SIZE, PREDICT_SIZE);
}

/** The network and vector for the chosen style (a painting, when given, decides). */
async function chooseStyle(p: StyleParams, reference: Raster | null | undefined, ctx: ToolContext) {
  if (reference) {
    const v = await predictStyle(await ctx.model(STYLE_PREDICT_MODEL), reference);
    return { model: await ctx.model(STYLE_TRANSFER_MODEL), vector: v, name: 'From a painting' };
  }
  if (typeof p.style !== 'string') return { model: await ctx.model(STYLE_TRANSFER_MODEL), vector: Float32Array.from(p.style.vector), name: p.style.name };
  const fixed = FIXED_STYLES[p.style];
  if (fixed) return { model: await ctx.model(fixed.model), vector: undefined, name: fixed.name };
  const v = (await styleVectors(ctx))[p.style];
  if (!v) throw new GanvasError('INVALID_INPUT', `Unknown style "${p.style}".`);
  return { model: await ctx.model(STYLE_TRANSFER_MODEL), vector: Float32Array.from(v), name: styleName(p.style) };
}

/**
 * Style: a painter's look from a style network, run once on the whole photo at the working size,
 * the grid its upsampling leaves taken out, brought to full size with Lanczos plus the photo's own fine detail (what the working size
 * loses), then optionally only its luminance (keep colours), mixed with the photo by strength.
 */
export const styleTool = defineTool(styleSpec, async ({ raster, reference }, p, ctx) => {
  const style = await chooseStyle(p, reference, ctx);
  const { width: W, height: H } = raster;
  const steps = ctx.steps(['painting', 'bringing to full size']);
  steps.start('painting', `at ${p.workingSize}px`);
  const work = await atWorkingSize(raster, p.workingSize, { minSide: style.model.contract.minSize });
  const { full: colour, small } = work;
  const { width: w, height: h } = small;
  const painted = await style.model.infer(readPlanarRgb(small, 0, 0, w, h), w, h, style.vector);
  const { gridPeriod } = style.model.contract;
  if (gridPeriod) {
    removeGridPattern(painted, w, h, gridPeriod);
    smoothChroma(painted, w, h, 1);
  }
  const styledSmall = rasterFromPlanar(painted, w, h, 16);
  steps.start('bringing to full size');
  // What the working size lost (the photo minus its own round trip) comes back as detail.
  const [styled, lowpass] = await Promise.all([work.toFullSize(styledSmall), work.resized ? work.toFullSize(small) : null]);

  const out = rgbLike(raster);
  const k = 1 / 65535;
  const max = maxValue(out.depth);
  for (let i = 0, n = W * H; i < n; i++) {
    const o = i * 3;
    const r0 = colour.data[o]! * k,
      g0 = colour.data[o + 1]! * k,
      b0 = colour.data[o + 2]! * k;
    let r = styled.data[o]! * k,
      g = styled.data[o + 1]! * k,
      b = styled.data[o + 2]! * k;
    if (lowpass) {
      const d = p.detail * (luma(r0, g0, b0) - luma(lowpass.data[o]! * k, lowpass.data[o + 1]! * k, lowpass.data[o + 2]! * k));
      r += d;
      g += d;
      b += d;
    }
    if (p.keepColours) {
      // The style's luminance with the photo's colour differences (YCbCr: same Cb, Cr).
      const dy = luma(r, g, b) - luma(r0, g0, b0);
      r = r0 + dy;
      g = g0 + dy;
      b = b0 + dy;
    }
    const q = i * out.channels;
    out.data[q] = Math.round(Math.min(1, Math.max(0, r0 + (r - r0) * p.strength)) * max);
    out.data[q + 1] = Math.round(Math.min(1, Math.max(0, g0 + (g - g0) * p.strength)) * max);
    out.data[q + 2] = Math.round(Math.min(1, Math.max(0, b0 + (b - b0) * p.strength)) * max);
  }
  copyAlpha(raster, out);
  steps.finish();
  return {
    raster: out,
    layerName: `Style: ${style.name}, ${Math.round(p.strength * 100)} %`,
    modelId: style.model.id,
    provider: style.model.provider,
    ...(reference && style.vector ? { styleVector: [...style.vector] } : {}),
  };
});
