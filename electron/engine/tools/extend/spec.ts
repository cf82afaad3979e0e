import { z } from 'zod';
import { DEFAULT_INPAINT_MODEL } from '../inpaint/spec.js';
import { defineToolSpec } from '../spec.js';

const side = z.number().int().min(0).max(20_000).default(0);

const extendParams = z.object({
  left: side,
  right: side,
  top: side,
  bottom: side,
  model: z.string().min(1).max(64).default(DEFAULT_INPAINT_MODEL),
  /** Rebuild the new border's texture from the photo's own patches (off: the network's fill as it is). */
  texture: z.boolean().default(true),
});
export type ExtendParams = z.infer<typeof extendParams>;

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
});
