/**
 * The bad-input corpus of symbolic links: folders and files that are not where their names say.
 * Whatever the links, a batch, the CLI and the app never write over an original, never write or
 * read outside the folders the user chose, and never take their own outputs as inputs. Every
 * canary (an original, a file outside) is byte-identical afterwards.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../electron/engine/batch/journal.js';
import { recipeSchema } from '../../electron/engine/batch/recipe.js';
import { createHandlers } from '../../electron/ipc/handlers.js';
import { scriptedDialogs } from '../support/dialogs.js';
import { testEngine } from '../support/engine.js';
import { cli, photo, testModelsDir } from '../support/paths.js';

const engine = testEngine();
afterAll(() => engine.dispose());

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** Every file under `dir` (links not followed) with its digest. */
function digests(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [join(e.parentPath, e.name), sha(join(e.parentPath, e.name))]),
  );
}
const small = recipeSchema.parse({ name: 'small', steps: [{ tool: 'resize', params: { longSide: 16 } }], output: { naming: '{name}-{recipe}' } });
const options = { recursive: true, include: [], exclude: [], extensions: [], skipExisting: false, concurrency: 1 };
const ganvas = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir }, timeout: 60_000 });

async function photos(dir: string, names: string[]): Promise<string> {
  for (const name of names) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    await sharp(photo('coffee.png')).resize(48).toFile(join(dir, name));
  }
  return dir;
}
const fresh = (name: string) => mkdtempSync(join(tmpdir(), `ganvas-links-${name}-`));

describe('an output folder that is a link to the input folder', () => {
  it('is inside the input: a batch refuses it (engine and CLI) and every original stays as it was', async () => {
    const root = fresh('alias');
    const input = await photos(join(root, 'in'), ['a.png', 'b.jpg']);
    symlinkSync(input, join(root, 'out'));
    const before = digests(input);
    await expect(engine.batches.start({ ...options, input, output: join(root, 'out'), recipe: small }).done).rejects.toThrow(
      /The output folder is inside the input folder/,
    );
    const cliRun = ganvas('batch', input, join(root, 'out'), '--resize', '16');
    expect(cliRun.stderr).toMatch(/The output folder is inside the input folder/);
    expect(cliRun.status).not.toBe(0);
    // Allowed by the user, the outputs get names of their own: the originals are still not replaced.
    const allowed = ganvas('batch', input, join(root, 'out'), '--resize', '16', '--name', '{name}', '--allow-inside-input');
    expect(allowed.status, allowed.stderr).toBe(0);
    for (const [path, digest] of Object.entries(before)) expect(sha(path), path).toBe(digest);
  });

  it('the app asks the inside-the-input question for it, and refuses without a yes', async () => {
    const root = fresh('ipc');
    const input = await photos(join(root, 'in'), ['x.png']);
    symlinkSync(input, join(root, 'out'));
    let asked = 0;
    const picks: (string | null)[] = [input, join(root, 'out')];
    const dialogs = scriptedDialogs({
      openFolder: async () => picks.shift() ?? null,
      confirmOutputInsideInput: async () => (asked++, false),
    });
    const h = createHandlers(engine, dialogs).calls;
    await h.chooseFolder({ purpose: 'input' });
    await h.chooseFolder({ purpose: 'output' });
    const before = digests(input);
    const failures: string[] = [];
    const off = engine.onEvent((e) => e.type === 'batch-failed' && failures.push(e.error.message));
    await h.startBatch({ input, output: join(root, 'out'), recipe: small, ...options });
    await expect.poll(() => failures).toEqual([expect.stringMatching(/inside the input folder/)]);
    off();
    expect(asked).toBe(1);
    expect(digests(input)).toEqual(before);
  });
});

describe('links inside the chosen folders', () => {
  it('`--overwrite` through a link to the photo’s folder still never replaces the original', async () => {
    const root = fresh('overwrite');
    const dir = await photos(join(root, 'dir'), ['p.png']);
    symlinkSync(dir, join(root, 'alias'));
    const before = sha(join(dir, 'p.png'));
    const r = ganvas('lowlight', join(dir, 'p.png'), '--model', 'sci-easy', '-o', join(root, 'alias', 'p.png'), '--overwrite');
    expect(r.stderr).toMatch(/would overwrite the original/);
    expect(r.status).toBe(2);
    expect(sha(join(dir, 'p.png'))).toBe(before);
  });

  it('an output folder holding a link that leads out: nothing is written through it, the rest is done', async () => {
    const root = fresh('escape');
    const input = await photos(join(root, 'in'), ['a.png', 'sub/c.png']);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'canary.txt'), 'mine');
    const output = join(root, 'out');
    mkdirSync(output);
    symlinkSync(elsewhere, join(output, 'sub'));
    const report = await engine.batches.start({ ...options, input, output, recipe: small }).done;
    expect(report.files.find((f) => f.input === 'a.png')).toMatchObject({ status: 'done' });
    expect(report.files.find((f) => f.input === 'sub/c.png')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/c-small\.png would be written outside the output folder .*a link on its way leads out/),
    });
    expect(readdirSync(elsewhere)).toEqual(['canary.txt']);
  });

  it('an output folder whose journal folder is a link that leads out: the batch refuses it before any work', async () => {
    const root = fresh('journal');
    const input = await photos(join(root, 'in'), ['a.png']);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const output = join(root, 'out');
    mkdirSync(output);
    symlinkSync(elsewhere, join(output, '.ganvas-batch'));
    await expect(engine.batches.start({ ...options, input, output, recipe: small }).done).rejects.toThrow(/leads outside the output folder/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(output)).toEqual(['.ganvas-batch']);
  });

  it('a batch journal that is a link: refused, the file it points at untouched', async () => {
    const root = fresh('journal-file');
    const input = await photos(join(root, 'in'), ['a.png']);
    const output = join(root, 'out');
    mkdirSync(join(output, '.ganvas-batch'), { recursive: true });
    writeFileSync(join(root, 'diary.txt'), 'mine');
    symlinkSync(join(root, 'diary.txt'), join(output, '.ganvas-batch', `journal-${Journal.key({ input, output, recipe: small })}.jsonl`));
    await expect(engine.batches.start({ ...options, input, output, recipe: small }).done).rejects.toThrow(/is a link, which a batch never writes through/);
    expect(readFileSync(join(root, 'diary.txt'), 'utf8')).toBe('mine');
  });

  it('an input folder holding a link to the output folder: outputs are never taken as inputs, however often it runs', async () => {
    const root = fresh('loop');
    const input = await photos(join(root, 'in'), ['a.png']);
    const output = join(root, 'results');
    mkdirSync(output);
    symlinkSync(output, join(input, 'results'));
    for (let run = 0; run < 3; run++) {
      const report = await engine.batches.start({ ...options, input, output, recipe: small }).done;
      expect(report.files.map((f) => f.input)).toEqual(['a.png']);
    }
    expect(
      readdirSync(output)
        .filter((n) => !n.startsWith('.'))
        .sort(),
    ).toEqual(['a-small.png', 'ganvas-batch-report.json']);
  });

  it('an input folder holding links that lead out of it: left out and listed, the file behind them never read', async () => {
    const root = fresh('input-out');
    const input = await photos(join(root, 'in'), ['a.png']);
    const outside = await photos(join(root, 'private'), ['secret.png']);
    symlinkSync(outside, join(input, 'private'));
    symlinkSync(join(outside, 'secret.png'), join(input, 'also-secret.png'));
    const output = fresh('input-out-results');
    const report = await engine.batches.start({ ...options, input, output, recipe: small }).done;
    expect(report.files.map((f) => [f.input, f.status, f.reason ?? null])).toEqual([
      ['a.png', 'done', null],
      ['also-secret.png', 'skipped', 'a link that leads outside the input folder'],
      ['private', 'skipped', 'a link that leads outside the input folder'],
    ]);
    expect(readdirSync(output).filter((n) => n.endsWith('.png'))).toEqual(['a-small.png']);
  });
});

describe('an autosave record that names a file that is not its project', () => {
  it('restore, then Save, asks where to save instead of writing over it (a link to notes.txt, or notes.txt itself)', async () => {
    const root = fresh('recovery');
    const notes = join(root, 'notes.txt');
    writeFileSync(notes, 'my notes');
    symlinkSync(notes, join(root, 'project.ganvas'));
    for (const projectPath of [join(root, 'project.ganvas'), notes]) {
      const dataDir = fresh('recovery-data');
      const first = testEngine({ dataDir });
      const { id } = await first.open(photo('chelsea.png'));
      await first.document(id).apply('setLayerProps', first.document(id).doc.layers[0]!.id, { opacity: 0.5 });
      await first.document(id).autosave();
      const recovery = join(dataDir, 'recovery');
      const record = join(
        recovery,
        readdirSync(recovery).find((n) => n.endsWith('.json'))!,
      );
      // As a crashed session (a process that has ended) would have left it, with a planted path.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, 'utf8')), projectPath, pid: dead }));
      const next = testEngine({ dataDir });
      try {
        const [offer] = await next.recoverable();
        const restored = await next.restore(offer!.key);
        expect(restored.projectPath).toBeNull();
        await expect(next.document(restored.id).saveProject()).rejects.toThrow(/has not been saved as a project yet; choose a file name/);
      } finally {
        await next.dispose();
        await first.dispose();
      }
      expect(readFileSync(notes, 'utf8')).toBe('my notes');
    }
  });
});

describe('temporary files', () => {
  it('export never removes a file of the user whose name looks like an old temporary file', async () => {
    const dir = fresh('temps');
    writeFileSync(join(dir, '.report.99999-0badf00d.tmp'), 'the user’s own');
    const r = ganvas('export', photo('chelsea.png'), '-o', join(dir, 'out.png'));
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, '.report.99999-0badf00d.tmp'))).toBe(true);
  });
});
