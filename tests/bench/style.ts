/** The Style and RAW rows of `npm run bench`. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImage } from '../../electron/engine/images/open.js';
import { writeDng } from '../support/dng.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { photoOfSize } from './enhance.js';
import { gib, median, ms, row, timed, withPeakRss } from './measure.js';

export async function styleBench(): Promise<void> {
  const engine = testEngine();
  const twelve = await photoOfSize(4243, 2828);
  const doc = await engine.open(twelve);
  const layer = doc.layers[0]!.id;

  await engine.tools.preview(doc.id, layer, 'style', { style: 'monet' }, 512); // loads the session
  const previews: number[] = [];
  for (const strength of [1, 0.8, 0.6, 0.4, 0.2])
    previews.push((await timed(() => engine.tools.preview(doc.id, layer, 'style', { style: 'monet', strength }, 512))).ms);
  row('Style preview at 512 px (Monet, from a 12 MP layer; median of 5)', ms(median(previews)), '≈ 500 ms');

  const { result: apply, peak } = await withPeakRss(() => timed(() => engine.tools.waitFor(engine.tools.run(doc.id, layer, 'style', { style: 'monet' }))), 50);
  row('Style apply at full resolution, 12 MP (Monet)', `${ms(apply.ms)}, peak RSS ${gib(peak)}`);

  await engine.dispose();

  // A 24 MP DNG (6000×4000, 16-bit Bayer) written from a photo, opened like any file.
  const { raster: scene } = await openImage(photo('astronaut.png'));
  const file = join(mkdtempSync(join(tmpdir(), 'ganvas-bench-raw-')), 'big.dng');
  writeFileSync(
    file,
    writeDng(
      6000,
      4000,
      (x, y) => {
        const p = (Math.floor((y * scene.height) / 4000) * scene.width + Math.floor((x * scene.width) / 6000)) * scene.channels;
        return [scene.data[p]! / 255, scene.data[p + 1]! / 255, scene.data[p + 2]! / 255];
      },
      [0.55, 1, 0.75],
    ),
  );
  const rawEngine = testEngine();
  const decoded = await timed(() => rawEngine.open(file));
  row('RAW decode, 24 MP DNG (LibRaw, AHD, on its own thread)', ms(decoded.ms));
  await rawEngine.dispose();
}
