/**
 * The bad-input corpus: every file a user (or a stranger) could hand Ganvas that is not a clean
 * photo, built here by the test. Each gets a clear message naming the file, or a correct result;
 * the corpus itself is byte-identical afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerReader } from '../../electron/engine/project/container.js';
import { LAYER_MEMORY_BUDGET, PROJECT_PIXEL_BUDGET } from '../../electron/engine/project/project.js';
import { cli, photo, testModelsDir } from '../support/paths.js';
import { testEngine } from '../support/engine.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';

const corpus = mkdtempSync(join(tmpdir(), 'ganvas-corpus-'));
const out = mkdtempSync(join(tmpdir(), 'ganvas-corpus-out-'));
chmodSync(out, 0o777);
const engine = testEngine();
const at = (name: string) => join(corpus, name);

/** A PNG made by hand: any header, and optionally no pixel data at all. */
function pngWith(width: number, height: number, idat: Buffer | null): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(idat ? [chunk('IDAT', idat)] : []),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A copy of a good project file with its manifest changed by `edit` (entries keep their bytes). */
async function projectWith(
  good: string,
  name: string,
  edit: (manifest: Record<string, unknown>) => void,
  extra: { entry: string; bytes: Buffer }[] = [],
): Promise<string> {
  const reader = await ContainerReader.open(good);
  const manifest = structuredClone(reader.manifest) as Record<string, unknown> & {
    entries: Record<string, { offset: number; length: number; sha256: string }>;
  };
  await reader.close();
  const bytes = readFileSync(good);
  const manifestAt = Number(bytes.readBigUInt64LE(bytes.length - 16));
  const parts: Uint8Array[] = [bytes.subarray(0, manifestAt)];
  let offset = manifestAt;
  for (const { entry, bytes: data } of extra) {
    manifest.entries[entry] = { offset, length: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    parts.push(data);
    offset += data.length;
  }
  edit(manifest);
  const json = Buffer.from(JSON.stringify(manifest));
  const trailer = Buffer.alloc(16);
  trailer.writeBigUInt64LE(BigInt(offset));
  trailer.write('GVSEND\0\0', 8, 'latin1');
  writeFileSync(at(name), Buffer.concat([...parts, json, trailer]));
  return at(name);
}

function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }).map(String)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    out[name] = st.isSymbolicLink()
      ? `link:${readlinkSync(p)}`
      : st.isFile()
        ? createHash('sha256').update(readFileSync(p)).digest('hex')
        : st.isFIFO()
          ? 'fifo'
          : 'dir';
  }
  return out;
}

let good: string;
let before: Record<string, string>;

beforeAll(async () => {
  const coffee = await sharp(photo('coffee.png')).resize(96, 64).png().toBuffer();
  writeFileSync(at('good.png'), coffee);
  writeFileSync(at('truncated.png'), coffee.subarray(0, coffee.length / 2));
  const jpeg = await sharp(coffee).jpeg().toBuffer();
  writeFileSync(at('truncated.jpg'), jpeg.subarray(0, jpeg.length / 2));
  writeFileSync(at('empty.png'), Buffer.alloc(0));
  writeFileSync(at('noise.png'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(at('letter.jpg'), 'Dear user, this is not a photo.');
  writeFileSync(at('bomb.png'), pngWith(60_000, 60_000, deflateSync(Buffer.alloc(60_001))));
  writeFileSync(at('header-only.png'), pngWith(100, 100, null));
  spawnSync('mkfifo', [at('pipe.png')]);
  mkdirSync(at('folder.png'));
  symlinkSync('loop-b.png', at('loop-a.png'));
  symlinkSync('loop-a.png', at('loop-b.png'));
  symlinkSync('gone.png', at('dangling.png'));
  await sharp(coffee).toColourspace('cmyk').jpeg().toFile(at('cmyk.jpg'));
  await sharp(coffee).toColourspace('rgb16').png().toFile(at('sixteen.png'));
  await sharp(coffee).png({ palette: true, colours: 16 }).toFile(at('palette.png'));
  const pages = await sharp(Buffer.alloc(96 * 192 * 3, 90), { raw: { width: 96, height: 192, channels: 3, pageHeight: 64 } })
    .tiff()
    .toBuffer();
  writeFileSync(at('pages.tif'), pages);
  const frames = await Promise.all(
    ['#c04020', '#20c040', '#2040c0'].map((c) =>
      sharp({ create: { width: 96, height: 64, channels: 3, background: c } })
        .png()
        .toBuffer(),
    ),
  );
  await sharp(frames, { join: { animated: true } })
    .gif()
    .toFile(at('animated.gif'));
  await sharp(coffee).withMetadata({ orientation: 6 }).jpeg().toFile(at('rotated.jpg'));
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#336699' } })
    .png()
    .toFile(at('one-pixel.png'));
  writeFileSync(at('drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="red"/></svg>');
  writeFileSync(at('private.png'), coffee);
  chmodSync(at('private.png'), 0o000);
  // Projects.
  const { id } = await engine.open(at('good.png'));
  good = at('good.ganvas');
  await engine.document(id).saveProject(good);
  await engine.close(id);
  const g = readFileSync(good);
  writeFileSync(at('cut.ganvas'), g.subarray(0, g.length - 100));
  const badHeader = Buffer.from(g);
  badHeader.writeUInt32LE(0x7a3b91c2, 8);
  writeFileSync(at('bad-header.ganvas'), badHeader);
  const newer = Buffer.from(g);
  newer.writeUInt32LE(2, 8);
  writeFileSync(at('newer.ganvas'), newer);
  writeFileSync(
    at('not-json.ganvas'),
    Buffer.concat([
      g.subarray(0, 12),
      Buffer.from('{{{{'),
      (() => {
        const t = Buffer.alloc(16);
        t.writeBigUInt64LE(12n);
        t.write('GVSEND\0\0', 8, 'latin1');
        return t;
      })(),
    ]),
  );
  const layers = (m: Record<string, unknown>) => m.layers as Record<string, { raster: { width: number; height: number; entry: string } }>;
  await projectWith(good, 'huge-canvas.ganvas', (m) => {
    m.canvas = { width: 20_000, height: 20_000 };
  });
  await projectWith(good, 'huge-layer.ganvas', (m) => {
    for (const l of Object.values(layers(m))) Object.assign(l.raster, { width: 20_000, height: 20_000 });
  });
  // Half a megabyte of deflate that inflates to 512 MB, stored where a 96×64 layer's pixels should be.
  const bomb = deflateSync(Buffer.alloc(2 ** 29), { level: 1 });
  await projectWith(
    good,
    'deflate-bomb.ganvas',
    (m) => {
      for (const l of Object.values(layers(m))) l.raster.entry = 'bomb';
    },
    [{ entry: 'bomb', bytes: bomb }],
  );
  await projectWith(good, 'long-entry.ganvas', (m) => {
    const e = m.entries as Record<string, { length: number }>;
    for (const k of Object.keys(e)) e[k]!.length = 2 ** 40;
  });
  await projectWith(good, 'proto.ganvas', (m) => {
    for (const l of Object.values(layers(m))) l.raster.entry = '__proto__';
    Object.defineProperty(m.entries, 'constructor', { value: { offset: 12, length: 5, sha256: 'x' }, enumerable: true });
  });
  await projectWith(good, 'missing-layer.ganvas', (m) => {
    (m.stack as { layerId: string }[])[0]!.layerId = 'layer-404';
  });
  // A PNG carrying 16 MB of EXIF (more than any photo format can write back).
  const ihdrEnd = 8 + 25;
  const exifChunk = (() => {
    const data = Buffer.concat([Buffer.from('MM\0*\0\0\0\x08\0\0', 'latin1'), Buffer.alloc(16 * 2 ** 20 - 10)]);
    const body = Buffer.concat([Buffer.from('eXIf', 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  })();
  writeFileSync(at('big-exif.png'), Buffer.concat([coffee.subarray(0, ihdrEnd), exifChunk, coffee.subarray(ihdrEnd)]));
  // ×4 wider than WebP holds; a photo whose ×4 copy is more than one image can hold.
  await sharp({ create: { width: 4100, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toFile(at('wide.png'));
  await sharp({ create: { width: 20_000, height: 5_000, channels: 3, background: '#406080' } })
    .png({ compressionLevel: 1 })
    .toFile(at('huge.png'));
  // Projects that amplify: many layers of 10000×10000 from one small deflate entry, or each from its own.
  const layerBytes = 10_000 * 10_000 * 4;
  const zeros = deflateSync(Buffer.alloc(layerBytes), { level: 9 });
  const manyLayers = (count: number, shared: boolean) => (m: Record<string, unknown>) => {
    const [id, layer] = Object.entries(layers(m))[0]!;
    const all: Record<string, unknown> = {};
    for (let i = 1; i <= count; i++) {
      const entry = shared ? 'zeros-1' : `zeros-${i}`;
      all[`layer-${i}`] = { ...structuredClone(layer), history: null, mask: null, raster: { entry, width: 10_000, height: 10_000, channels: 4, depth: 8 } };
    }
    m.layers = all;
    m.stack = Array.from({ length: count }, (_, i) => ({ layerId: `layer-${i + 1}`, bounds: { x: 0, y: 0, width: 10_000, height: 10_000 } }));
    m.nextLayer = count + 1;
    m.canvas = { width: 10_000, height: 10_000 };
    m.documentHistory = null;
    m.timeline = null;
    void id;
  };
  await projectWith(good, 'shared-entry.ganvas', manyLayers(40, true), [{ entry: 'zeros-1', bytes: zeros }]);
  const overBudget = Math.ceil(LAYER_MEMORY_BUDGET / layerBytes) + 1;
  await projectWith(
    good,
    'over-memory.ganvas',
    manyLayers(overBudget, false),
    Array.from({ length: overBudget }, (_, i) => ({ entry: `zeros-${i + 1}`, bytes: zeros })),
  );
  // A long undo history of distinct, small entries that each declare a 10000×10000 layer.
  const historySteps = Math.ceil(PROJECT_PIXEL_BUDGET / layerBytes) + 1;
  await projectWith(
    good,
    'long-history.ganvas',
    (m) => {
      const layer = Object.values(m.layers as Record<string, { history: unknown }>)[0]!;
      layer.history = {
        done: Array.from({ length: historySteps }, (_, i) => ({
          kind: 'pixels',
          label: `step ${i}`,
          target: 'pixels',
          ai: null,
          stored: { kind: 'raster', raster: { entry: `h-${i}`, width: 10_000, height: 10_000, channels: 4, depth: 8 } },
        })),
        undone: [],
      };
    },
    Array.from({ length: historySteps }, (_, i) => ({ entry: `h-${i}`, bytes: zeros })),
  );
  // Damaged layer ids.
  await projectWith(good, 'next-layer-1.ganvas', (m) => {
    m.nextLayer = 1;
  });
  await projectWith(good, 'next-layer-max.ganvas', (m) => {
    m.nextLayer = Number.MAX_SAFE_INTEGER;
  });
  await projectWith(good, 'stack-twice.ganvas', (m) => {
    const stack = m.stack as unknown[];
    stack.push(structuredClone(stack[0]));
  });
  await projectWith(good, 'escapes.ganvas', (m) => {
    for (const l of Object.values(m.layers as Record<string, { props: { name: string } }>)) l.props.name = 'sky\x1b]0;pwned\x07\x1b[2J';
  });
  await projectWith(good, 'hostile-name.ganvas', (m) => {
    (m.source as { fileName: string }).fileName = '../../../../etc/passwd';
  });
  // Recipes.
  writeFileSync(at('broken-recipe.json'), '{ "steps": [ ');
  writeFileSync(at('wrong-recipe.json'), JSON.stringify({ steps: [{ tool: 'teleport' }] }));
  mkdirSync(at('recipe-folder.json'));
  // Masks.
  await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ffffff' } })
    .png()
    .toFile(at('small-mask.png'));
  spawnSync('mkfifo', [at('mask-pipe.png')]);
  before = treeDigest(corpus);
}, 120_000);

afterAll(async () => {
  chmodSync(at('private.png'), 0o644);
  await engine.dispose();
});

const unreadable: [string, RegExp][] = [
  ['truncated.png', /truncated\.png is damaged or truncated/],
  ['truncated.jpg', /truncated\.jpg is damaged or truncated/],
  ['empty.png', /empty\.png is empty \(0 bytes\)/],
  ['noise.png', /noise\.png is not an image format Ganvas can open/],
  ['letter.jpg', /letter\.jpg is not an image format Ganvas can open/],
  ['bomb.png', /bomb\.png is too large to open/],
  ['header-only.png', /header-only\.png is damaged or truncated/],
  ['pipe.png', /pipe\.png is not a regular file \(it is a named pipe\)/],
  ['folder.png', /folder\.png is a folder, not a photo/],
  ['loop-a.png', /loop-a\.png cannot be opened: it is a symbolic link that leads back to itself/],
  ['dangling.png', /dangling\.png cannot be opened: it does not exist/],
  ['drawing.svg', /drawing\.svg is a svg file, which Ganvas cannot open/],
  ['missing.png', /missing\.png cannot be opened: it does not exist/],
  ['cut.ganvas', /cut\.ganvas cannot be opened: (the file is truncated|its table of contents is damaged)/],
  ['bad-header.ganvas', /bad-header\.ganvas cannot be opened: its header is damaged/],
  ['newer.ganvas', /newer\.ganvas was saved by a newer Ganvas \(file format 2/],
  ['not-json.ganvas', /not-json\.ganvas cannot be opened: its table of contents is damaged/],
  ['huge-canvas.ganvas', /huge-canvas\.ganvas cannot be opened: its canvas is 20000×20000, more pixels than the limit/],
  ['huge-layer.ganvas', /huge-layer\.ganvas cannot be opened: layer “good\.png” is 20000×20000, more pixels than the limit/],
  ['missing-layer.ganvas', /missing-layer\.ganvas cannot be opened: it refers to a layer \(layer-404\) it does not contain/],
  ['shared-entry.ganvas', /shared-entry\.ganvas cannot be opened: several of its parts share one stored entry/],
  ['over-memory.ganvas', /over-memory\.ganvas cannot be opened: its layers declare [\d.]+ GB of pixels, more than this computer's memory allows/],
  ['long-history.ganvas', /long-history\.ganvas cannot be opened: its layers and undo history declare [\d.]+ GB of pixels, more than this computer can hold/],
];

describe('files that cannot be opened get a clear message naming them', () => {
  for (const [name, message] of unreadable) {
    it(name, async () => {
      await expect(engine.open(at(name))).rejects.toThrow(message);
    });
  }

  it('a named pipe does not block later reads (the app stays usable)', async () => {
    await expect(engine.open(at('pipe.png'))).rejects.toThrow(/named pipe/);
    const opened = await Promise.all([1, 2, 3, 4, 5].map(() => engine.open(at('good.png'))));
    expect(opened.map((d) => d.width)).toEqual([96, 96, 96, 96, 96]);
    for (const d of opened) await engine.close(d.id);
  });
});

describe('files that open correctly', () => {
  const opens: [string, (d: Awaited<ReturnType<typeof engine.open>>) => void][] = [
    ['cmyk.jpg', (d) => expect([d.width, d.height, d.layers[0]!.channels]).toEqual([96, 64, 3])],
    ['sixteen.png', (d) => expect(d.bitDepth).toBe(16)],
    ['palette.png', (d) => expect([d.width, d.layers[0]!.channels]).toEqual([96, 3])],
    ['pages.tif', (d) => expect([d.height, d.lost]).toEqual([64, ['pages.tif has 3 pages; only the first was opened.']])],
    ['animated.gif', (d) => expect([d.height, d.lost]).toEqual([64, ['animated.gif has 3 frames; only the first was opened.']])],
    ['rotated.jpg', (d) => expect([d.width, d.height]).toEqual([64, 96])],
    ['one-pixel.png', (d) => expect([d.width, d.height]).toEqual([1, 1])],
  ];
  for (const [name, check] of opens) {
    it(name, async () => {
      const d = await engine.open(at(name));
      check(d);
      await engine.close(d.id);
    });
  }

  it('a deflate bomb inside a project is cut off at the layer’s size: the layer is reported lost, memory stays small', async () => {
    const rss = process.memoryUsage().rss;
    const d = await engine.open(at('deflate-bomb.ganvas'));
    expect(d.lost).toEqual([expect.stringMatching(/^Layer “good\.png” pixels: damaged.*the layer is now empty$/)]);
    expect(process.memoryUsage().rss - rss).toBeLessThan(500 * 2 ** 20);
    await engine.close(d.id);
  });

  it('projects that would amplify are refused before anything is inflated: memory stays small', async () => {
    const rss = process.memoryUsage().rss;
    for (const name of ['shared-entry.ganvas', 'over-memory.ganvas', 'long-history.ganvas'])
      await expect(engine.open(at(name))).rejects.toThrow(/cannot be opened/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20);
  });

  it('damaged layer ids are repaired with a notice: a save afterwards works and opens again', async () => {
    for (const name of ['next-layer-1.ganvas', 'next-layer-max.ganvas']) {
      const d = await engine.open(at(name));
      expect(d.lost, name).toEqual([expect.stringMatching(/layer numbering was damaged .*; it was repaired/)]);
      await engine.document(d.id).addLayer({ kind: 'empty' });
      const saved = join(out, `re-${name}`);
      await engine.document(d.id).saveProject(saved);
      await engine.close(d.id);
      const again = await engine.open(saved);
      expect(new Set(again.layers.map((l) => l.id)).size).toBe(2);
      expect(again.lost).toEqual([]);
      await engine.close(again.id);
    }
  });

  it('a layer listed twice in the stack is kept once, with a notice', async () => {
    const d = await engine.open(at('stack-twice.ganvas'));
    expect(d.layers).toHaveLength(1);
    expect(d.lost).toEqual([expect.stringMatching(/listed twice in the layer stack; it is kept once/)]);
    await engine.close(d.id);
  });

  it('a project’s source file name is only ever a name (it pre-fills the Export dialog)', async () => {
    const d = await engine.open(at('hostile-name.ganvas'));
    expect(d.fileName).toBe('passwd');
    await engine.close(d.id);
  });

  it('entry lengths of 2⁴⁰ and entries named __proto__ are damage, not crashes or lookups on Object.prototype', async () => {
    for (const name of ['long-entry.ganvas', 'proto.ganvas']) {
      const d = await engine.open(at(name));
      expect(d.lost.length, name).toBeGreaterThan(0);
      expect(d.lost.join('\n')).toMatch(/missing from the file/);
      await engine.close(d.id);
    }
    expect(({} as Record<string, unknown>).offset).toBeUndefined();
  });
});

describe('the CLI on bad input', () => {
  const run = (args: string[], opts: { uid?: number; timeout?: number } = {}) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir }, timeout: 60_000, ...opts });

  it('a named pipe passed as a photo is refused at once (no hang)', () => {
    const r = run(['enhance', at('pipe.png'), '-o', join(out, 'x.png')]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/pipe\.png is not a regular file/);
  });

  it('a photo without read permission is called that, not "not an image"', () => {
    const r = run(['lowlight', at('private.png'), '--model', 'sci-easy', '-o', join(out, 'p.png')], { uid: 65534 });
    expect(r.stderr).toMatch(/private\.png cannot be opened: permission denied/);
    expect(r.status).toBe(1);
  });

  it('recipes: broken JSON, a wrong recipe, a folder and a missing file are usage errors naming the file', () => {
    const cases: [string, RegExp][] = [
      ['broken-recipe.json', /broken-recipe\.json is not a Ganvas recipe: it is not valid JSON/],
      ['wrong-recipe.json', /wrong-recipe\.json is not a valid Ganvas recipe: steps\.0\.tool/],
      ['recipe-folder.json', /recipe-folder\.json is a folder, not a recipe/],
      ['no-such-recipe.json', /no-such-recipe\.json cannot be opened: it does not exist/],
    ];
    for (const [name, message] of cases) {
      const r = run(['batch', corpus, join(out, 'batch'), '--recipe', at(name)]);
      expect(r.status, name).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--tile out of range and a mask of the wrong size or kind', () => {
    const tile = run(['enhance', at('good.png'), '-o', join(out, 't.png'), '--tile', '5']);
    expect([tile.status, tile.stderr]).toEqual([2, expect.stringMatching(/--tile must be a whole number from 32 to 2048, not "5"/)]);
    const small = run(['inpaint', at('good.png'), '--mask', at('small-mask.png'), '-o', join(out, 'm.png')]);
    expect([small.status, small.stderr]).toEqual([1, expect.stringMatching(/The mask small-mask\.png is 10×10 but the photo is 96×64/)]);
    const pipe = run(['inpaint', at('good.png'), '--mask', at('mask-pipe.png'), '-o', join(out, 'm.png')]);
    expect([pipe.status, pipe.stderr]).toEqual([1, expect.stringMatching(/mask-pipe\.png is not a regular file/)]);
  });

  it('output names: 250 characters work; longer than the file system allows says so', () => {
    const long = `${'n'.repeat(246)}.png`;
    const ok = run(['lowlight', at('good.png'), '--model', 'sci-easy', '-o', join(out, long)]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(existsSync(join(out, long))).toBe(true);
    const tooLong = run(['lowlight', at('good.png'), '--model', 'sci-easy', '-o', join(out, `${'n'.repeat(300)}.png`)]);
    expect(tooLong.status).toBe(1);
    expect(tooLong.stderr).toMatch(/Could not write n+\.png: the name is too long for the file system/);
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a damaged model is named, with what to do', () => {
    const models = mkdtempSync(join(tmpdir(), 'ganvas-bad-models-'));
    writeFileSync(join(models, 'sci_easy.onnx'), Buffer.from('not a network'));
    const r = run(['lowlight', at('good.png'), '--model', 'sci-easy', '-o', join(out, 'dm.png'), '--models-dir', models]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sci_easy/);
    expect(r.stderr).toMatch(/sci_easy\.onnx failed verification \(size 13 bytes, expected \d+\)\. Reinstall it/);
    // The kind of failure, for scripts: the job's own code, not a generic one.
    expect(r.stderr).toMatch(/ \[MODEL_CORRUPT\]\n$/);
  });

  it.skipIf(!smallDiskSupport.ok)('an output on a full disk or a read-only disk says so in words', () => {
    // One page of tmpfs: smaller than the output.
    const disk = smallDisk(4096);
    try {
      const full = run(['lowlight', at('good.png'), '--model', 'sci-easy', '-o', join(disk.dir, 'full.png')]);
      expect([full.status, full.stderr]).toEqual([1, expect.stringMatching(/Could not write full\.png: the disk is full/)]);
      spawnSync('mount', ['-o', 'remount,ro', disk.dir]);
      const ro = run(['lowlight', at('good.png'), '--model', 'sci-easy', '-o', join(disk.dir, 'ro.png')]);
      expect([ro.status, ro.stderr]).toEqual([1, expect.stringMatching(/Could not write ro\.png: the disk is read-only/)]);
      // A batch into a folder that exists on it: read-only, not "does not exist".
      const batch = run(['batch', corpus, disk.dir, '--resize', '16']);
      expect([batch.status, batch.stderr]).toEqual([1, expect.stringMatching(/The output folder .* cannot be written: the disk is read-only/)]);
    } finally {
      disk.free();
    }
  });

  it('a malformed pattern is refused at once with the pattern quoted (no hang)', () => {
    const r = run(['batch', corpus, join(out, 'patterns'), '--include', '*.{png', '--resize', '16'], { timeout: 20_000 });
    expect(r.stderr).toMatch(/The pattern "\*\.\{png" is malformed: its "\{" is never closed\./);
    expect(r.status).toBe(1);
  });

  it('16 MB of EXIF: the photo opens and exports, without that EXIF, with a notice naming the file', () => {
    const r = run(['export', at('big-exif.png'), '-o', join(out, 'big-exif.jpg')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/big-exif\.png's EXIF metadata is 16\.0 MB, more than a photo file can hold \(64 KB\); it was left out/);
  });

  it('a result too wide for its format is refused before any work, naming the file and the formats that can hold it', () => {
    const r = run(['enhance', at('wide.png'), '-o', join(out, 'wide.webp')]);
    expect(r.stderr).toMatch(/wide\.webp would be 16400×32, and WEBP holds at most 16383 px on a side; choose PNG or TIFF\./);
    expect(r.stderr).not.toMatch(/tile/);
    expect(r.status).toBe(1);
    expect(existsSync(join(out, 'wide.webp'))).toBe(false);
  });

  it('a photo whose ×4 copy cannot be held is refused before the network runs, with the largest size that works', () => {
    const r = run(['enhance', at('huge.png'), '-o', join(out, 'huge-x4.png')]);
    const m =
      /A 20000×5000 photo is too large to enhance: its ×4 copy would be 80000×20000, more than one image can hold\. The largest of its shape is (\d+)×(\d+); resize it or enhance a crop\. \[IMAGE_TOO_LARGE\]/.exec(
        r.stderr,
      );
    expect(m, r.stderr).not.toBeNull();
    const [w, h] = [Number(m![1]), Number(m![2])];
    expect(w * 4 * h * 4 * 3).toBeLessThan(2 ** 32);
    expect((w + 8) * 4 * (h + 2) * 4 * 3).toBeGreaterThan(2 ** 32 - 1);
    expect(r.stderr).not.toMatch(/tile/);
    expect(r.status).toBe(1);
  });

  it('control characters in a project’s layer names are printed escaped, never sent to the terminal', () => {
    const r = run(['project', 'info', at('escapes.ganvas')]);
    expect(r.stdout).toContain('sky\\x1b]0;pwned\\x07\\x1b[2J');
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('--status against a server that is not Redis (it answers +OK to everything) says so', async () => {
    const server = createServer((socket) => socket.on('data', () => socket.write('+OK\r\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const child = spawn(process.execPath, [cli, 'batch', '--status', '0123456789abcdef', '--queue', `redis://127.0.0.1:${port}/0`], {
        env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).toMatch(/Cannot reach the queue at redis:\/\/127\.0\.0\.1:\d+\/0: it does not answer as Redis does/);
      expect(code).toBe(1);
    } finally {
      server.close();
    }
  });

  it('an unreadable sub-folder is skipped and listed; the rest of a recursive batch is done', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-unreadable-'));
    const results = mkdtempSync(join(tmpdir(), 'ganvas-unreadable-out-'));
    writeFileSync(join(dir, 'a.png'), readFileSync(at('good.png')));
    mkdirSync(join(dir, 'private'));
    writeFileSync(join(dir, 'private', 'b.png'), readFileSync(at('good.png')));
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'private'), 0o000);
    chmodSync(results, 0o777);
    const r = run(['batch', dir, results, '--recursive', '--resize', '16'], { uid: 65534 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(results, 'ganvas-batch-report.json'), 'utf8')) as {
      files: { input: string; status: string; reason?: string }[];
    };
    expect(report.files).toEqual([
      expect.objectContaining({ input: 'a.png', status: 'done' }),
      expect.objectContaining({ input: 'private/', status: 'skipped', reason: 'the folder cannot be read (permission denied)' }),
    ]);
    chmodSync(join(dir, 'private'), 0o755);
  });

  it('a photo dropped as a pipe while the CLI reads another never hangs it', async () => {
    const child = spawn(process.execPath, [cli, 'enhance', at('pipe.png'), '-o', join(out, 'y.png')], {
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
  });
});

describe('the corpus itself', () => {
  it('is byte-identical after everything above', () => {
    expect(treeDigest(corpus)).toEqual(before);
  });
});
