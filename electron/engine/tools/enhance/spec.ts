import { z } from 'zod';
import { defineToolSpec } from '../spec.js';

/** The networks each quality uses, by catalog id. */
export const ENHANCE_MODELS = { fast: 'realesr-general-x4v3', hq: 'realesrgan-x4plus' } as const;

/** Tile sizes (input pixels) a user may ask for. */
export const TILE_RANGE = { min: 32, max: 2048 } as const;

const enhanceParams = z.object({
  scale: z.union([z.literal(2), z.literal(4)]).default(4),
  quality: z.enum(['fast', 'hq']).default('fast'),
  /** A super-resolution model of the user's own (Models › Add your own ONNX) instead of the quality's. */
  model: z.string().min(1).max(64).optional(),
  /** Override the automatic tile size (input pixels). */
  tile: z.number().int().min(TILE_RANGE.min).max(TILE_RANGE.max).optional(),
});
export type EnhanceParams = z.infer<typeof enhanceParams>;

/** The network a run uses: the user's own model when chosen, else the one for the quality. */
export const enhanceModel = (p: EnhanceParams): string => p.model ?? ENHANCE_MODELS[p.quality];

export const enhanceSpec = defineToolSpec({
  id: 'enhance',
  label: 'Enhance',
  doneVerb: 'Enhanced',
  summary: 'GAN super-resolution ×2 or ×4',
  params: enhanceParams,
  usesMask: false,
  batchable: true,
  preview: null,
  models: (p) => [enhanceModel(p)],
  modelTasks: ['superres'],
  resultSize: (p, { width, height }) => ({ width: width * p.scale, height: height * p.scale }),
});
