import { resolve } from 'node:path';
import { DEFAULT_INPAINT_MODEL, inpaintSpec } from '../../tools/inpaint/spec.js';
import { beside, common, exportFlags, type Flag, onePhoto, outputFor, parse, runToolToFile, toolCommand, UsageError } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  mask: { type: 'string', hint: '<mask.png>', help: 'white where to erase' },
  model: { type: 'string', hint: '<id>', help: `the inpainting model (default: ${DEFAULT_INPAINT_MODEL})` },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto(inpaintSpec.id, positionals);
  if (!values.mask) throw new UsageError('inpaint needs --mask <image> (white = remove), the same size as the photo.');
  const mask = resolve(values.mask);
  const output = outputFor(input, values.output ?? beside(input, '-erased'), values.overwrite);
  const params = values.model ? { model: values.model } : {};
  return runToolToFile(
    values,
    input,
    output,
    { id: inpaintSpec.id, params, describe: 'Erasing in' },
    async (engine, docId) => void (await engine.document(docId).selectionFromFile(mask)),
  );
}

export const inpaintCommand = toolCommand(inpaintSpec, {
  forms: ['<photo> --mask <mask.png>'],
  writes: 'the mask is white where to erase, the same size as the photo; writes <name>-erased.png unless -o is given.',
  flags,
  run,
});
