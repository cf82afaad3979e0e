import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openImage } from '../../electron/engine/images/open.js';
import { saveImage } from '../../electron/engine/images/save.js';
import { bufferReader, exifFromTiff, withExifInTiff } from '../../electron/engine/images/tiff-exif.js';
import { exiftoolRead, exiftoolWrite, hasExiftool } from '../support/editors.js';
import { photo } from '../support/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ganvas-tiff-exif-'));
/** A camera JPEG with its maker's EXIF (a Konica Minolta DiMAGE G600, maker note included). */
const camera = photo('lowlight/dicm_01.jpg');
const CAMERA_TAGS = ['Make', 'Model', 'DateTimeOriginal', 'ExposureTime', 'FNumber', 'ISO', 'FocalLength', 'GPSLatitude', 'GPSLongitude', 'GPSAltitude'];

/** The camera JPEG with a GPS position added, its EXIF rewritten by ExifTool in the byte order given. */
function cameraJpeg(name: string, byteOrder: 'Little-endian' | 'Big-endian'): string {
  const file = join(tmp, `${name}.jpg`);
  copyFileSync(camera, file);
  // ExifTool applies a byte order only to EXIF it creates: so the EXIF is removed and rebuilt from the file itself.
  exiftoolWrite(file, [
    '-exif:all=',
    '-TagsFromFile',
    '@',
    '-exif:all',
    '-makernotes',
    `-ExifByteOrder=${byteOrder}`,
    '-GPSLatitude=48.8584',
    '-GPSLatitudeRef=N',
    '-GPSLongitude=2.2945',
    '-GPSLongitudeRef=E',
    '-GPSAltitude=35.5',
  ]);
  return file;
}

/** What Lightroom hands over: a 16-bit TIFF with a wide-gamut profile, the camera's EXIF written into its tags by ExifTool. */
async function cameraTiff(name: string): Promise<string> {
  const file = join(tmp, `${name}.tif`);
  await sharp(camera).toColourspace('rgb16').withIccProfile('p3').tiff({ compression: 'lzw' }).toFile(file);
  exiftoolWrite(file, ['-TagsFromFile', cameraJpeg(name, 'Little-endian'), '-exif:all', '-gps:all']);
  return file;
}

async function carriedTo(source: string, out: string, format: 'tiff' | 'jpeg') {
  const opened = await openImage(source);
  expect(opened.meta.exif).not.toBeNull();
  await saveImage(opened.raster, out, { format, quality: 90, bitDepth: format === 'tiff' ? opened.meta.bitDepth : 8 }, opened.meta);
  const [before, after] = [source, out].map((f) => exiftoolRead(f, [...CAMERA_TAGS, 'Validate', 'BitsPerSample', 'ExifByteOrder']));
  expect(before).toMatchObject({ Make: 'Konica Minolta Photo Imaging, Inc.', GPSLatitude: 48.8584 });
  for (const tag of CAMERA_TAGS) expect(after![tag], tag).toEqual(before![tag]);
  return { before: before!, after: after! };
}

describe.skipIf(!hasExiftool)('a TIFF keeps its camera EXIF through Ganvas, as ExifTool reads it', () => {
  it('a 16-bit TIFF saved as TIFF keeps its camera, exposure and GPS tags and its pixels, with no new warnings; saved as JPEG, the tags', async () => {
    const file = await cameraTiff('lightroom');
    const out = join(tmp, 'lightroom-out.tif');
    const { before, after } = await carriedTo(file, out, 'tiff');
    expect(after.Validate, JSON.stringify(after)).toBe(before.Validate);
    expect(after.BitsPerSample).toBe('16 16 16');
    // The pixels are libvips's own: the metadata was added beside them, not through a re-encode.
    const [a, b] = await Promise.all([sharp(out).raw().toBuffer(), sharp(file).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
    await carriedTo(file, join(tmp, 'lightroom-out.jpg'), 'jpeg');
  });

  it('big-endian EXIF (as Nikon writes it) goes into a little-endian TIFF with every number turned round', async () => {
    const { before, after } = await carriedTo(cameraJpeg('motorola', 'Big-endian'), join(tmp, 'motorola-out.tif'), 'tiff');
    expect([before.ExifByteOrder, after.ExifByteOrder]).toEqual(['MM', 'II']);
  });

  it('the maker note travels as the camera wrote it', async () => {
    const file = await cameraTiff('makernote');
    const out = join(tmp, 'makernote-out.tif');
    const opened = await openImage(file);
    await saveImage(opened.raster, out, { format: 'tiff', quality: 90, bitDepth: 16 }, opened.meta);
    const tag = 'MakerNoteMinolta3';
    expect(exiftoolRead(out, [tag])[tag]).toEqual(exiftoolRead(camera, [tag])[tag]);
  });
});

describe('a damaged or hostile TIFF costs its EXIF, never the save', () => {
  const tiffWithExif = async () => {
    const opened = await openImage(camera);
    const file = join(tmp, 'plain.tif');
    await saveImage(opened.raster, file, { format: 'tiff', quality: 90, bitDepth: 8 }, opened.meta);
    return new Uint8Array(readFileSync(file));
  };

  it('an EXIF block read from a TIFF reads back the same, and adding it again changes nothing', async () => {
    const tiff = await tiffWithExif();
    const exif = (await exifFromTiff(bufferReader(tiff)))!;
    expect(exif.length).toBeGreaterThan(500);
    const twice = await withExifInTiff(tiff, exif);
    expect(await exifFromTiff(bufferReader(twice))).toEqual(exif);
  });

  it('garbage, truncation, BigTIFF and a directory that points at itself give no EXIF, and the TIFF is written unchanged', async () => {
    const tiff = await tiffWithExif();
    const exif = (await exifFromTiff(bufferReader(tiff)))!;
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const selfPointing = new Uint8Array(exif);
    // The Exif pointer (tag 0x8769) made to point at IFD0 itself.
    const ifd0 = view(selfPointing).getUint32(4, true);
    for (let i = 0; i < view(selfPointing).getUint16(ifd0, true); i++) {
      const at = ifd0 + 2 + i * 12;
      if (view(selfPointing).getUint16(at, true) === 0x8769) view(selfPointing).setUint32(at + 8, ifd0, true);
    }
    const bigTiff = new Uint8Array(exif);
    bigTiff[2] = 43;
    const hostile = [
      new Uint8Array(0),
      new Uint8Array([0x49, 0x49, 42, 0, 0xff, 0xff, 0xff, 0xff]),
      exif.subarray(0, 20),
      bigTiff,
      new TextEncoder().encode('not a tiff at all'),
    ];
    for (const bytes of hostile) {
      expect(await exifFromTiff(bufferReader(bytes))).toBeNull();
      expect(await withExifInTiff(tiff, bytes)).toBe(tiff);
    }
    const looped = await exifFromTiff(bufferReader(selfPointing));
    expect(looped!.length).toBeLessThan(exif.length * 4);
    expect(await withExifInTiff(new Uint8Array([1, 2, 3]), exif)).toEqual(new Uint8Array([1, 2, 3]));
    writeFileSync(join(tmp, 'looped.tif'), await withExifInTiff(tiff, selfPointing));
    expect((await sharp(join(tmp, 'looped.tif')).metadata()).width).toBe((await sharp(tiff).metadata()).width);
  });
});
