/** The document rows of `npm run bench`: undo/redo latency, project save/open, history memory. */
import type { DocId, LayerId } from '../../electron/engine/ids.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../electron/engine/engine.js';
import { allocRaster, type Raster } from '../../electron/engine/images/raster.js';
import { testEngine } from '../support/engine.js';
import { photoOfSize } from './enhance.js';
import { gib, median, ms, row, timed, withLag } from './measure.js';

const WIDTH = 6000;
const HEIGHT = 4000;

/** A whole-layer edit (every sample shifted): the worst case for history, nothing shared with before. */
function shifted(r: Raster, by: number): Raster {
  const out = allocRaster(r.width, r.height, r.channels, r.depth);
  for (let i = 0; i < r.data.length; i++) out.data[i] = (r.data[i]! + by) & 255;
  return out;
}

/** Empties the OS file cache where we may (root on Linux), so "from disk" means the disk. */
function dropFileCache(): boolean {
  try {
    execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function undoRedoLatency(engine: Engine, docId: DocId, layerId: LayerId, rounds: number, beforeEach: () => Promise<void>) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await beforeEach();
    times.push((await timed(() => engine.document(docId).undo({ layerId }))).ms);
    await beforeEach();
    times.push((await timed(() => engine.document(docId).redo({ layerId }))).ms);
  }
  return median(times);
}

export async function documentBench(): Promise<void> {
  const file = await photoOfSize(WIDTH, HEIGHT);
  const mp = (WIDTH * HEIGHT) / 1e6;

  // Undo/redo of a whole-layer edit, history in memory, then with a budget that forces it to disk.
  {
    const engine = testEngine();
    const doc = await engine.open(file);
    const layerId = doc.layers[0]!.id;
    const d = engine.document(doc.id).doc;
    // Half the layer changed: the undo step holds those tiles, and undoing copies them back.
    const half = shifted(d.layer(layerId).raster, 40);
    half.data.set(d.layer(layerId).raster.data.subarray(0, half.data.length / 2));
    d.commitPixels(layerId, 'pixels', half, 'shift half');
    const partial = await undoRedoLatency(engine, doc.id, layerId, 3, async () => {});
    row(`undo/redo, ${mp} MP layer, half of it edited, in memory (median of 6)`, ms(partial), '≤ 100 ms');
    await engine.document(doc.id).undo({ layerId });
    d.commitPixels(layerId, 'pixels', shifted(d.layer(layerId).raster, 40), 'shift');
    const inMemory = await undoRedoLatency(engine, doc.id, layerId, 3, async () => {});
    row(`undo/redo, ${mp} MP layer, all of it edited, in memory (median of 6)`, ms(inMemory), '≤ 100 ms');
    await engine.updateSettings({ historyBudgetBytes: 64 * 2 ** 20 });
    let cold = true;
    const fromDisk = await undoRedoLatency(engine, doc.id, layerId, 3, async () => {
      await engine.historyMemory().settled;
      cold = dropFileCache() && cold;
    });
    await engine.historyMemory().settled;
    const where = engine.historyMemory();
    if (where.memoryBytes > where.budgetBytes) throw new Error('the step was not spilled to disk');
    row(
      `undo/redo, ${mp} MP layer, all of it edited, on disk (median of 6)`,
      `${ms(fromDisk)}${cold ? ' (file cache dropped first)' : ' (file cache warm)'}`,
      '≤ 500 ms',
    );
    await engine.dispose();
  }

  // Project save and open: 5 layers of 24 MP (photo, two edited copies, a masked copy, an empty layer).
  {
    const engine = testEngine();
    const doc = await engine.open(file);
    const base = doc.layers[0]!.id;
    for (let i = 0; i < 2; i++) {
      const info = await engine.document(doc.id).addLayer({ kind: 'duplicate', layerId: base });
      const copy = info.layers[1]!.id;
      engine.document(doc.id).doc.commitPixels(copy, 'pixels', shifted(engine.document(doc.id).doc.layer(copy).raster, 30 + i * 50), 'shift');
    }
    const masked = (await engine.document(doc.id).addLayer({ kind: 'duplicate', layerId: base })).layers[1]!.id;
    await engine.document(doc.id).apply('setLayerProps', masked, { blend: 'overlay', opacity: 0.5 });
    await engine.document(doc.id).apply('paintMask', masked, {
      points: [
        [1000, 1000],
        [5000, 3000],
      ],
      radius: 400,
      hardness: 0.5,
      value: 0,
      opacity: 1,
    });
    await engine.document(doc.id).addLayer({ kind: 'empty' });
    const project = join(mkdtempSync(join(tmpdir(), 'ganvas-bench-')), 'five-layers.ganvas');
    const save = await withLag(() => timed(() => engine.document(doc.id).saveProject(project, { includeHistory: false })));
    const size = statSync(project).size;
    row(`save project: ${mp} MP × 5 layers, no history`, `${ms(save.result.ms)}, ${gib(size)} on disk, main-thread lag p99 ${ms(save.lagP99Ms)}`);
    const withHistory = await timed(() => engine.document(doc.id).saveProject(project, { includeHistory: true }));
    row(`save project: same, with history`, `${ms(withHistory.ms)}, ${gib(statSync(project).size)} on disk`);
    dropFileCache();
    const open = await timed(() => engine.open(project));
    row(`open project: ${mp} MP × 5 layers, with history`, ms(open.ms));
    const flatten = await withLag(() => timed(() => engine.document(doc.id).doc.render()));
    row(`flatten ${mp} MP × 5 layers (blend, opacity, mask)`, `${ms(flatten.result.ms)}, main-thread lag p99 ${ms(flatten.lagP99Ms)}`);
    await engine.dispose();
  }

  // History memory across 50 whole-layer edits with the default 2 GB budget.
  {
    const engine = testEngine();
    const doc = await engine.open(file);
    const layerId = doc.layers[0]!.id;
    const d = engine.document(doc.id).doc;
    let peakMemory = 0;
    const t = await timed(async () => {
      for (let i = 0; i < 50; i++) {
        d.commitPixels(layerId, 'pixels', shifted(d.layer(layerId).raster, 7), `edit ${i}`);
        peakMemory = Math.max(peakMemory, engine.historyMemory().memoryBytes);
        await engine.historyMemory().settled;
      }
    });
    const h = engine.historyMemory();
    row(
      `history after 50 whole-layer edits of ${mp} MP`,
      `${gib(h.memoryBytes)} in memory (peak ${gib(peakMemory)}) + ${gib(h.diskBytes)} on disk, budget ${gib(h.budgetBytes)}; ${(t.ms / 50).toFixed(0)} ms per edit`,
      '≤ budget',
    );
    await engine.dispose();
  }
}
