import { resolve } from 'node:path';
import { beside, type Command, common, exportFlags, type Flag, onePhoto, outputFor, parse, runToolToFile, UsageError } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  mask: { type: 'string', hint: '<mask.png>', help: 'white where to erase' },
  model: { type: 'string', hint: '<id>', help: 'the inpainting model (default: ganvas-inpaint-v0)' },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto('inpaint', positionals);
  if (!values.mask) throw new UsageError('inpaint needs --mask <image> (white = remove), the same size as the photo.');
  const mask = resolve(values.mask);
  const output = outputFor(input, values.output ?? beside(input, '-erased'), values.overwrite);
  const params = values.model ? { model: values.model } : {};
  return runToolToFile(
    values,
    input,
    output,
    { id: 'inpaint', params, describe: 'Erasing in' },
    async (engine, docId) => void (await engine.selectionFromFile(docId, mask)),
  );
}

export const inpaintCommand: Command = {
  name: 'inpaint',
  forms: ['<photo> --mask <mask.png>'],
  about: 'Erases what the mask marks (white = remove; the same size as the photo).',
  flags,
  run,
};
