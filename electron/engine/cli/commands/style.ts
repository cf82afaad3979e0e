import { resolve } from 'node:path';
import { styleSpec } from '../../tools/style/spec.js';
import { beside, common, exportFlags, type Flag, fraction, onePhoto, outputFor, parse, runToolToFile, toolCommand, UsageError } from '../shared.js';

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
  const input = onePhoto(styleSpec.id, positionals);
  if (values.style && values['style-image']) throw new UsageError('Give either --style or --style-image, not both.');
  const output = outputFor(input, values.output ?? beside(input, `-${values.style ?? (values['style-image'] ? 'painting' : 'monet')}`), values.overwrite);
  const strength = fraction(values.strength, 'strength');
  const params = { ...(values.style ? { style: values.style } : {}), ...(strength !== undefined ? { strength } : {}), keepColours: values['keep-colours'] };
  const painting = values['style-image'] ? resolve(values['style-image']) : null;
  return runToolToFile(values, input, output, { id: styleSpec.id, params, describe: 'Painting', reference: painting });
}

export const styleCommand = toolCommand(styleSpec, {
  forms: ['<photo>'],
  writes: 'presets are monet, vangogh_starry_night, … (the app lists them all); writes <name>-<style>.png unless -o is given.',
  flags,
  run,
});
