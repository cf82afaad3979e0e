import { z } from 'zod';
import { DEFAULT_INPAINT_MODEL } from '../erase/spec.js';
import type { NumberField } from '../controls.js';
import { defineToolSpec } from '../spec.js';
import { parseAspect, sidesForAspect } from './aspect.js';

const MAX_SIDE = 20_000;
const SIDES = ['left', 'right', 'top', 'bottom'] as const;
const sideControls: NumberField<(typeof SIDES)[number]>[] = SIDES.map((side) => ({
  kind: 'number',
  param: side,
  label: side,
  help: `pixels to add ${side === 'left' || side === 'right' ? 'on the' : 'at the'} ${side}`,
  min: 0,
  max: MAX_SIDE,
}));
const side = z.number().int().min(0).max(MAX_SIDE).default(0);

const extendParams = z.object({
  left: side,
  right: side,
  top: side,
  bottom: side,
  model: z.string().min(1).max(64).default(DEFAULT_INPAINT_MODEL),
  /** Rebuild the new border's texture from the photo's own patches (off: the network's fill as it is). */
  texture: z.boolean().default(true),
});

export const extendSpec = defineToolSpec({
  id: 'extend',
  label: 'Extend',
  doneVerb: 'Extended',
  summary: 'Grows the canvas and paints what lies beyond the photo’s edges',
  params: extendParams,
  usesMask: false,
  batchable: false,
  preview: null,
  models: (p) => [p.model],
  modelTasks: ['inpaint'],
  resultSize: (p, { width, height }) => ({ width: width + p.left + p.right, height: height + p.top + p.bottom }),
  ui: {
    key: 'X',
    icon: 'M8 8H16V16H8ZM3 3H7M3 3V7M21 3H17M21 3V7M3 21H7M3 21V17M21 21H17M21 21V17',
    controls: [...sideControls, { kind: 'model', param: 'model', label: 'Model', help: 'the inpainting model', task: 'inpaint' }],
    action: () => 'Extend',
    needs: (p) => (SIDES.every((side) => !p[side]) ? 'Choose how much to add on each side, or an aspect ratio.' : null),
    perPhoto: SIDES,
  },
  cli: {
    form: '<photo> (--left N --right N --top N --bottom N | --aspect 16:9)',
    writes: "the photo's own pixels stay as they are; writes <name>-extended.png unless -o is given.",
    suffix: () => '-extended',
    describe: () => 'Extending',
    derived: {
      aspect: {
        hint: '16:9',
        help: 'grow to this aspect ratio instead (after EXIF orientation)',
        excludes: SIDES,
        apply: (value, size) => sidesForAspect(size.width, size.height, parseAspect(value)),
      },
    },
  },
});
