import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { recipeSchema, type Recipe } from '../../electron/engine/batch/recipe.js';
import { createHandlers } from '../../electron/ipc/handlers.js';
import { scriptedDialogs } from '../support/dialogs.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';

const engine = testEngine();
afterAll(() => engine.dispose());

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const resize = (naming: string, format: Recipe['output']['format'] = 'jpeg') =>
  recipeSchema.parse({ name: 'small', steps: [{ tool: 'resize', params: { longSide: 32 } }], output: { format, quality: 90, naming } });
const batchOptions = { recursive: false, include: [], exclude: [], extensions: [], skipExisting: false, concurrency: 2 };

async function folderOfPhotos(names: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ganvas-safety-'));
  for (const [i, name] of names.entries()) {
    const source = ['coffee.png', 'chelsea.png', 'rocket.jpg', 'astronaut.png'][i % 4]!;
    await sharp(photo(source)).resize(64, 48).toFile(join(dir, name));
  }
  return dir;
}

describe('a batch never writes over an original or over another output', () => {
  it('output = input folder: a.png → a.jpg does not replace the original a.jpg', async () => {
    const dir = await folderOfPhotos(['a.png', 'a.jpg', 'b.png']);
    const before = Object.fromEntries(['a.png', 'a.jpg', 'b.png'].map((n) => [n, sha(join(dir, n))]));
    const report = await engine.batches.start({ ...batchOptions, input: dir, output: dir, recipe: resize('{name}'), allowInsideInput: true }).done;
    for (const [name, digest] of Object.entries(before)) expect(sha(join(dir, name)), name).toBe(digest);
    const outputs = report.files.map((f) => f.output);
    expect(new Set(outputs).size).toBe(3);
    expect(outputs).not.toContain('a.jpg');
    // Every result is there, and the report says why two of them got other names.
    for (const f of report.files) {
      expect(f.status).toBe('done');
      expect((await sharp(join(dir, f.output!)).metadata()).width).toBe(32);
    }
    expect(report.files.find((f) => f.input === 'a.jpg')!.note).toMatch(/a\.jpg is one of the photos being processed/);
    expect(report.files.find((f) => f.input === 'b.png')).toMatchObject({ output: 'b.jpg' });
    expect(report.files.find((f) => f.input === 'b.png')!.note).toBeUndefined();
  });

  it('two inputs that map to one name (a template without {name}) get a name each; a resumed run keeps them', async () => {
    const dir = await folderOfPhotos(['one.png', 'two.png', 'three.png']);
    const out = mkdtempSync(join(tmpdir(), 'ganvas-safety-out-'));
    const run = () => engine.batches.start({ ...batchOptions, input: dir, output: out, recipe: resize('result', 'png') }).done;
    const first = await run();
    const names = first.files.map((f) => f.output).sort();
    expect(names).toEqual(['result-2.png', 'result-3.png', 'result.png']);
    expect(first.files.filter((f) => f.note?.includes('is already the output of')).length).toBe(2);
    const digests = Object.fromEntries(first.files.map((f) => [f.input, sha(join(out, f.output!))]));
    // Each output holds its own photo: three different images.
    expect(new Set(Object.values(digests)).size).toBe(3);
    const again = await run();
    expect(again.files.map((f) => [f.input, f.output, f.reason])).toEqual(first.files.map((f) => [f.input, f.output, 'done in an earlier run']));
  });

  it('a file of the user inside the input folder is not replaced by an output written there', async () => {
    const dir = await folderOfPhotos(['photo.png']);
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'photo.jpg'), 'the user’s own file');
    const report = await engine.batches.start({ ...batchOptions, input: dir, output: join(dir, 'out'), recipe: resize('{name}'), allowInsideInput: true }).done;
    expect(readFileSync(join(dir, 'out', 'photo.jpg'), 'utf8')).toBe('the user’s own file');
    expect(report.files[0]).toMatchObject({ status: 'done', output: 'photo-2.jpg', note: expect.stringMatching(/photo\.jpg is a file in the input folder/) });
  });

  it('follows each real folder once when links make a cycle', async () => {
    const dir = await folderOfPhotos(['top.png']);
    mkdirSync(join(dir, 'sub'));
    await sharp(photo('coffee.png'))
      .resize(40)
      .toFile(join(dir, 'sub', 'inner.png'));
    symlinkSync(dir, join(dir, 'sub', 'loop'));
    symlinkSync(join(dir, 'sub'), join(dir, 'again'));
    const out = mkdtempSync(join(tmpdir(), 'ganvas-safety-out-'));
    const report = await engine.batches.start({ ...batchOptions, recursive: true, input: dir, output: out, recipe: resize('{name}', 'png') }).done;
    // Reached first through the link 'again' (names are walked in order), then never again.
    expect(report.files.map((f) => f.input).sort()).toEqual(['again/inner.png', 'top.png']);
  });
});

describe('what a batch writes by default', () => {
  it('each photo in its own format (PNG stays PNG, JPEG JPEG, WebP WebP), and files that are not photos are skipped, not failed', async () => {
    const dir = await folderOfPhotos(['a.png', 'b.jpg', 'c.webp']);
    writeFileSync(join(dir, 'notes.txt'), 'shot list');
    const out = mkdtempSync(join(tmpdir(), 'ganvas-same-'));
    const recipe = recipeSchema.parse({ name: 'small', steps: [{ tool: 'resize', params: { longSide: 32 } }] });
    expect(recipe.output.format).toBe('same');
    const report = await engine.batches.start({ ...batchOptions, input: dir, output: out, recipe }).done;
    expect(report.files.map((f) => [f.input, f.status, f.output])).toEqual([
      ['a.png', 'done', 'a.png'],
      ['b.jpg', 'done', 'b.jpg'],
      ['c.webp', 'done', 'c.webp'],
      ['notes.txt', 'skipped', null],
    ]);
    for (const [name, format] of [
      ['a.png', 'png'],
      ['b.jpg', 'jpeg'],
      ['c.webp', 'webp'],
    ])
      expect((await sharp(join(out, name!)).metadata()).format, name).toBe(format);
    expect(report.totals).toMatchObject({ done: 3, skipped: 1, failed: 0 });
  });
});

describe('folder grants in the app', () => {
  let picked: Record<'input' | 'output', string | null>;
  let confirmed: boolean;
  let asked: number;
  const dialogs = scriptedDialogs({
    openFolder: async (purpose) => (purpose === 'models' ? null : picked[purpose]),
    confirmOutputInsideInput: async () => {
      asked++;
      return confirmed;
    },
  });
  beforeEach(() => {
    picked = { input: null, output: null };
    confirmed = false;
    asked = 0;
  });
  const start = (h: ReturnType<typeof createHandlers>['calls'], input: string, output: string) =>
    h.startBatch({ input, output, recipe: resize('{name}-small'), ...batchOptions });

  it('a folder picked as input is no output grant, and one picked as output no input grant', async () => {
    const h = createHandlers(engine, dialogs).calls;
    const a = await folderOfPhotos(['x.png']);
    const b = mkdtempSync(join(tmpdir(), 'ganvas-grant-'));
    picked.input = a;
    await h.chooseFolder({ purpose: 'input' });
    await expect(start(h, a, a)).rejects.toThrow(/Choose the output folder/);
    picked.output = b;
    await h.chooseFolder({ purpose: 'output' });
    await expect(start(h, b, a)).rejects.toThrow(/Choose the photos' folder/);
    await expect(start(h, a, b)).resolves.toMatchObject({ batchId: expect.any(String) });
  });

  it('a malformed include or exclude pattern is refused at once, quoted, and the app stays responsive', async () => {
    const h = createHandlers(engine, dialogs).calls;
    const a = await folderOfPhotos(['x.png']);
    const b = mkdtempSync(join(tmpdir(), 'ganvas-pattern-'));
    picked.input = a;
    picked.output = b;
    await h.chooseFolder({ purpose: 'input' });
    await h.chooseFolder({ purpose: 'output' });
    const failures: string[] = [];
    const off = engine.onEvent((e) => e.type === 'batch-failed' && failures.push(e.error.message));
    await h.startBatch({ input: a, output: b, recipe: resize('{name}'), ...batchOptions, exclude: ['**/{rejects'] });
    await h.startBatch({ input: a, output: b, recipe: resize('{name}'), ...batchOptions, include: ['*.{png'] });
    await expect
      .poll(() => failures.sort(), { timeout: 5_000 })
      .toEqual(['The pattern "**/{rejects" is malformed: its "{" is never closed.', 'The pattern "*.{png" is malformed: its "{" is never closed.']);
    off();
    expect(readdirSync(b).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('writing inside the input needs the user’s yes in main’s dialog, whatever the page sends', async () => {
    const h = createHandlers(engine, dialogs).calls;
    const a = await folderOfPhotos(['x.png']);
    picked.input = a;
    picked.output = a;
    await h.chooseFolder({ purpose: 'input' });
    await h.chooseFolder({ purpose: 'output' });
    const events: string[] = [];
    const off = engine.onEvent((e) => e.type === 'batch-failed' && events.push(e.error.message));
    // The page cannot say "allowed" itself: the contract has no such field, and main asks.
    await h.startBatch({ input: a, output: a, recipe: resize('{name}-small'), ...batchOptions, allowInsideInput: true });
    await expect.poll(() => events).toEqual([expect.stringMatching(/inside the input folder/)]);
    expect(asked).toBe(1);
    confirmed = true;
    const { batchId } = await start(h, a, a);
    const done = await new Promise((resolve) => engine.onEvent((e) => e.type === 'batch-done' && e.batchId === batchId && resolve(e.report)));
    off();
    expect(done).toMatchObject({ totals: { done: 1, failed: 0 } });
    expect(readdirSync(a).sort()).toEqual(['.ganvas-batch', 'ganvas-batch-report.json', 'x-small.jpg', 'x.png']);
  });
});

describe.skipIf(!smallDiskSupport.ok)(`a full disk ${smallDiskSupport.reason}`, () => {
  it('a batch stops at the first "disk full", reports why, and leaves no partial output', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}.png`);
    const dir = await folderOfPhotos(names);
    const disk = smallDisk(160 * 1024);
    try {
      const big = recipeSchema.parse({ name: 'big', steps: [{ tool: 'enhance', params: { scale: 2 } }], output: { format: 'tiff', naming: '{name}' } });
      const report = await engine.batches.start({ ...batchOptions, concurrency: 1, input: dir, output: disk.dir, recipe: big }).done;
      expect(report.stoppedBecause).toMatch(/output disk is full/);
      expect(report.totals.done).toBeGreaterThan(0);
      // Stopped early: later files were never run through the network.
      expect(report.inferenceRuns).toBeLessThan(names.length);
      expect(report.files.filter((f) => f.status === 'queued').length).toBeGreaterThan(0);
      const failed = report.files.filter((f) => f.status === 'failed');
      expect(failed.length).toBeLessThanOrEqual(1);
      for (const f of failed) expect(f.reason).toMatch(/disk is full/);
      // What is there is whole: no temp file, every output decodes.
      const left = readdirSync(disk.dir, { recursive: true }).map(String);
      expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      for (const f of report.files.filter((x) => x.status === 'done')) expect((await sharp(join(disk.dir, f.output!)).metadata()).width).toBe(128);
    } finally {
      disk.free();
    }
  });

  it('export and project save on a full disk say so, name the user’s file, and leave nothing behind', async () => {
    const disk = smallDisk(64 * 1024);
    try {
      const { id } = await engine.open(photo('chelsea.png'));
      await expect(engine.document(id).export(join(disk.dir, 'cat.png'), { format: 'png', quality: 90, bitDepth: 8 })).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: 'Could not write cat.png: the disk is full.',
      });
      await expect(engine.document(id).saveProject(join(disk.dir, 'cat.ganvas'))).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: 'Could not save cat.ganvas: the disk is full.',
      });
      await expect(engine.document(id).export(join(disk.dir, 'missing', 'cat.png'), { format: 'png', quality: 90, bitDepth: 8 })).rejects.toThrow(
        /Could not write cat\.png: the folder .*missing does not exist/,
      );
      expect(readdirSync(disk.dir)).toEqual([]);
      await engine.close(id);
    } finally {
      disk.free();
    }
  });
});
