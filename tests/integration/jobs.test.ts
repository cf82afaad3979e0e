import { join } from 'node:path';
import type { JobId } from '../../electron/engine/ids.js';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledCatalogPath } from '../../electron/engine/models/catalog.js';
import { JobHost } from '../../electron/engine/jobs/host.js';
import type { EngineEvent } from '../../electron/engine/info.js';
import { photo, repoRoot, testModelsDir } from '../support/paths.js';
import { testEngine } from '../support/engine.js';
import { digest, testRaster } from '../support/rasters.js';

const config = {
  catalogPath: bundledCatalogPath,
  modelsDir: testModelsDir,
  readOnlyModelDirs: [],
  bundledModelsDir: null,
  verifiedModelsCache: null,
  modelSpeedCache: null,
  providerFallbackCache: null,
  provider: 'cpu' as const,
};
type End = Extract<EngineEvent, { type: 'job-done' | 'job-cancelled' | 'job-failed' }>;

describe('every job ends exactly once', () => {
  const engine = testEngine();
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  const ends = (jobId: string) =>
    events.filter((e): e is End => (e.type === 'job-done' || e.type === 'job-cancelled' || e.type === 'job-failed') && e.jobId === jobId);
  afterAll(() => engine.dispose());

  it('a cancel that comes with the last tile wins: no layer is added, one "cancelled"', async () => {
    const { id: docId } = await engine.open(photo('coffee.png'));
    const before = engine.document(docId).info();
    const layer = before.layers[0]!.id;
    let jobId: JobId | null = null;
    const cancelAtLastTile = engine.onEvent((e) => {
      if (e.type === 'job-progress' && e.jobId === jobId && e.progress.total > 0 && e.progress.done === e.progress.total) engine.tools.cancel(e.jobId);
    });
    jobId = engine.tools.run(docId, layer, 'enhance', { scale: 2, tile: 256 });
    const end = await engine.tools.waitFor(jobId);
    cancelAtLastTile();
    await new Promise((r) => setTimeout(r, 300));
    expect(end.type).toBe('job-cancelled');
    expect(ends(jobId)).toHaveLength(1);
    expect(engine.document(docId).info().layers).toHaveLength(before.layers.length);
    await engine.close(docId);
  });

  it('closing a document while its job runs ends the job as cancelled, once', async () => {
    const { id: docId, layers } = await engine.open(photo('chelsea.png'));
    const jobId = engine.tools.run(docId, layers[0]!.id, 'enhance', { scale: 2, tile: 128 });
    const end = engine.tools.waitFor(jobId);
    await new Promise((r) => setTimeout(r, 200));
    await engine.close(docId);
    expect((await end).type).toBe('job-cancelled');
    await new Promise((r) => setTimeout(r, 300));
    expect(ends(jobId)).toHaveLength(1);
  });
});

describe('the inference thread dies', () => {
  const host = new JobHost(config, 1e9, pathToFileURL(join(repoRoot, 'dist', 'tests', 'support', 'dying-worker.js')));
  afterAll(() => host.close());

  it('fails the job it was running with a clear message, restarts, and runs the next job', async () => {
    const raster = testRaster(64, 48);
    const doomed = host.run('lowlight', { raster, mask: null }, { model: 'sci_easy', die: true });
    const queued = host.run('lowlight', { raster, mask: null }, { model: 'sci_easy' });
    await expect(doomed.result).rejects.toMatchObject({
      code: 'INFERENCE_FAILED',
      message: expect.stringMatching(/inference thread stopped unexpectedly \(exit code 7\).*not changed/),
    });
    const r = await queued.result;
    expect(r.raster.width).toBe(64);
    expect(digest(r.raster)).not.toBe(digest(raster));
    // And again: the new thread also serves a later job.
    await expect(host.run('lowlight', { raster, mask: null }, { model: 'sci_easy' }).result).resolves.toMatchObject({ modelId: 'sci_easy' });
  });
});

describe('a provider chosen by name that cannot run here', () => {
  it('is said in the result, which runs on the CPU instead', async () => {
    // DirectML exists only on Windows; CI runs on Linux.
    const engine = testEngine({ provider: process.platform === 'win32' ? 'coreml' : 'dml' });
    afterAll(() => engine.dispose());
    const doc = await engine.open(photo('coffee.png'));
    const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'lowlight', { model: 'sci_easy', workingSize: 64 }));
    if (end.type !== 'job-done') throw new Error(JSON.stringify(end));
    expect(end.device).toBe('CPU');
    expect(end.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(DirectML|CoreML) was chosen but cannot run sci_easy here \(.+ is only available on .+\); it ran on the CPU$/),
      ]),
    );
  });
});
