import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPathBeside } from '../../electron/engine/atomic-file.js';
import type { BatchReport } from '../../electron/engine/batch/batch.js';
import { recipeSchema } from '../../electron/engine/batch/recipe.js';
import { testEngine } from '../support/engine.js';
import { cli, photo, testModelsDir } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ganvas-batch-'));
const tree = join(tmp, 'in');
const engine = testEngine({ open: { limitInputPixels: 200 * 200 } });
afterAll(() => engine.dispose());
const env = { ...process.env, GANVAS_MODELS_DIR: testModelsDir };

/** Every file under a folder with its sha256: to prove the inputs were not touched. */
function checksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[relative(dir, p)] = 'link';
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const good: { rel: string; width: number; height: number; exif: boolean }[] = [];
const bad: Record<string, RegExp> = {};
const system = ['Thumbs.db', '.DS_Store', 'a/desktop.ini', '.hidden.jpg', 'b/.cache/x.png'];

beforeAll(async () => {
  const sources = await Promise.all(
    ['chelsea.png', 'coffee.png', 'rocket.jpg', 'astronaut.png'].map((n) => sharp(photo(n)).resize(48, 36, { fit: 'fill' }).raw().toBuffer()),
  );
  // 220 good images in nested folders, in three formats, some with EXIF and a P3 profile.
  for (let i = 0; i < 220; i++) {
    const folder = ['', 'a', 'a/deep', 'b', 'b/c/d'][i % 5]!;
    const ext = ['png', 'jpg', 'webp'][i % 3]!;
    const rel = `${folder ? `${folder}/` : ''}img-${String(i).padStart(3, '0')}.${ext}`;
    mkdirSync(join(tree, folder), { recursive: true });
    const width = 32 + (i % 7) * 4,
      height = 24 + (i % 5) * 4;
    let img = sharp(sources[i % 4]!, { raw: { width: 48, height: 36, channels: 3 } }).resize(width, height, { fit: 'fill' });
    const exif = i % 4 === 0;
    if (exif) img = img.withExif({ IFD0: { Artist: `Photographer ${i}`, Copyright: 'CC BY 4.0' } }).withIccProfile('p3');
    await (ext === 'png' ? img.png() : ext === 'jpg' ? img.jpeg() : img.webp()).toFile(join(tree, rel));
    good.push({ rel, width, height, exif });
  }
  const addBad = (rel: string, bytes: Buffer | string, reason: RegExp) => {
    mkdirSync(join(tree, rel, '..'), { recursive: true });
    writeFileSync(join(tree, rel), bytes);
    bad[rel] = reason;
  };
  const png = readFileSync(join(tree, good[0]!.rel));
  addBad('a/zero.png', '', /empty \(0 bytes\)/);
  addBad('b/truncated.png', png.subarray(0, Math.floor(png.length / 2)), /damaged or truncated/);
  addBad('b/c/corrupt.jpg', Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)), /truncated\.png|corrupt\.jpg|cannot/);
  // Not a photo by its name: left alone and listed as skipped, not failed.
  writeFileSync(join(tree, 'notes.txt'), 'not a photo');
  symlinkSync(join(tree, 'nowhere.jpg'), join(tree, 'a', 'dangling.jpg'));
  bad['a/dangling.jpg'] = /dangling\.jpg cannot be opened/;
  addBad(
    'a/huge.png',
    await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
    /too large/,
  );
  for (const s of system) {
    mkdirSync(join(tree, s, '..'), { recursive: true });
    writeFileSync(join(tree, s), 'system file');
  }
});

const recipe = recipeSchema.parse({
  name: 'bright',
  steps: [{ tool: 'lowlight', params: { model: 'sci_easy' } }],
  output: { format: 'jpeg', quality: 90, naming: '{name}-{recipe}' },
});

describe('a batch over a tree of 220 photos and broken files', () => {
  let report: BatchReport;
  const out = join(tmp, 'out');
  let before: Record<string, string>;

  beforeAll(async () => {
    before = checksums(tree);
    report = await engine.batches.start({
      input: tree,
      output: out,
      recipe,
      recursive: true,
      include: [],
      exclude: [],
      extensions: [],
      skipExisting: false,
      concurrency: 2,
    }).done;
  });

  it('produces every good file with the right name, size and metadata', async () => {
    expect(report.totals).toMatchObject({ files: 221 + Object.keys(bad).length, done: 220, failed: Object.keys(bad).length, skipped: 1 });
    expect(report.files.find((f) => f.input === 'notes.txt')).toMatchObject({ status: 'skipped', output: null, reason: 'not a photo (.txt)' });
    for (const g of good) {
      const outRel = g.rel.replace(/\.(png|jpg|webp)$/, '-bright.jpg');
      expect(report.files.find((f) => f.input === g.rel)).toMatchObject({ status: 'done', output: outRel });
      const md = await sharp(join(out, outRel)).metadata();
      expect([md.format, md.width, md.height]).toEqual(['jpeg', g.width, g.height]);
      expect(md.xmp?.toString()).toContain('compositeWithTrainedAlgorithmicMedia');
      if (g.exif) {
        expect(md.exif?.toString('latin1')).toContain(`Photographer ${good.indexOf(g)}`);
        expect(md.icc?.length).toBeGreaterThan(100);
      }
    }
  });

  it('reports every bad file with its reason, and never lists system or hidden files', () => {
    for (const [rel, reason] of Object.entries(bad)) {
      const f = report.files.find((x) => x.input === rel)!;
      expect(f.status, rel).toBe('failed');
      expect(f.reason).toMatch(reason);
    }
    for (const s of system) expect(report.files.some((f) => f.input === s)).toBe(false);
    const written = JSON.parse(readFileSync(join(out, 'ganvas-batch-report.json'), 'utf8')) as BatchReport;
    expect(written.totals).toEqual(report.totals);
  });

  it('leaves every input byte-identical and writes nothing inside the input folder', () => {
    expect(checksums(tree)).toEqual(before);
  });

  it('refuses an output folder inside the input folder unless asked', async () => {
    await expect(
      engine.batches.start({
        input: tree,
        output: join(tree, 'out'),
        recipe,
        recursive: true,
        include: [],
        exclude: [],
        extensions: [],
        skipExisting: false,
        concurrency: 1,
      }).done,
    ).rejects.toThrow(/inside the input folder/);
  });

  it('skip existing skips the compute: no network runs at all', async () => {
    rmSync(join(out, '.ganvas-batch'), { recursive: true });
    const again = await engine.batches.start({
      input: tree,
      output: out,
      recipe,
      recursive: true,
      include: [],
      exclude: [],
      extensions: [],
      skipExisting: true,
      concurrency: 2,
    }).done;
    expect(again.totals.skipped).toBe(221);
    expect(again.inferenceRuns).toBe(0);
  });

  it('include, exclude and formats narrow the batch', async () => {
    const narrow = await engine.batches.start({
      input: tree,
      output: join(tmp, 'narrow'),
      recipe,
      recursive: true,
      include: ['a/**'],
      exclude: ['**/deep/**'],
      extensions: ['png'],
      skipExisting: false,
      concurrency: 2,
    }).done;
    const expected = good.filter((g) => g.rel.startsWith('a/') && !g.rel.startsWith('a/deep/') && g.rel.endsWith('.png')).length;
    expect(narrow.totals.done).toBe(expected);
    expect(narrow.files.every((f) => f.input.startsWith('a/') && !f.input.includes('deep') && f.input.endsWith('.png'))).toBe(true);
  });
});

describe('resume after the batch process is killed', () => {
  it('SIGKILL part-way, run again: each file processed exactly once overall', async () => {
    const out = join(tmp, 'resume');
    const args = [cli, 'batch', tree, out, '--recursive', '--enhance', '2', '--format', 'png', '--concurrency', '2'];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let done = 0;
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        done += d
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('done')).length;
        if (done >= 25) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((r) => child.once('exit', r));
    // What a kill in the middle of writing an output leaves: a half-written temporary file of the dead process.
    const unfinished = join(
      out,
      good.map((g) => g.rel.replace(/\.(png|jpg|webp)$/, '.png')).find((rel) => !existsSync(join(out, rel)))!,
    );
    mkdirSync(dirname(unfinished), { recursive: true });
    writeFileSync(tempPathBeside(unfinished).replace(`-${process.pid}-`, `-${child.pid}-`), 'half a PNG');
    const second = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(second.status).toBe(1); // the broken files fail, every time
    const report = JSON.parse(readFileSync(join(out, 'ganvas-batch-report.json'), 'utf8')) as BatchReport;
    // The CLI has the default pixel limit, so huge.png is just another photo here.
    expect(report.totals.done).toBe(221);
    const journal = readdirSync(join(out, '.ganvas-batch'))
      .map((f) => readFileSync(join(out, '.ganvas-batch', f), 'utf8'))
      .join('');
    const doneCount = new Map<string, number>();
    for (const line of journal.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { rel: string; status: string };
      if (r.status === 'done') doneCount.set(r.rel, (doneCount.get(r.rel) ?? 0) + 1);
    }
    expect([...doneCount.values()].every((n) => n === 1)).toBe(true);
    expect(doneCount.size).toBeGreaterThanOrEqual(221 - 2); // files finished just before the kill may be done without their line
    expect(report.files.filter((f) => f.reason === 'done in an earlier run').length).toBeGreaterThanOrEqual(25);
    for (const g of good) expect(statSync(join(out, g.rel.replace(/\.(png|jpg|webp)$/, '.png'))).size).toBeGreaterThan(0);
    // The output the killed run was writing was written again, and its temporary file is gone.
    expect(readdirSync(out, { recursive: true }).filter((n) => String(n).endsWith('.tmp'))).toEqual([]);
  });
});

describe('a file the journal says was started', () => {
  it('counts as done when its output was written after the start, and is made again when the output is older', async () => {
    const input = join(tmp, 'started-in');
    const out = join(tmp, 'started-out');
    mkdirSync(input, { recursive: true });
    await sharp(photo('coffee.png')).resize(40, 30).png().toFile(join(input, 'cup.png'));
    const options = { input, output: out, recipe, recursive: false, include: [], exclude: [], extensions: [], skipExisting: false, concurrency: 1 };
    const first = await engine.batches.start(options).done;
    // The report says what the network ran on (the tests' engines run on the CPU).
    expect([first.inferenceRuns, first.devices]).toEqual([1, ['CPU']]);
    const journal = join(out, '.ganvas-batch', readdirSync(join(out, '.ganvas-batch'))[0]!);
    const outputAt = statSync(join(out, 'cup-bright.jpg')).mtimeMs;
    const startedAt = (ms: number) =>
      writeFileSync(journal, `${JSON.stringify({ rel: 'cup.png', status: 'started', output: 'cup-bright.jpg', at: new Date(ms).toISOString() })}\n`);

    // Killed after the output's rename, before its journal line.
    startedAt(outputAt - 1000);
    const finished = await engine.batches.start(options).done;
    expect([finished.inferenceRuns, finished.files[0]!.reason]).toEqual([0, 'done in an earlier run']);

    // Killed before writing: the output there is from some earlier batch, not this one.
    startedAt(outputAt + 1000);
    const redone = await engine.batches.start(options).done;
    expect([redone.inferenceRuns, redone.totals.done]).toEqual([1, 1]);
  });
});

describe('recipe from my edits', () => {
  it('a document edited with Enhance then Style gives a recipe that reproduces it on that file', async () => {
    const folder = join(tmp, 'one');
    mkdirSync(folder);
    const file = join(folder, 'coffee-small.png');
    await sharp(photo('coffee.png')).resize(120).png().toFile(file);
    const doc = await engine.open(file);
    expect((await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { scale: 2, quality: 'fast' }))).type).toBe('job-done');
    const enhanced = engine.document(doc.id).info().layers.at(-1)!.id;
    expect((await engine.tools.waitFor(engine.tools.run(doc.id, enhanced, 'style', { style: 'vangogh_starry_night', strength: 0.7 }))).type).toBe('job-done');
    const recipe = { ...engine.document(doc.id).recipe(), output: { format: 'png' as const, quality: 90, bitDepth: 8 as const, naming: '{name}' } };
    expect(recipe.steps.map((s) => s.tool)).toEqual(['enhance', 'style']);
    const exported = join(tmp, 'edited.png');
    await engine.document(doc.id).export(exported, { format: 'png', quality: 90, bitDepth: 8 });
    const report = await engine.batches.start({
      input: folder,
      output: join(tmp, 'one-out'),
      recipe,
      recursive: false,
      include: [],
      exclude: [],
      extensions: [],
      skipExisting: false,
      concurrency: 1,
    }).done;
    expect(report.totals.done).toBe(1);
    const [a, b] = await Promise.all([exported, join(tmp, 'one-out', 'coffee-small.png')].map((p) => sharp(p).raw().toBuffer()));
    expect(a!.equals(b!)).toBe(true);
  });
});
