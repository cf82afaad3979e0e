import { GanvasError } from '../../errors.js';
import { resizeRaster } from '../../images/resample.js';
import { allocRaster, colourChannels, hasAlpha, planarThumbnail, type Raster } from '../../images/raster.js';
import { chooseTile, runTiled } from '../../inference/runner.js';
import { defineTool } from '../tool.js';
import { enhanceModel, enhanceSpec } from './spec.js';

/** Splits off the alpha channel (grey or colour pixels stay interleaved). */
function splitAlpha(r: Raster): { colour: Raster; alpha: Raster | null } {
  if (!hasAlpha(r)) return { colour: r, alpha: null };
  const cc = colourChannels(r);
  const colour = allocRaster(r.width, r.height, cc, r.depth);
  const alpha = allocRaster(r.width, r.height, 1, r.depth);
  for (let p = 0, n = r.width * r.height; p < n; p++) {
    for (let k = 0; k < cc; k++) colour.data[p * cc + k] = r.data[p * r.channels + k]!;
    alpha.data[p] = r.data[p * r.channels + cc]!;
  }
  return { colour, alpha };
}

function joinAlpha(colour: Raster, alpha: Raster): Raster {
  const cc = colour.channels;
  const out = allocRaster(colour.width, colour.height, cc === 1 ? 2 : 4, colour.depth);
  for (let p = 0, n = colour.width * colour.height; p < n; p++) {
    for (let k = 0; k < cc; k++) out.data[p * (cc + 1) + k] = colour.data[p * cc + k]!;
    out.data[p * (cc + 1) + cc] = alpha.data[p]!;
  }
  return out;
}

/** The most values one image (a typed array) can hold in this JavaScript engine. */
const MAX_VALUES = 2 ** 32 - 1;

/**
 * Refuses, before any work, a photo whose enlarged copy could not be held (a 20000×5000 photo at
 * ×4 is 4.8 billion values), naming the largest photo of its shape that works.
 */
function checkFits(input: Raster, scale: number): void {
  const valuesPerPixel = scale * scale * input.channels;
  if (input.width * input.height * valuesPerPixel <= MAX_VALUES) return;
  const shrink = Math.sqrt(MAX_VALUES / valuesPerPixel / (input.width * input.height));
  const [w, h] = [Math.floor(input.width * shrink), Math.floor(input.height * shrink)];
  throw new GanvasError(
    'IMAGE_TOO_LARGE',
    `A ${input.width}×${input.height} photo is too large to enhance: its ×${scale} copy would be ${input.width * scale}×${input.height * scale}, more than one image can hold. The largest of its shape is ${w}×${h}; resize it or enhance a crop.`,
  );
}

/**
 * Enhance: ×4 GAN super-resolution in tiles; ×2 is the ×4 result downscaled with Lanczos-3, band
 * by band as the tiles finish. Alpha is not something these networks were trained on, so it is
 * resized on its own.
 */
export const enhanceTool = defineTool(enhanceSpec, async ({ raster: input }, params, ctx) => {
  const model = await ctx.model(enhanceModel(params));
  const { contract } = model;
  checkFits(input, params.scale);
  // Tiles are exact only for fully convolutional networks; one that normalises over the whole image would show seams.
  if (contract.tiling.mode !== 'free')
    throw new GanvasError('INVALID_INPUT', `“${model.id}” cannot run in tiles (its catalog entry says tiling: ${contract.tiling.mode}), so it cannot enhance.`);
  const { colour, alpha } = splitAlpha(input);
  const budget = Math.min(ctx.memoryBudgetBytes, model.deviceBudgetBytes() ?? Infinity);
  const tile = params.tile ?? chooseTile(contract, input.width, input.height, budget, model.secondsPerPixel());
  const width = input.width * params.scale;
  const height = input.height * params.scale;
  let result = await runTiled(model.infer, colour, {
    tile,
    overlap: contract.tiling.overlap ?? 16,
    scale: contract.scale,
    resizeTo: { width, height },
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ done: p.done, total: p.total, unit: 'tiles', message: `tile ${p.done}/${p.total} (${p.tile}px)` }),
    onTileReduced: (from, to) => ctx.progress({ done: 0, total: 0, unit: 'tiles', message: `out of memory at ${from}px tiles; retrying with ${to}px` }),
    onSpeed: (secondsPerPixel) => model.recordSpeed(secondsPerPixel),
    // Shown over the photo while the rest runs: twice the photo's resolution is sharp up to 200 % zoom.
    onTile: ctx.showPart
      ? (t) => ctx.showPart!({ ...t, image: planarThumbnail(t.output, t.width * contract.scale, t.height * contract.scale, 2 * Math.max(t.width, t.height)) })
      : undefined,
  });
  if (alpha) result = joinAlpha(result, await resizeRaster(alpha, width, height));
  return {
    raster: result,
    layerName: `Enhance ×${params.scale} (${params.quality === 'fast' ? 'Fast' : 'High quality'})`,
    modelId: model.id,
    provider: model.provider,
  };
});
