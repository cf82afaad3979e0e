import { resolve } from 'node:path';
import { type Command, common, exportFlags, exportOptionsFor, type Flag, outputFor, parse, UsageError, withEngine } from '../shared.js';

const flags = {
  ...common,
  ...exportFlags,
  'no-ai-provenance': { type: 'boolean', default: false, help: 'leave the AI record out of this file' },
} as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, flags);
  if (positionals.length !== 1) throw new UsageError('export takes exactly one photo or project.');
  if (!values.output) throw new UsageError('export needs -o <output file>.');
  const input = resolve(positionals[0]!);
  const output = outputFor(input, values.output, values.overwrite);
  return withEngine(values, async (engine) => {
    const doc = await engine.open(input);
    for (const line of doc.lost) process.stderr.write(`warning: ${line}\n`);
    const saved = await engine.document(doc.id).export(output, {
      ...exportOptionsFor(values, output, doc.bitDepth),
      ...(values['no-ai-provenance'] ? { recordAiProvenance: false } : {}),
    });
    const ai = saved.aiEdits > 0 && !values['no-ai-provenance'] ? `; ${saved.aiEdits} AI edit(s) recorded in XMP` : '';
    process.stderr.write(`Wrote ${saved.path} (${saved.width}×${saved.height})${ai}\n`);
    return 0;
  });
}

export const exportCommand: Command = {
  name: 'export',
  forms: ['<photo|project.ganvas> -o <out>'],
  about: 'Flattens a project (blend modes, opacity and masks applied) and, unless told not to, records in the XMP which edits were made by AI.',
  flags,
  run,
};
