import { resolve } from 'node:path';
import { beside, type Command, common, exportFlags, type Flag, fraction, onePhoto, outputFor, parse, runToolToFile, UsageError } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  style: { type: 'string', hint: '<preset>', help: 'monet (default), a painter preset or one of yours (see the app)' },
  'style-image': { type: 'string', hint: '<painting>', help: 'learn the style of this painting instead' },
  strength: { type: 'string', hint: '0-1', help: 'how much of the painting (1: all of it)' },
  'keep-colours': { type: 'boolean', default: false, help: "keep the photo's colours, take only the brushwork" },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto('style', positionals);
  if (values.style && values['style-image']) throw new UsageError('Give either --style or --style-image, not both.');
  const output = outputFor(input, values.output ?? beside(input, `-${values.style ?? (values['style-image'] ? 'painting' : 'monet')}`), values.overwrite);
  const strength = fraction(values.strength, 'strength');
  const params = { ...(values.style ? { style: values.style } : {}), ...(strength !== undefined ? { strength } : {}), keepColours: values['keep-colours'] };
  const painting = values['style-image'] ? resolve(values['style-image']) : null;
  return runToolToFile(values, input, output, { id: 'style', params, describe: 'Painting', reference: painting });
}

export const styleCommand: Command = {
  name: 'style',
  forms: ['<photo>'],
  about: 'Turns a photo into a painting: a preset (monet, vangogh_starry_night, …) or the style of a painting you give.',
  flags,
  run,
};
