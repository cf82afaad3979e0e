import { resolve } from 'node:path';
import { type Command, common, type Flag, parse, UsageError, withEngine } from '../shared.js';

const flags = { ...common } as const satisfies Record<string, Flag>;

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, flags);
  if (sub !== 'info') throw new UsageError(`Unknown project command "${sub ?? ''}": use info.`);
  if (positionals.length !== 1) throw new UsageError('project info takes exactly one project file.');
  return withEngine(values, async (engine) => {
    const doc = await engine.open(resolve(positionals[0]!));
    const docHistory = engine.document(doc.id).historyOf('document');
    process.stdout.write(`${doc.title}: ${doc.width}×${doc.height}, ${doc.layers.length} layer(s), from ${doc.fileName}\n`);
    process.stdout.write(`Document history: ${docHistory.position} step(s) done, ${docHistory.entries.length - 1 - docHistory.position} to redo\n`);
    for (const l of [...doc.layers].reverse()) {
      const h = engine.document(doc.id).historyOf({ layerId: l.id });
      const flags = [l.visible ? 'visible' : 'hidden', l.locked ? 'locked' : '', l.hasMask ? 'mask' : ''].filter(Boolean).join(', ');
      process.stdout.write(
        `  ${l.name} — ${l.width}×${l.height} ${l.bitDepth}-bit, ${l.blend} ${Math.round(l.opacity * 100)} %, ${flags}; ${l.kind}${l.modelId ? ` (${l.modelId})` : ''}; history ${h.position}/${h.entries.length - 1}\n`,
      );
    }
    for (const line of doc.lost) process.stdout.write(`lost: ${line}\n`);
    return doc.lost.length > 0 ? 1 : 0;
  });
}

export const projectCommand: Command = {
  name: 'project',
  forms: ['info <project.ganvas>'],
  about: 'Shows a project: canvas, layers, their settings and histories.',
  flags,
  run,
};
