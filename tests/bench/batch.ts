/** The Batch rows of `npm run bench`. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { recipeSchema } from '../../electron/engine/batch/recipe.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { gib, row, timed, withPeakRss } from './measure.js';

const NAMES = ['chelsea.png', 'coffee.png', 'rocket.jpg', 'astronaut.png'];

async function folderOf(count: number, width: number, height: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ganvas-bench-batch-'));
  mkdirSync(join(dir, 'in'));
  for (let i = 0; i < count; i++)
    await sharp(photo(NAMES[i % NAMES.length]!))
      .resize(width, height, { fit: 'fill' })
      .jpeg({ quality: 92 })
      .toFile(join(dir, 'in', `p${i}.jpg`));
  return dir;
}

export async function batchBench(): Promise<void> {
  const engine = testEngine();
  const base = { recursive: false, include: [], exclude: [], extensions: [], skipExisting: false, concurrency: 2 };

  // Enhance-fast on 0.5 MP photos (866×577): throughput, and wall time against time in the network.
  const half = await folderOf(6, 866, 577);
  const enhance = recipeSchema.parse({ name: 'fast', steps: [{ tool: 'enhance', params: { scale: 2, quality: 'fast' } }], output: { format: 'jpeg' } });
  const warm = await folderOf(1, 64, 64);
  await engine.batches.start({ ...base, input: join(warm, 'in'), output: join(warm, 'out'), recipe: enhance }).done; // session load
  const { result: report, ms: wall } = await timed(
    () => engine.batches.start({ ...base, input: join(half, 'in'), output: join(half, 'out'), recipe: enhance }).done,
  );
  row('Batch Enhance ×2 Fast on 0.5 MP photos (6 files, 2 at once)', `${(report.totals.done / (wall / 60_000)).toFixed(1)} images/min`);
  row(
    'Batch wall time vs time inside the network',
    `${(wall / 1000).toFixed(1)} s vs ${(report.inferenceMs / 1000).toFixed(1)} s = ${(wall / report.inferenceMs).toFixed(2)}×`,
    '≤ 1.15×',
  );

  // Memory over 200 files (small photos, Low light + resize): it must not grow with the count.
  const many = await folderOf(200, 320, 240);
  const recipe = recipeSchema.parse({
    name: 'many',
    steps: [
      { tool: 'lowlight', params: { model: 'sci_easy' } },
      { tool: 'resize', params: { longSide: 160 } },
    ],
    output: { format: 'jpeg' },
  });
  let after20 = 0;
  const off = engine.onEvent((e) => e.type === 'batch-progress' && e.progress.done === 20 && (after20 = process.memoryUsage().rss));
  const { result: big, peak } = await withPeakRss(
    () => timed(() => engine.batches.start({ ...base, input: join(many, 'in'), output: join(many, 'out'), recipe }).done),
    50,
  );
  off();
  row('Batch of 200 files: time, peak RSS (RSS after 20 files)', `${(big.ms / 1000).toFixed(1)} s, ${gib(peak)} (${gib(after20)})`);
  await engine.dispose();
}
