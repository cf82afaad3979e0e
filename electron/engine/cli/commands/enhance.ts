import { enhanceSpec, TILE_RANGE } from '../../tools/enhance/spec.js';
import { beside, common, exportFlags, type Flag, intOption, onePhoto, outputFor, parse, runToolToFile, toolCommand, UsageError } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  scale: { type: 'string', default: '4', hint: '2|4', help: 'how much larger (×2 is the ×4 result downscaled with Lanczos-3)' },
  quality: {
    type: 'string',
    default: 'fast',
    hint: 'fast|hq',
    help: 'Real-ESRGAN general x4 v3 (fast, ships with Ganvas) or x4plus (high quality, installed separately)',
  },
  tile: { type: 'string', hint: `${TILE_RANGE.min}-${TILE_RANGE.max}`, help: 'tile size in photo pixels (default: what the memory allows)' },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  const input = onePhoto(enhanceSpec.id, positionals);
  const scale = intOption(values.scale, 'scale', [2, 4]) as 2 | 4;
  if (values.quality !== 'fast' && values.quality !== 'hq') throw new UsageError(`--quality must be fast or hq, not "${values.quality}".`);
  const output = outputFor(input, values.output ?? beside(input, `@${scale}x`), values.overwrite);
  const tile = intOption(values.tile, 'tile', TILE_RANGE);
  const params = { scale, quality: values.quality, ...(tile ? { tile } : {}) };
  return runToolToFile(values, input, output, {
    id: enhanceSpec.id,
    params,
    describe: `Enhancing ×${scale} (${values.quality === 'fast' ? 'Fast' : 'High quality'})`,
  });
}

export const enhanceCommand = toolCommand(enhanceSpec, {
  forms: ['<photo>'],
  writes: 'writes <name>@<scale>x.png beside the photo unless -o is given.',
  flags,
  run,
});
