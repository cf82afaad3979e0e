import { lowlightSpec } from '../../tools/lowlight/spec.js';
import { beside, common, exportFlags, type Flag, fraction, LOWLIGHT_SHORT, onePhoto, outputFor, parse, runToolToFile, toolCommand } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  model: {
    type: 'string',
    hint: Object.keys(LOWLIGHT_SHORT).join('|'),
    help: 'IAT (default, best quality) or SCI at three strengths, or a low-light model of yours',
  },
  amount: { type: 'string', hint: '0-1', help: 'how much of the brightening to apply (default: 1, all of it)' },
  denoise: { type: 'string', hint: '0-1', help: 'noise reduction after brightening (default: off)' },
  'no-protect-highlights': { type: 'boolean', default: false, help: 'let bright areas be brightened too' },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto(lowlightSpec.id, positionals);
  const output = outputFor(input, values.output ?? beside(input, '-bright'), values.overwrite);
  const model = values.model ? (LOWLIGHT_SHORT[values.model] ?? values.model) : undefined;
  const denoise = fraction(values.denoise, 'denoise');
  const amount = fraction(values.amount, 'amount');
  const params = {
    ...(model ? { model } : {}),
    ...(denoise !== undefined ? { denoise } : {}),
    ...(amount !== undefined ? { amount } : {}),
    protectHighlights: !values['no-protect-highlights'],
  };
  return runToolToFile(values, input, output, { id: lowlightSpec.id, params, describe: 'Brightening' });
}

export const lowlightCommand = toolCommand(lowlightSpec, {
  forms: ['<photo|raw>'],
  writes: 'the gain is found on a small copy and applied at full size; writes <name>-bright.png unless -o is given.',
  flags,
  run,
});
