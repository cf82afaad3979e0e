import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../electron/engine/document/history-store.js';
import { digest, testRaster } from '../support/rasters.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';

describe.skipIf(!smallDiskSupport.ok)(`undo history on a full disk ${smallDiskSupport.reason}`, () => {
  it('a spill that cannot be written warns the user once, keeps every step in memory, and rejects nothing', async () => {
    const disk = smallDisk(64 * 1024);
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const warnings: string[] = [];
      const rasters = [1, 2, 3, 4, 5, 6].map((seed) => testRaster(120, 100, 3, 8, seed));
      const store = new HistoryStore(2 * 120 * 100 * 3, join(disk.dir, 'history'), (m) => warnings.push(m));
      const ids = rasters.map((raster) => store.put({ kind: 'raster', raster }));
      await store.settled();
      expect(warnings).toEqual([
        expect.stringMatching(/^Undo history cannot be moved to disk \(the disk is full in .*history\), so it stays in memory beyond its/),
      ]);
      // Over the budget, as the warning says, and every step still there, exact.
      expect(store.memoryBytes).toBeGreaterThan(store.budget);
      for (const [i, id] of ids.entries()) {
        const v = await store.get(id);
        expect(v.kind === 'raster' && digest(v.raster)).toBe(digest(rasters[i]!));
      }
      await store.dispose();
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      disk.free();
    }
  });
});
