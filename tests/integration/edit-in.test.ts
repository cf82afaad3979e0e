import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openImage } from '../../electron/engine/images/open.js';
import { withExifInTiff } from '../../electron/engine/images/tiff-exif.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';
import { smallDisk, smallDiskSupport } from '../support/small-disk.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-edit-in-'));

/** What Lightroom Classic hands an external editor: a 16-bit TIFF with a wide-gamut profile and the camera's EXIF. */
async function handedOverTiff(folder = tmp, name = 'IMG_0001-Edit.tif'): Promise<string> {
  const file = join(folder, name);
  const tiff = await sharp(photo('coffee.png')).withIccProfile('p3').toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer();
  writeFileSync(file, await withExifInTiff(tiff, (await openImage(photo('lowlight/dicm_01.jpg'))).meta.exif!));
  return file;
}

/** A visible change: a copy of the photo over it in Multiply. */
async function darken(docId: Parameters<typeof engine.document>[0]) {
  const s = engine.document(docId);
  const before = new Set(s.info().layers.map((l) => l.id));
  const copy = (await s.addLayer({ kind: 'duplicate', layerId: s.info().layers[0]!.id })).layers.find((l) => !before.has(l.id))!;
  await s.apply('setLayerProps', copy.id, { blend: 'multiply' });
}

const meanOf = async (file: string) => (await sharp(readFileSync(file)).stats()).channels.slice(0, 3).reduce((a, c) => a + c.mean, 0) / 3;

describe("Lightroom's Edit in: Save writes the result back into the file it handed over", () => {
  it('a 16-bit TIFF is written back as a 16-bit TIFF with its profile and EXIF, without asking, and the document is clean', async () => {
    const file = await handedOverTiff();
    const icc = (await sharp(file).metadata()).icc!;
    const exif = (await openImage(file)).meta.exif!;
    expect(exif.length).toBeGreaterThan(500);
    const before = await meanOf(file);
    const doc = await engine.open(file, { inPlace: true });
    expect(doc.writesBackTo).toBe(file);
    await darken(doc.id);
    expect(engine.document(doc.id).info().dirty).toBe(true);
    const saved = await engine.document(doc.id).writeBack();
    expect(saved).toMatchObject({ dirty: false, writesBackTo: file, projectPath: null });
    const md = await sharp(file).metadata();
    expect(md).toMatchObject({ format: 'tiff', depth: 'ushort', width: 600, height: 400 });
    expect(md.icc && Buffer.from(md.icc).equals(icc)).toBe(true);
    expect((await openImage(file)).meta.exif).toEqual(exif);
    expect(await meanOf(file)).toBeLessThan(before - 1000);
    // Opened again (Lightroom's Edit in hands over the same file next time), it is the result, not a cached copy.
    const again = await engine.open(file, { inPlace: true });
    expect(again.layers).toHaveLength(1);
    const r = engine.document(again.id).doc.layers[0]!.raster;
    let sum = 0;
    for (let i = 0; i < r.data.length; i += r.channels) sum += r.data[i]! + r.data[i + 1]! + r.data[i + 2]!;
    expect(Math.abs(sum / (r.width * r.height * 3) - (await meanOf(file)))).toBeLessThan(1);
    expect(readdirSync(tmp).filter((f) => f.includes('IMG_0001'))).toEqual(['IMG_0001-Edit.tif']);
  });

  it('a photo opened the usual way is never written over: Save makes a project, export refuses the original', async () => {
    const file = await handedOverTiff(tmp, 'opened.tif');
    const doc = await engine.open(file);
    expect(doc.writesBackTo).toBeNull();
    await expect(engine.document(doc.id).writeBack()).rejects.toThrow(/not handed over/);
    await expect(engine.document(doc.id).export(file, { format: 'tiff', quality: 92, bitDepth: 16 })).rejects.toThrow(/Refusing to overwrite the original/);
  });

  it('once saved as a project, Save goes to the project, not the handed-over file', async () => {
    const file = await handedOverTiff(tmp, 'then-project.tif');
    const doc = await engine.open(file, { inPlace: true });
    await darken(doc.id);
    const info = await engine.document(doc.id).saveProject(join(tmp, 'then-project.ganvas'));
    expect(info.writesBackTo).toBeNull();
  });

  it('a format Ganvas cannot write (GIF) opens with a notice, and Save makes a project', async () => {
    const gif = join(tmp, 'anim.gif');
    await sharp(photo('chelsea.png')).gif().toFile(gif);
    const doc = await engine.open(gif, { inPlace: true });
    expect(doc.writesBackTo).toBeNull();
    expect(doc.lost).toEqual([expect.stringContaining('cannot write anim.gif back')]);
  });

  it.skipIf(!smallDiskSupport.ok)('when the disk fills up, the handed-over file stays whole and the document stays unsaved', async () => {
    const disk = smallDisk(2_000_000);
    try {
      const file = await handedOverTiff(disk.dir);
      const original = readFileSync(file);
      expect(statSync(file).size).toBeGreaterThan(1_000_000);
      const doc = await engine.open(file, { inPlace: true });
      await darken(doc.id);
      await expect(engine.document(doc.id).writeBack()).rejects.toThrow(/IMG_0001-Edit\.tif|space|full/i);
      expect(readFileSync(file).equals(original)).toBe(true);
      expect(readdirSync(disk.dir)).toEqual(['IMG_0001-Edit.tif']);
      expect(engine.document(doc.id).info().dirty).toBe(true);
      expect((await openImage(file)).raster.depth).toBe(16);
    } finally {
      disk.free();
    }
  });
});
