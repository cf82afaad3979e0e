/**
 * The bad-input corpus: every file a user (or a stranger) could hand Ganvas that is not a clean
 * photo, built here by the test. Each gets a clear message naming the file, or a correct result;
 * the corpus itself is byte-identical afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerReader } from '../../electron/engine/project/container.js';
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
  extra?: { entry: string; bytes: Buffer },
): Promise<string> {
  const reader = await ContainerReader.open(good);
  const manifest = structuredClone(reader.manifest) as Record<string, unknown> & {
    entries: Record<string, { offset: number; length: number; sha256: string }>;
  };
  await reader.close();
  const bytes = readFileSync(good);
  const manifestAt = Number(bytes.readBigUInt64LE(bytes.length - 16));
  let body = bytes.subarray(0, manifestAt);
  if (extra) {
    manifest.entries[extra.entry] = { offset: body.length, length: extra.bytes.length, sha256: createHash('sha256').update(extra.bytes).digest('hex') };
    body = Buffer.concat([body, extra.bytes]);
  }
  edit(manifest);
  const json = Buffer.from(JSON.stringify(manifest));
  const trailer = Buffer.alloc(16);
  trailer.writeBigUInt64LE(BigInt(body.length));
  trailer.write('GVSEND\0\0', 8, 'latin1');
  writeFileSync(at(name), Buffer.concat([body, json, trailer]));
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
    { entry: 'bomb', bytes: bomb },
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
  const run = (args: string[], opts: { uid?: number } = {}) =>
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
    } finally {
      disk.free();
    }
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
