import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIXEL_LIMIT, openImage } from '../../electron/engine/images/open.js';
import { EXPORT_FORMATS, isLayeredFormat } from '../../electron/engine/images/formats.js';
import { openLayered } from '../../electron/engine/layered/save.js';
import { saveImage } from '../../electron/engine/images/save.js';
import { photo } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'ganvas-images-'));

describe('opening photos', () => {
  it('applies EXIF orientation so pixels are upright', async () => {
    // 40×20, red left half, blue right half, tagged "rotate 90° clockwise to display".
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let p = 0; p < 800; p++) raw.set(p % 40 < 20 ? [255, 0, 0] : [0, 0, 255], p * 3);
    const file = join(dir, 'rotated.jpg');
    await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(file);
    const { raster, meta } = await openImage(file);
    expect(meta.orientation).toBe(6);
    expect([raster.width, raster.height]).toEqual([20, 40]);
    expect(raster.data[0]!).toBeGreaterThan(200); // top-left is red after rotation
    expect(raster.data[39 * 20 * 3 + 2]!).toBeGreaterThan(200); // bottom-left is blue
    const out = join(dir, 'rotated-out.jpg');
    await saveImage(raster, out, { format: 'jpeg', quality: 95, bitDepth: 8 }, meta);
    const md = await sharp(out).metadata();
    expect([md.width, md.height, md.orientation ?? 1]).toEqual([20, 40, 1]);
  });

  it('keeps 16-bit PNG samples exactly through open and a 16-bit export', async () => {
    const w = 64,
      h = 32;
    const px = new Uint16Array(w * h * 3).map((_, i) => (i * 2654435761) % 65536);
    const file = join(dir, 'deep.png');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(file);
    const { raster, meta } = await openImage(file);
    expect([raster.depth, meta.bitDepth]).toEqual([16, 16]);
    expect(Array.from(raster.data)).toEqual(Array.from(px));
    for (const format of ['png', 'tiff'] as const) {
      const out = join(dir, `deep-out.${format}`);
      await saveImage(raster, out, { format, quality: 90, bitDepth: 16 }, meta);
      const back = await openImage(out);
      expect(back.raster.depth).toBe(16);
      expect(Array.from(back.raster.data)).toEqual(Array.from(px));
    }
    await expect(saveImage(raster, join(dir, 'x.jpg'), { format: 'jpeg', quality: 90, bitDepth: 16 }, meta)).rejects.toThrow(/JPEG cannot hold 16 bits/);
  });

  it('opens greyscale as one channel and keeps it grey on export', async () => {
    const { raster } = await openImage(photo('camera.png'));
    expect(raster.channels).toBe(1);
    const out = join(dir, 'grey.png');
    await saveImage(raster, out, { format: 'png', quality: 90, bitDepth: 8 });
    expect((await sharp(out).metadata()).channels).toBe(1);
  });

  it('keeps alpha', async () => {
    const file = join(dir, 'alpha.png');
    await sharp(photo('coffee.png')).ensureAlpha(0.5).png().toFile(file);
    const { raster } = await openImage(file);
    expect(raster.channels).toBe(4);
    expect(Math.abs(raster.data[3]! - 128)).toBeLessThanOrEqual(1);
  });

  it('keeps the ICC profile byte for byte, and EXIF where the format carries it', async () => {
    const file = join(dir, 'tagged.jpg');
    await sharp(photo('coffee.png'))
      .withIccProfile('p3')
      .withExif({ IFD0: { Make: 'GanvasTestCam', Copyright: 'Rachel Michetti' } })
      .jpeg()
      .toFile(file);
    const { raster, meta } = await openImage(file);
    const icc = (await sharp(file).metadata()).icc!;
    expect(meta.icc && Buffer.from(meta.icc).equals(icc)).toBe(true);
    for (const format of EXPORT_FORMATS) {
      const out = join(dir, `tagged-out.${format}`);
      await saveImage(raster, out, { format, quality: 90, bitDepth: 8 }, meta);
      // PSD and OpenRaster are read back as Ganvas reads them (sharp reads neither).
      const md = isLayeredFormat(format) ? (await openLayered(out, DEFAULT_PIXEL_LIMIT)).meta : await sharp(out).metadata();
      expect(md.icc && Buffer.from(md.icc).equals(icc), `${format} ICC`).toBe(true);
      // sharp cannot write EXIF into TIFF; every other format must carry it.
      if (format !== 'tiff') expect(md.exif && Buffer.from(md.exif).toString('latin1'), `${format} EXIF`).toContain('GanvasTestCam');
    }
    // Pixels are not colour-converted on the way through (P3 values stay P3 values).
    const back = await openImage(join(dir, 'tagged-out.png'));
    expect(Buffer.from(back.raster.data.buffer).equals(Buffer.from(raster.data.buffer))).toBe(true);
  });

  it('writes atomically: no temporary file is left beside the output', async () => {
    const { raster } = await openImage(photo('chelsea.png'));
    const sub = mkdtempSync(join(tmpdir(), 'ganvas-atomic-'));
    await saveImage(raster, join(sub, 'out.webp'), { format: 'webp', quality: 80, bitDepth: 8 });
    expect(readdirSync(sub)).toEqual(['out.webp']);
  });
});

describe('bad files get a clear error naming the file', () => {
  it('corrupt, truncated, empty, unsupported and over-large', async () => {
    const jpeg = readFileSync(photo('rocket.jpg'));
    const truncated = join(dir, 'truncated.jpg');
    writeFileSync(truncated, jpeg.subarray(0, jpeg.length >> 1));
    await expect(openImage(truncated)).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
      message: expect.stringMatching(/^truncated\.jpg is damaged or truncated/),
    });

    const corrupt = join(dir, 'corrupt.png');
    const png = readFileSync(photo('chelsea.png'));
    writeFileSync(corrupt, Buffer.concat([png.subarray(0, 100), Buffer.alloc(5000, 7), png.subarray(5100)]));
    await expect(openImage(corrupt)).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringContaining('corrupt.png') });

    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, '');
    await expect(openImage(empty)).rejects.toThrow('empty.jpg is empty (0 bytes).');

    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'these are not pixels');
    await expect(openImage(text)).rejects.toMatchObject({ code: 'IMAGE_UNSUPPORTED', message: expect.stringContaining('notes.jpg is not an image format') });

    await expect(openImage(photo('coffee.png'), { limitInputPixels: 1000 })).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: expect.stringContaining('coffee.png is too large'),
    });
    await expect(openImage(join(dir, 'nope.png'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope.png cannot be opened') });
  });
});
