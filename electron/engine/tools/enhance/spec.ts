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
  ui: {
    key: 'U',
    icon: 'M4 20V14M4 20H10M20 4H14M20 4V10M4 20L10 14M20 4L14 10M9 4H4V9M15 20H20V15',
    controls: [
      {
        kind: 'choice',
        param: 'scale',
        label: 'Scale',
        help: 'how much larger (×2 is the ×4 result downscaled with Lanczos-3)',
        options: [
          { value: 2, label: '×2' },
          { value: 4, label: '×4' },
        ],
      },
      {
        kind: 'choice',
        param: 'quality',
        label: 'Quality',
        help: 'Real-ESRGAN general x4 v3 (fast, ships with Ganvas) or x4plus (high quality, installed separately)',
        options: [
          { value: 'fast', label: 'Fast', note: 'Real-ESRGAN general v3: quick, comes with Ganvas.' },
          { value: 'hq', label: 'High quality', note: 'Real-ESRGAN x4plus: finer detail, much slower on a CPU.' },
        ],
      },
      {
        kind: 'number',
        param: 'tile',
        label: 'Tile size',
        help: `tile size in photo pixels, ${TILE_RANGE.min}–${TILE_RANGE.max} (default: what the memory allows)`,
        min: TILE_RANGE.min,
        max: TILE_RANGE.max,
        on: ['cli'],
      },
    ],
    action: (p) => `Enhance ×${p.scale}`,
  },
  cli: {
    writes: 'writes <name>@<scale>x.png beside the photo unless -o is given.',
    suffix: (p) => `@${p.scale}x`,
    describe: (p) => `Enhancing ×${p.scale} (${p.quality === 'fast' ? 'Fast' : 'High quality'})`,
    shorthand: ['scale', 'quality'],
  },
});
