import type { DocumentInfo } from '../../info.js';
import { DEFAULT_INPAINT_MODEL } from '../../tools/inpaint/spec.js';
import { sidesForAspect } from '../../tools/extend/aspect.js';
import { extendSpec } from '../../tools/extend/spec.js';
import { beside, common, exportFlags, type Flag, intOption, onePhoto, outputFor, parse, runToolToFile, toolCommand, UsageError } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  left: { type: 'string', hint: 'N', help: 'pixels to add on the left' },
  right: { type: 'string', hint: 'N', help: 'pixels to add on the right' },
  top: { type: 'string', hint: 'N', help: 'pixels to add at the top' },
  bottom: { type: 'string', hint: 'N', help: 'pixels to add at the bottom' },
  aspect: { type: 'string', hint: '16:9', help: 'grow to this aspect ratio instead (after EXIF orientation)' },
  model: { type: 'string', hint: '<id>', help: `the inpainting model (default: ${DEFAULT_INPAINT_MODEL})` },
} as const satisfies Record<string, Flag>;

/** "16:9" or "1.78" as width/height. */
function parseAspect(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text);
  const value = m ? Number(m[1]) / Number(m[2] ?? 1) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--aspect must look like 16:9 or 1.5, not "${text}".`);
  return value;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto(extendSpec.id, positionals);
  const output = outputFor(input, values.output ?? beside(input, '-extended'), values.overwrite);
  const given = Object.fromEntries((['left', 'right', 'top', 'bottom'] as const).map((s) => [s, intOption(values[s], s) ?? 0]));
  if (values.aspect && Object.values(given).some((v) => v > 0)) throw new UsageError('Give either --aspect or pixels per side, not both.');
  const model = values.model ? { model: values.model } : {};
  const aspect = values.aspect ? parseAspect(values.aspect) : null;
  // The aspect applies to the photo as shown (EXIF orientation applied), so it waits for the open.
  const params = (doc: DocumentInfo) => ({ ...(aspect ? sidesForAspect(doc.width, doc.height, aspect) : given), ...model });
  return runToolToFile(values, input, output, { id: extendSpec.id, params, describe: 'Extending' });
}

export const extendCommand = toolCommand(extendSpec, {
  forms: ['<photo> (--left N --right N --top N --bottom N | --aspect 16:9)'],
  writes: "the photo's own pixels stay as they are; writes <name>-extended.png unless -o is given.",
  flags,
  run,
});
