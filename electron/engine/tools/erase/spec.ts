import { z } from 'zod';
import { defineToolSpec } from '../spec.js';

/** Ships with Ganvas, so Erase and Extend work on a fresh install. */
export const DEFAULT_INPAINT_MODEL = 'ganvas-inpaint-v0';

/** Offered to users with a network the first time they erase (a one-click download). */
export const BETTER_INPAINT_MODEL = 'migan-pipeline-v2';

export const eraseParams = z.object({
  model: z.string().min(1).max(64).default(DEFAULT_INPAINT_MODEL),
  /** Pixels the hole is grown by: brush edges and halos go too. */
  grow: z.number().int().min(0).max(32).default(3),
  /** Width of the soft edge where the fill meets the photo. */
  feather: z.number().int().min(0).max(64).default(4),
  /** Rebuild the fill's texture from the photo's own patches (off: the network's fill as it is). */
  texture: z.boolean().default(true),
});
export type EraseParams = z.infer<typeof eraseParams>;

export const eraseSpec = defineToolSpec({
  id: 'erase',
  label: 'Erase',
  formerIds: ['inpaint'],
  doneVerb: 'Erased',
  summary: 'Removes what the mask marks and fills it from its surroundings',
  params: eraseParams,
  usesMask: true,
  batchable: false,
  preview: null,
  models: (p) => [p.model],
  modelTasks: ['inpaint'],
  ui: {
    key: 'E',
    icon: 'M16 3L21 8L10 19H5V14L16 3ZM13 6L18 11M3 21H21',
    controls: [
      {
        kind: 'slider',
        param: 'feather',
        label: 'Feather',
        help: 'width of the soft edge where the fill meets the photo',
        min: 0,
        max: 32,
        step: 1,
        unit: 'px',
      },
      { kind: 'model', param: 'model', label: 'Model', help: 'the inpainting model', task: 'inpaint' },
    ],
    action: () => 'Erase',
    needs: (_, document) => (document.hasSelection ? null : 'Mark what to erase first: paint over it, or draw a rectangle or a lasso.'),
  },
  cli: {
    writes: 'the mask is white where to erase, the same size as the photo; writes <name>-erased.png unless -o is given.',
    suffix: () => '-erased',
    describe: () => 'Erasing in',
  },
});
