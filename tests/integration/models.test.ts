import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../electron/engine/info.js';
import { loadCatalog, type Catalog, type ModelEntry } from '../../electron/engine/models/catalog.js';
import { ModelManager, type ModelEvent } from '../../electron/engine/models/manager.js';
import { ModelStore } from '../../electron/engine/models/store.js';
import type { ToolId } from '../../electron/engine/tools/specs.js';
import { modelMirror, repoRoot, photo } from '../support/paths.js';
import { testEngine } from '../support/engine.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';
import { externalFloatTensor, FLOAT, floatTensor, model, node, valueInfo } from '../support/tiny-onnx.js';

const bundled = join(repoRoot, 'models');
const fresh = (prefix: string) => mkdtempSync(join(tmpdir(), `ganvas-${prefix}-`));

describe('the models that ship in the repository', () => {
  const catalog = loadCatalog();

  it('every catalog model of at most 10 MB with a redistributable licence is bundled, at its catalog path, with its catalog sha256', () => {
    for (const m of catalog.models) {
      const shouldShip = m.bytes !== null && m.bytes <= 10e6 && (m.availability === 'mirror' || m.availability === 'bundled');
      expect(m.bundled, m.id).toBe(shouldShip);
      if (!m.bundled) {
        expect(existsSync(join(bundled, m.file)), m.id).toBe(false);
        continue;
      }
      const bytes = readFileSync(join(bundled, m.file));
      expect(bytes.length, m.id).toBe(m.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), m.id).toBe(m.sha256);
    }
    // Nothing else heavy sneaks in, and each shipped model's licence is named in the notice.
    const notice = readFileSync(join(bundled, 'NOTICE.md'), 'utf8');
    for (const m of catalog.models.filter((x) => x.bundled)) expect(notice, m.id).toContain(m.file.split('/')[1]!.replace('.onnx', '').split('_')[0]!);
    for (const f of readdirSync(bundled, { recursive: true }).map(String))
      if (f.endsWith('.onnx')) expect(statSync(join(bundled, f)).size, f).toBeLessThanOrEqual(10e6);
  });

  it('a fresh engine with an empty models folder finds them all: Enhance, Style, Low light, Erase and Extend run', async () => {
    const engine = testEngine({ modelsDir: fresh('empty-models') });
    try {
      const listing = await engine.models.list();
      expect(
        listing
          .filter((m) => m.state === 'bundled')
          .map((m) => m.id)
          .sort(),
      ).toEqual(
        catalog.models
          .filter((m) => m.bundled)
          .map((m) => m.id)
          .sort(),
      );
      const file = join(fresh('photo'), 'cup.png');
      await sharp(photo('coffee.png')).resize(96, 64).toFile(file);
      const doc = await engine.open(file);
      const layer = doc.layers[0]!.id;
      const run = async (tool: ToolId, params: object) => {
        const end = await engine.tools.waitFor(engine.tools.run(doc.id, layer, tool, params));
        expect(end.type, `${tool}: ${JSON.stringify(end)}`).toBe('job-done');
      };
      await run('enhance', { scale: 2 });
      await run('style', { style: 'monet' });
      await run('lowlight', { model: 'iat_lol' });
      await engine.document(doc.id).selectShape({ kind: 'rect', rect: { x: 30, y: 20, width: 20, height: 16 } }, 255);
      await run('erase', {});
      await run('extend', { right: 24 });
      expect(engine.document(doc.id).info().layers.length).toBe(6);
    } finally {
      await engine.dispose();
    }
  });

  it('prefers the user’s installed copy of a model over the bundled one', async () => {
    const dir = fresh('user-models');
    const m = catalog.models.find((x) => x.id === 'sci_easy')!;
    cpSync(join(bundled, m.file), join(dir, 'sci_easy.onnx'));
    const store = new ModelStore(catalog, dir, { bundledDir: bundled });
    expect((await store.status(m, false)).state).toBe('installed');
    await expect(store.resolve('sci_easy')).resolves.toBe(join(dir, 'sci_easy.onnx'));
    expect(
      (
        await store.status(
          catalog.models.find((x) => x.id === 'sci_medium')!,
          false,
        )
      ).state,
    ).toBe('bundled');
  });

  it('hashes a bundled model once per version of its file, not at every start', async () => {
    const copy = fresh('bundled-copy');
    cpSync(bundled, copy, { recursive: true });
    const cache = join(fresh('cache'), 'verified-models.json');
    const open = () => new ModelStore(catalog, fresh('user'), { bundledDir: copy, verifiedCache: cache });
    const file = join(copy, 'lowlight', 'sci_easy.onnx');
    // A whole-second time, so setting it back below is exact.
    const mtime = new Date('2026-01-02T03:04:05Z');
    utimesSync(file, mtime, mtime);
    await open().resolve('sci_easy');
    expect(Object.keys(JSON.parse(readFileSync(cache, 'utf8')) as object)).toContain(file);
    // Same size and time, other bytes: a second start trusts its record and does not hash again.
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(file, bytes);
    utimesSync(file, mtime, mtime);
    await expect(open().resolve('sci_easy')).resolves.toBe(file);
    // A new version of the file (its time changed) is hashed again, and the damage is found.
    utimesSync(file, new Date(), new Date());
    await expect(open().resolve('sci_easy')).rejects.toThrow(/failed verification \(sha256/);
  });
});

describe('downloads from the catalog URL', () => {
  const bytes = readFileSync(join(bundled, 'lowlight', 'iat_lol.onnx'));
  let server: Server;
  let base = '';
  /** Per request: how many bytes to send before pausing (to cancel) or dropping. */
  let behaviour: 'whole' | 'slow' = 'whole';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
      const from = m ? Number(m[1]) : 0;
      const body = bytes.subarray(from);
      res.writeHead(m ? 206 : 200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
      if (behaviour === 'whole') return void res.end(body);
      // Slowly, in pieces, so a test can cancel part-way.
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(body.subarray(at, at + 16_384));
        at += 16_384;
        if (at >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** A catalog whose one downloadable model is IAT served by the local server. */
  const catalogWith = (entry: Partial<ModelEntry> = {}): Catalog => {
    const base0 = loadCatalog().models.find((m) => m.id === 'iat_lol')!;
    return { version: 1, models: [{ ...base0, id: 'iat_download', bundled: false, availability: 'download', url: `${base}/iat.onnx`, ...entry }] };
  };
  const managerFor = (catalog: Catalog, dir = fresh('dl')) => {
    const events: ModelEvent[] = [];
    let changed = 0;
    const manager = new ModelManager(
      new ModelStore(catalog, dir),
      (e) => events.push(e),
      () => changed++,
    );
    return { manager, events, dir, changes: () => changed };
  };

  it('reports progress with speed and time left, cancels keeping what it has, and resumes to a verified file', async () => {
    const { manager, events, dir, changes } = managerFor(catalogWith());
    behaviour = 'slow';
    manager.download('iat_download');
    const progress = () => events.filter((e): e is Extract<ModelEvent, { type: 'model-progress' }> => e.type === 'model-progress').map((e) => e.progress);
    await expect.poll(() => progress().some((p) => p.bytesPerSecond !== null)).toBe(true);
    expect((await manager.list()).find((m) => m.id === 'iat_download')).toMatchObject({ state: 'downloading', progress: { bytesTotal: bytes.length } });
    const moving = progress().at(-1)!;
    expect(moving.bytesPerSecond).toBeGreaterThan(0);
    expect(moving.etaSeconds).toBeGreaterThan(0);
    manager.cancelDownload('iat_download');
    await expect.poll(() => events.some((e) => e.type === 'model-download-failed')).toBe(true);
    expect(events.find((e) => e.type === 'model-download-failed')).toMatchObject({
      error: { code: 'CANCELLED', message: expect.stringMatching(/cancelled; .* kept to resume later/) },
    });
    expect(existsSync(join(dir, 'iat_lol.onnx'))).toBe(false);
    const kept = statSync(join(dir, 'iat_lol.onnx.part')).size;
    expect(kept).toBeGreaterThan(0);
    behaviour = 'whole';
    await manager.download('iat_download').done;
    expect(readFileSync(join(dir, 'iat_lol.onnx')).equals(bytes)).toBe(true);
    expect(existsSync(join(dir, 'iat_lol.onnx.part'))).toBe(false);
    expect((await manager.list()).find((m) => m.id === 'iat_download')!.state).toBe('installed');
    expect(changes()).toBe(1);
  });

  it('refuses a file whose sha256 is not the catalog’s and leaves nothing behind', async () => {
    const { manager, dir } = managerFor(catalogWith({ sha256: 'f'.repeat(64) }));
    await expect(manager.download('iat_download').done).rejects.toThrow(
      /Refused to install "iat_download": its sha256 is [0-9a-f]{64}, expected f{64}\. The file was discarded/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(!smallDiskSupport.ok)('checks the disk space first, and says when the folder cannot be written', async () => {
    const disk = smallDisk(128 * 1024);
    try {
      const { manager } = managerFor(catalogWith(), join(disk.dir, 'models'));
      await expect(manager.download('iat_download').done).rejects.toThrow(/Not enough disk space for ".*": it needs 0\.4 MB and .* has 0\.1 MB free/);
      const ro = smallDisk(64 * 1024);
      try {
        const { execFileSync } = await import('node:child_process');
        execFileSync('mount', ['-o', 'remount,ro', ro.dir]);
        const { manager: m2 } = managerFor(catalogWith(), join(ro.dir, 'models'));
        await expect(m2.download('iat_download').done).rejects.toThrow(/The models folder .* cannot be created: the disk is read-only/);
      } finally {
        ro.free();
      }
    } finally {
      disk.free();
    }
  });

  it('install from a missing folder is one clear error', async () => {
    const { manager } = managerFor(loadCatalog());
    await expect(manager.installFromFolder('/no/such/folder')).rejects.toThrow(
      /^The folder \/no\/such\/folder does not exist; choose the folder that holds the models\.$/,
    );
  });
});

/** A ×4 network with Enhance's signature: nearest-neighbour upscaling. */
const nearestX4 = (scale = 4, inputName = 'input') =>
  model({
    inputs: [valueInfo(inputName, FLOAT, [1, 3, 'H', 'W'])],
    outputs: [valueInfo('output', FLOAT, [1, 3, 'H4', 'W4'])],
    initializers: [floatTensor('scales', [4], [1, 1, scale, scale])],
    nodes: [node('Resize', [inputName, '', 'scales'], ['output'])],
  });

describe('your own ONNX', () => {
  const dir = fresh('custom');
  const engine = testEngine({ modelsDir: join(dir, 'models') });
  afterAll(() => engine.dispose());
  const write = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };

  it('a model that fits Enhance’s contract is added, listed and used', async () => {
    const added = await engine.models.addCustom('superres', write('nearest.onnx', nearestX4()), 'Nearest ×4');
    expect(added).toMatchObject({ id: 'custom-superres-nearest-4', state: 'installed', custom: true, usedBy: ['Enhance'] });
    expect((await engine.models.list('superres')).map((m) => m.id)).toContain(added.id);
    const file = join(dir, 'small.png');
    await sharp(photo('chelsea.png')).resize(40, 30).toFile(file);
    const doc = await engine.open(file);
    const events: EngineEvent[] = [];
    engine.onEvent((e) => events.push(e));
    const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { scale: 4, model: added.id }));
    expect(end.type, JSON.stringify(end)).toBe('job-done');
    const info = engine.document(doc.id).info();
    expect([info.width, info.height]).toEqual([160, 120]);
    expect(info.layers.at(-1)!.modelId).toBe(added.id);
    // Nearest ×4: each source pixel became a 4×4 block of itself.
    const result = engine.document(doc.id).doc.layers.at(-1)!.raster;
    const source = engine.document(doc.id).doc.layers[0]!.raster;
    expect([...result.data.subarray((5 * 4 * 160 + 7 * 4) * 3, (5 * 4 * 160 + 7 * 4) * 3 + 3)]).toEqual([
      ...source.data.subarray((5 * 40 + 7) * 3, (5 * 40 + 7) * 3 + 3),
    ]);
    // Remove takes it out of the list and off the disk; a new engine does not see it.
    await engine.models.remove(added.id);
    expect((await engine.models.list('superres')).map((m) => m.id)).not.toContain(added.id);
    expect(readdirSync(join(dir, 'models')).filter((n) => n.endsWith('.onnx'))).toEqual([]);
  });

  it('a model that does not fit is refused with what does not match', async () => {
    await expect(engine.models.addCustom('superres', write('x2.onnx', nearestX4(2)), 'Twice')).rejects.toThrow(
      /x2\.onnx does not fit Enhance: from a 32×32 image its output “output” is \[1, 3, 64, 64\]; Enhance needs \[1, 3, 128, 128\] \(×4\)\./,
    );
    await expect(engine.models.addCustom('superres', write('named.onnx', nearestX4(4, 'image')), 'Named')).rejects.toThrow(
      /named\.onnx does not fit Enhance: its inputs are “image”; Enhance models have “input”\./,
    );
    await expect(engine.models.addCustom('lowlight', write('junk.onnx', Buffer.from('junk')), 'Junk')).rejects.toThrow(
      /junk\.onnx is not an ONNX model ONNX Runtime can load/,
    );
    expect(readdirSync(join(dir, 'models')).filter((n) => n.endsWith('.onnx'))).toEqual([]);
  });

  it('a model whose weights lie in a separate file (ONNX external data) is refused at add, with the reason', async () => {
    const weights = new Float32Array([1, 1, 4, 4]);
    writeFileSync(join(dir, 'weights.bin'), weights);
    const external = model({
      inputs: [valueInfo('input', FLOAT, [1, 3, 'H', 'W'])],
      outputs: [valueInfo('output', FLOAT, [1, 3, 'H4', 'W4'])],
      initializers: [externalFloatTensor('scales', [4], 'weights.bin', weights.byteLength)],
      nodes: [node('Resize', ['input', '', 'scales'], ['output'])],
    });
    await expect(engine.models.addCustom('superres', write('external.onnx', external), 'External')).rejects.toThrow(
      /external\.onnx keeps its weights in a separate file \(ONNX external data\), and Ganvas takes a model as one file/,
    );
    expect(readdirSync(join(dir, 'models')).filter((n) => n.endsWith('.onnx'))).toEqual([]);
  });

  it.skipIf(!smallDiskSupport.ok)('adding into a full or read-only models folder says so, with the folder', async () => {
    const file = write('fits.onnx', nearestX4());
    const full = smallDisk(16 * 1024);
    const ro = smallDisk(16 * 1024);
    try {
      mkdirSync(join(full.dir, 'models'));
      writeFileSync(join(full.dir, 'filler'), Buffer.alloc(16 * 1024 - 512));
      const onFull = testEngine({ modelsDir: join(full.dir, 'models') });
      await expect(onFull.models.addCustom('superres', file, 'Full')).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/fits\.onnx cannot be added to the models folder .*models: the disk is full/),
      });
      await onFull.dispose();
      mkdirSync(join(ro.dir, 'models'));
      (await import('node:child_process')).execFileSync('mount', ['-o', 'remount,ro', ro.dir]);
      const onRo = testEngine({ modelsDir: join(ro.dir, 'models') });
      await expect(onRo.models.addCustom('superres', file, 'Read-only')).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/fits\.onnx cannot be added to the models folder .*models: the disk is read-only/),
      });
      await onRo.dispose();
      expect(readdirSync(join(full.dir, 'models'))).toEqual([]);
    } finally {
      full.free();
      ro.free();
    }
  });

  it('installing from a folder without naming models takes what it holds; the models it lacks are not failures', async () => {
    const folder = join(dir, 'mirror');
    mkdirSync(join(folder, 'superres'), { recursive: true });
    symlinkSync(join(modelMirror, 'superres', 'realesrgan-x4plus.onnx'), join(folder, 'superres', 'realesrgan-x4plus.onnx'));
    const own = testEngine({ modelsDir: join(dir, 'install-from') });
    const { installed, failed } = await own.models.installFromFolder(folder);
    expect({ installed, failed }).toEqual({ installed: ['realesrgan-x4plus'], failed: [] });
    await own.dispose();
  });

  it('a bundled model cannot be removed, and a tool refuses a model of another task', async () => {
    await expect(engine.models.remove('iat_lol')).rejects.toThrow(/comes with Ganvas and cannot be removed/);
    const doc = await engine.open(photo('coffee.png'));
    expect(() => engine.tools.run(doc.id, doc.layers[0]!.id, 'lowlight', { model: 'realesr-general-x4v3' })).toThrow(/is not a model for Low light/);
    expect(() => engine.tools.run(doc.id, doc.layers[0]!.id, 'enhance', { quality: 'hq' })).toThrow(/is not installed\. It comes from/);
    // Refused before any work: the document is as it was.
    expect(engine.document(doc.id).info().layers).toHaveLength(1);
  });
});
