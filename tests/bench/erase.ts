/** The Erase and Extend rows of `npm run bench`. */
import type { Engine } from '../../electron/engine/engine.js';
import type { Rect } from '../../electron/engine/images/raster.js';
import { testEngine } from '../support/engine.js';
import { photoOfSize } from './enhance.js';
import { ms, row, timed, withLag } from './measure.js';

/** From the end of a rectangle drag (the selection call) to the result placed in the document, and the network's share of it. */
async function releaseToResult(engine: Engine, file: string, rect: Rect): Promise<{ ms: number; networkMs: number }> {
  const doc = await engine.open(file);
  const { ms: took, result: networkMs } = await timed(async () => {
    await engine.document(doc.id).selectShape({ kind: 'rect', rect }, 255);
    const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'erase', {}));
    if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
    return end.stats.inferenceMs;
  });
  await engine.close(doc.id);
  return { ms: took, networkMs };
}

/** "1234 ms (network 300 ms, texture and the rest 934 ms)" */
const split = (t: { ms: number; networkMs: number }) => `${ms(t.ms)} (network ${ms(t.networkMs)}, texture synthesis and the rest ${ms(t.ms - t.networkMs)})`;

export async function eraseBench(): Promise<void> {
  const engine = testEngine();
  const small = await photoOfSize(512, 512);
  // A 180 px hole needs 180 px of context each side: the crop is the whole 512×512 image.
  const hole = { x: 166, y: 166, width: 180, height: 180 };
  await releaseToResult(engine, small, hole); // loads the session
  const times: { ms: number; networkMs: number }[] = [];
  for (let i = 0; i < 3; i++) times.push(await releaseToResult(engine, small, hole));
  const crop = times.sort((a, b) => a.ms - b.ms)[1]!;
  row('Erase: brush release → result, 512×512 working crop (median of 3)', split(crop), '≤ 1.5 s');

  const bigHole = await releaseToResult(engine, await photoOfSize(1600, 1200), { x: 544, y: 344, width: 512, height: 512 });
  row('Erase: a 512×512 hole on a 2 MP photo', split(bigHole), '≤ 3 s');

  const big = await photoOfSize(4243, 2828);
  const object = await releaseToResult(engine, big, { x: 2100, y: 1300, width: 60, height: 80 });
  row('Erase: brush release → result, small object on a 12 MP photo', split(object), '≤ 2 s');

  // The audit's freeze: one diagonal drag across a 4000×3000 photo with the default brush.
  const canvas = await engine.open(await photoOfSize(4000, 3000));
  const points = Array.from({ length: 300 }, (_, i): [number, number] => [(i * 4000) / 299, (i * 3000) / 299]);
  const drag = await withLag(() => timed(() => engine.document(canvas.id).paintSelection({ points, radius: 20, hardness: 1, value: 255, opacity: 1 })));
  row(
    'Brush: diagonal drag on 12 MP (300 points, radius 20)',
    `${ms(drag.result.ms)}, longest event-loop stall ${ms(drag.lagMaxMs)}`,
    '≤ 200 ms, stall ≤ 50 ms',
  );
  await engine.close(canvas.id);

  const twoMp = await photoOfSize(1732, 1155);
  const doc = await engine.open(twoMp);
  const { ms: took, result: end } = await timed(() => engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'extend', { left: 433, right: 433 })));
  if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
  row('Extend: +50 % width (433 px each side) on a 2 MP photo', split({ ms: took, networkMs: end.stats.inferenceMs }), '≤ 15 s');
  await engine.dispose();
}
