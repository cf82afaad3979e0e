import { z } from 'zod';
import { defineToolSpec } from '../spec.js';

export const STYLE_TRANSFER_MODEL = 'magenta_style_transfer';
export const STYLE_PREDICT_MODEL = 'magenta_style_predict';
export const STYLE_VECTORS = 'magenta_style_vectors';
/** Styles that are a network of their own (no vector). */
export const FIXED_STYLES: Record<string, { model: string; name: string }> = {
  monet: { model: 'painter_monet', name: 'Monet' },
  fst_mathura: { model: 'fst_mathura', name: 'Mathura (engraving)' },
  fst_matta: { model: 'fst_matta', name: 'Matta (surreal)' },
};
/**
 * The long side the networks see. Their brush texture is fixed in pixels and they normalise
 * over the whole image, so they run once at this size (never in tiles) and the result is brought
 * to full resolution with the photo's own detail; the preview runs at the same size, so it looks
 * the same.
 */
const STYLE_WORKING_SIZE = 512;

const vector = z.array(z.number().finite()).length(100);
export const styleParams = z.object({
  /** A preset id (monet, fst_*, or a key of the style vectors), or a style vector of one's own. */
  style: z.union([z.string().min(1).max(64), z.object({ name: z.string().min(1).max(100), vector })]).default('monet'),
  /** 0 gives the photo back, 1 the full style. */
  strength: z.number().min(0).max(1).default(1),
  /** Take only the brushwork (luminance) and keep the photo's colours. */
  keepColours: z.boolean().default(false),
  /** How much of the photo's fine detail returns when the style is brought to full size. */
  detail: z.number().min(0).max(1).default(0.5),
  workingSize: z.number().int().min(64).max(2048).default(STYLE_WORKING_SIZE),
});
export type StyleParams = z.infer<typeof styleParams>;

const STYLE_NAMES: Record<string, string> = {
  vangogh_starry_night: 'Van Gogh — Starry Night',
  hokusai_great_wave: 'Hokusai — The Great Wave (ukiyo-e)',
  munch_scream: 'Munch — The Scream',
  kandinsky_composition: 'Kandinsky — Composition',
  monet_water_lilies: 'Monet — Water Lilies',
  monet_poplars_meadow: 'Monet — Poplars',
  monet_seaside_cliffs: 'Monet — Seaside Cliffs',
  monet_garden_bright: 'Monet — Garden',
};

/** A display name for a style vector's key (new keys read as their words). */
export function styleName(id: string): string {
  const words = id.replace(/_/g, ' ');
  return STYLE_NAMES[id] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

export const styleSpec = defineToolSpec({
  id: 'style',
  label: 'Style',
  doneVerb: 'Painted',
  summary: 'Turns a photo into a painting: a painter preset or the style of a painting you give',
  params: styleParams,
  usesMask: false,
  batchable: true,
  preview: { side: STYLE_WORKING_SIZE },
  models: (p) => (typeof p.style === 'string' && FIXED_STYLES[p.style] ? [FIXED_STYLES[p.style]!.model] : [STYLE_TRANSFER_MODEL]),
  modelTasks: ['style'],
  ui: {
    key: 'S',
    icon: 'M12 3C7 3 3 7 3 12C3 17 7 21 11 21C12.5 21 13 20 13 19C13 17.5 14 17 15.5 17H17C19 17 21 15 21 12C21 7 17 3 12 3ZM7.5 11.5H7.51M10.5 7.5H10.51M15 7.5H15.01M17.5 11H17.51',
    controls: [
      { kind: 'preset', param: 'style', label: 'Painter', help: 'a painter preset or one of yours (see the app)', on: ['batch', 'cli'] },
      { kind: 'slider', param: 'strength', label: 'Strength', help: 'how much of the painting (1: all of it)', min: 0, max: 1, step: 0.05, unit: '%' },
      {
        kind: 'checkbox',
        param: 'keepColours',
        label: "Keep the photo's colours",
        help: "keep the photo's colours, take only the brushwork",
        on: ['panel', 'cli'],
      },
    ],
    action: () => 'Apply',
  },
  cli: {
    writes: 'presets are monet, vangogh_starry_night, … (the app lists them all); writes <name>-<style>.png unless -o is given.',
    suffix: (p, fromReference) => `-${fromReference || typeof p.style !== 'string' ? 'painting' : p.style}`,
    describe: () => 'Painting',
    shorthand: ['style', 'strength'],
    reference: { flag: 'style-image', hint: '<painting>', help: 'learn the style of this painting instead', replaces: 'style' },
  },
});
