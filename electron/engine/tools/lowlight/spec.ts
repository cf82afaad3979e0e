import { z } from 'zod';
import { defineToolSpec } from '../spec.js';

/** IAT (best quality, the default), then SCI at three strengths, by catalog id. */
const LOWLIGHT_MODELS = ['iat_lol', 'sci_easy', 'sci_medium', 'sci_difficult'] as const;

/** Shorter names than the catalog's, saying what each is for. */
export const LOWLIGHT_MODEL_NAMES: Record<(typeof LOWLIGHT_MODELS)[number], string> = {
  iat_lol: 'Best quality (IAT)',
  sci_easy: 'Gentle (SCI easy)',
  sci_medium: 'Medium (SCI)',
  sci_difficult: 'Strong (SCI difficult)',
};

/** The CLI's short names (iat, sci-easy, …). */
const LOWLIGHT_SHORT = Object.fromEntries(LOWLIGHT_MODELS.map((id) => [id, id.replace(/_lol$/, '').replace('_', '-')]));

/** The long side the network sees by default; the gain it finds is applied at full size. */
const LOWLIGHT_WORKING_SIZE = 1024;

const lowlightParams = z.object({
  /** IAT (best quality, the default), SCI at three strengths (LOWLIGHT_MODELS), or the user's own low-light model. */
  model: z.string().min(1).max(64).default(LOWLIGHT_MODELS[0]),
  /** Keep what is already bright (skies, lamps, the moon) from being pushed to white: no pixel that was not clipped ends clipped. */
  protectHighlights: z.boolean().default(true),
  /** auto: a strong colour cast (sodium lamps, a blue hour) is measured on the brightened photo and taken out; as-shot: the colour stays as it was. */
  whiteBalance: z.enum(['auto', 'as-shot']).default('auto'),
  /** How much of the brightening the network found is applied: 0 leaves the photo as it was, 1 applies all of it. */
  amount: z.number().min(0).max(1).default(1),
  /** Noise reduction after brightening, 0 (off) to 1. */
  denoise: z.number().min(0).max(1).default(0),
  /** The long side the network sees; the gain it finds is applied at full size. */
  workingSize: z.number().int().min(64).max(2048).default(LOWLIGHT_WORKING_SIZE),
});

export const lowlightSpec = defineToolSpec({
  id: 'lowlight',
  label: 'Low light',
  doneVerb: 'Brightened',
  summary: 'Lifts a dark photo (or a camera RAW) out of the dark',
  params: lowlightParams,
  usesMask: false,
  batchable: true,
  preview: { side: LOWLIGHT_WORKING_SIZE },
  models: (p) => [p.model],
  modelTasks: ['lowlight'],
  ui: {
    key: 'L',
    icon: 'M20 14.5A8 8 0 1 1 9.5 4A6.5 6.5 0 0 0 20 14.5Z',
    controls: [
      {
        kind: 'model',
        param: 'model',
        label: 'Model',
        help: 'IAT (best quality) or SCI at three strengths, or a low-light model of yours',
        task: 'lowlight',
        names: LOWLIGHT_MODEL_NAMES,
        short: LOWLIGHT_SHORT,
      },
      {
        kind: 'slider',
        param: 'amount',
        label: 'Amount',
        help: 'how much of the brightening to apply',
        min: 0,
        max: 1,
        step: 0.05,
        unit: '%',
        on: ['panel', 'cli'],
      },
      {
        kind: 'choice',
        param: 'whiteBalance',
        label: 'White balance',
        help: 'Auto takes out a strong colour cast (measured on the brightened photo); As shot keeps the colour as it was',
        options: [
          { value: 'auto', label: 'Auto', note: 'A strong cast (street lamps, blue hour) is measured and taken out.' },
          { value: 'as-shot', label: 'As shot', note: 'The colour stays as the camera saw it.' },
        ],
      },
      { kind: 'checkbox', param: 'protectHighlights', label: 'Protect highlights', help: 'let bright areas be brightened too', on: ['panel', 'cli'] },
      {
        kind: 'slider',
        param: 'denoise',
        label: 'Noise reduction',
        help: 'noise reduction after brightening',
        min: 0,
        max: 1,
        step: 0.05,
        unit: '%',
        zero: 'off',
      },
    ],
    action: () => 'Brighten',
  },
  cli: {
    form: '<photo|raw>',
    writes: 'the gain is found on a small copy and applied at full size; writes <name>-bright.png unless -o is given.',
    suffix: () => '-bright',
    describe: () => 'Brightening',
    shorthand: ['model'],
  },
});
