import { z } from 'zod';
import { GanvasError } from '../errors.js';
import { resizeRaster } from '../images/resample.js';
import { allocRaster, colourChannels, hasAlpha, type Raster } from '../images/raster.js';
import { chooseTile, runTiled } from '../inference/runner.js';
import { ENHANCE_MODELS } from './model-choices.js';
import type { Tool } from './tool.js';

/** Tile sizes (input pixels) a user may ask for. */
export const TILE_RANGE = { min: 32, max: 2048 } as const;

export const enhanceParams = z.object({
  scale: z.union([z.literal(2), z.literal(4)]).default(4),
  quality: z.enum(['fast', 'hq']).default('fast'),
  /** A super-resolution model of the user's own (Models › Add your own ONNX) instead of the quality's. */
  model: z.string().min(1).max(64).optional(),
  /** Override the automatic tile size (input pixels). */
  tile: z.number().int().min(TILE_RANGE.min).max(TILE_RANGE.max).optional(),
});
export type EnhanceParams = z.infer<typeof enhanceParams>;

export { ENHANCE_MODELS };

/** The network a run uses: the user's own model when chosen, else the one for the quality. */
const modelFor = (p: EnhanceParams): string => p.model ?? ENHANCE_MODELS[p.quality];

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

/**
 * Enhance: ×4 GAN super-resolution in tiles; ×2 is the ×4 result downscaled with Lanczos-3.
 * Alpha is not something these networks were trained on, so it is resized on its own.
 */
export const enhanceTool: Tool<EnhanceParams, 'enhance'> = {
  id: 'enhance',
  params: enhanceParams,
  modelTasks: ['superres'],
  models: (p) => [modelFor(p)],
  async run({ raster: input }, params, ctx) {
    const model = await ctx.model(modelFor(params));
    const { contract } = model;
    // Tiles are exact only for fully convolutional networks; one that normalises over the whole image would show seams.
    if (contract.tiling.mode !== 'free')
      throw new GanvasError(
        'INVALID_INPUT',
        `“${model.id}” cannot run in tiles (its catalog entry says tiling: ${contract.tiling.mode}), so it cannot enhance.`,
      );
    const { colour, alpha } = splitAlpha(input);
    const tile = params.tile ?? chooseTile(contract, input.width, input.height, ctx.memoryBudgetBytes);
    const x4 = await runTiled(model.infer, colour, {
      tile,
      overlap: contract.tiling.overlap ?? 16,
      scale: contract.scale,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ done: p.done, total: p.total, unit: 'tiles', message: `tile ${p.done}/${p.total} (${p.tile}px)` }),
      onTileReduced: (from, to) => ctx.progress({ done: 0, total: 0, unit: 'tiles', message: `out of memory at ${from}px tiles; retrying with ${to}px` }),
    });
    const width = input.width * params.scale;
    const height = input.height * params.scale;
    let result = params.scale === contract.scale ? x4 : await resizeRaster(x4, width, height);
    if (alpha) result = joinAlpha(result, await resizeRaster(alpha, width, height));
    return {
      raster: result,
      layerName: `Enhance ×${params.scale} (${params.quality === 'fast' ? 'Fast' : 'High quality'})`,
      modelId: model.id,
      provider: model.provider,
    };
  },
};
