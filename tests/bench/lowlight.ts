/** The Low light rows of `npm run bench`: time on 12 MP, and peak memory against the photo's size. */
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { photoOfSize } from './enhance.js';
import { ms, row, timed, withPeakRss } from './measure.js';

export async function lowlightBench(): Promise<void> {
  const engine = testEngine();
  const doc = await engine.open(await photoOfSize(4243, 2828));
  const layer = doc.layers[0]!.id;
  // The network's session is loaded once, before anything is measured.
  const warm = await engine.open(photo('chelsea.png'));
  await engine.tools.waitFor(engine.tools.run(warm.id, warm.layers[0]!.id, 'lowlight', {}));
  const low = await timed(() => engine.tools.waitFor(engine.tools.run(doc.id, layer, 'lowlight', {})));
  row('Low light on 12 MP (IAT at 1024 px, gain applied at full size)', ms(low.ms), '≤ 3 s');
  const lowDenoise = await timed(() => engine.tools.waitFor(engine.tools.run(doc.id, layer, 'lowlight', { denoise: 0.5 })));
  row('Low light on 12 MP with noise reduction 50 %', ms(lowDenoise.ms));
  await engine.close(doc.id);

  // Memory: the photo and its result are held anyway (2×); the work itself goes strip by strip.
  const big = await photoOfSize(10_000, 6_000);
  for (const denoise of [0, 0.5]) {
    const opened = await engine.open(big);
    const photoBytes = opened.width * opened.height * 3;
    global.gc?.();
    const before = process.memoryUsage().rss;
    const { result: run, peak } = await withPeakRss(
      () => timed(() => engine.tools.waitFor(engine.tools.run(opened.id, opened.layers[0]!.id, 'lowlight', { denoise }))),
      20,
    );
    if (run.result.type !== 'job-done') throw new Error(JSON.stringify(run.result));
    row(
      `Low light on 60 MP${denoise ? ' with noise reduction' : ''}: peak memory (the photo + growth while it runs) ÷ photo size`,
      `${(1 + (peak - before) / photoBytes).toFixed(2)}× (${ms(run.ms)})`,
      '≤ 3×',
    );
    await engine.close(opened.id);
  }
  await engine.dispose();
}
