import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openImage } from '../../electron/engine/images/open.js';
import { linearToSrgb, srgbToLinear } from '../../electron/engine/images/colour.js';
import { allocRaster, type Raster } from '../../electron/engine/images/raster.js';
import { writeDng } from '../support/dng.js';
import { testEngine } from '../support/engine.js';
import { holeError } from '../support/metrics.js';
import { cli, photo, testModelsDir } from '../support/paths.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-raw-'));

/** A DNG of a photo's scene, `exposure` × its light, recorded with a white balance that is not neutral. */
function dngOf(src: Raster, exposure: number, file: string): string {
  writeFileSync(
    file,
    writeDng(
      src.width,
      src.height,
      (x, y) => {
        const p = (y * src.width + x) * src.channels;
        return [0, 1, 2].map((c) => srgbToLinear(src.data[p + c]! / 255) * exposure) as [number, number, number];
      },
      [0.55, 1, 0.75],
    ),
  );
  return file;
}

const all = (r: Raster) => new Uint8Array(r.width * r.height).fill(1);
const as8 = (r: Raster): Raster => {
  const out = allocRaster(r.width, r.height, 3, 8);
  for (let i = 0; i < r.data.length; i++) out.data[i] = Math.round(r.data[i]! / 257);
  return out;
};

describe('camera RAW (DNG written by the test, decoded by LibRaw)', () => {
  it('decodes to the right size and bit depth, white-balanced, close to the scene', async () => {
    const { raster: scene } = await openImage(photo('coffee.png'));
    const doc = await engine.open(dngOf(scene, 1, join(tmp, 'coffee.dng')));
    expect(doc).toMatchObject({ width: 600, height: 400, bitDepth: 16, fileName: 'coffee.dng' });
    const raster = engine.document(doc.id).doc.layers[0]!.raster;
    expect([raster.channels, raster.depth]).toEqual([3, 16]);
    // Demosaicing costs a little; the white balance (0.55, 1, 0.75) is undone, so colours are right.
    expect(holeError(as8(raster), scene, all(scene)).psnr).toBeGreaterThan(28);
  });

  it('a grey card comes out grey', async () => {
    const file = join(tmp, 'grey.dng');
    writeFileSync(
      file,
      writeDng(32, 32, () => [0.18, 0.18, 0.18], [0.5, 1, 0.8]),
    );
    const r = engine.document((await engine.open(file)).id).doc.layers[0]!.raster;
    const mid = (16 * 32 + 16) * 3;
    const [red, green, blue] = [r.data[mid]!, r.data[mid + 1]!, r.data[mid + 2]!];
    expect(Math.abs(red - green)).toBeLessThan(300);
    expect(Math.abs(blue - green)).toBeLessThan(300);
    expect(green / 65535).toBeCloseTo(linearToSrgb(0.18), 2);
  });

  it('see in the dark: a dark RAW keeps the shadow levels an 8-bit copy has lost, and Low light works on all 16 bits', async () => {
    const { raster: scene } = await openImage(photo('chelsea.png'));
    const raw = await engine.open(dngOf(scene, 0.02, join(tmp, 'dark.dng'))); // about 5.6 stops under
    const decoded = engine.document(raw.id).doc.layers[0]!.raster;
    // What an 8-bit JPEG of the same shot holds: the same decoded pixels, rounded to 8 bits.
    const sceneLuma = (p: number) => 0.299 * scene.data[p * 3]! + 0.587 * scene.data[p * 3 + 1]! + 0.114 * scene.data[p * 3 + 2]!;
    const shadows = [...Array(scene.width * scene.height).keys()].sort((a, b) => sceneLuma(a) - sceneLuma(b)).slice(0, (scene.width * scene.height) / 4);
    const levels = (r: Raster) => new Set(shadows.map((p) => r.data[p * 3 + 1]!)).size;
    const [inRaw, in8] = [levels(decoded), levels(as8(decoded))];
    console.log(`distinct green levels in the darkest quarter: RAW ${inRaw}, 8-bit copy ${in8}`);
    expect(inRaw).toBeGreaterThan(10 * in8);
    const end = await engine.tools.waitFor(engine.tools.run(raw.id, raw.layers[0]!.id, 'lowlight', {}));
    expect(end.type).toBe('job-done');
    const bright = engine.document(raw.id).doc.layers.at(-1)!.raster;
    expect(bright.depth).toBe(16);
    expect(levels(bright)).toBeGreaterThan(10 * in8);
  });

  it('a file that is not RAW gets a clear error', async () => {
    const file = join(tmp, 'fake.arw');
    writeFileSync(file, 'this is not a raw file');
    await expect(engine.open(file)).rejects.toThrow('fake.arw cannot be decoded as camera RAW: it is not a RAW file LibRaw recognises');
  });

  it('the CLI brightens a RAW file', async () => {
    const { raster: scene } = await openImage(photo('rocket.jpg'));
    const out = join(tmp, 'rocket-bright.png');
    const r = spawnSync(process.execPath, [cli, 'lowlight', dngOf(scene, 0.05, join(tmp, 'rocket.dng')), '-o', out], {
      encoding: 'utf8',
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await sharp(out).metadata()).toMatchObject({ width: 640, height: 427, depth: 'ushort' });
  });
});
