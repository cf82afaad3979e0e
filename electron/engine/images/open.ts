import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { GanvasError, errorMessage } from '../errors.js';
import { checkReadableFile } from '../files.js';
import { decodeRaw, isRawPath, RAW_EXTENSIONS } from '../raw/decode.js';
import { exifThatFits, stripExifHeader } from './exif.js';
import { xmpThatFits } from './xmp.js';
import { exifFromTiff, fileReader } from './tiff-exif.js';
import { rasterFromBuffer, type Channels, type Raster } from './raster.js';

/** What the document keeps of the source file so an export can carry it on. */
export interface ImageMeta {
  fileName: string;
  format: string;
  /** EXIF as a TIFF structure (no "Exif\0\0" prefix), or null. */
  exif: Uint8Array | null;
  icc: Uint8Array | null;
  /** The photo's own XMP packet (keywords, rating, rights, the raw converter's record), or null. */
  xmp: string | null;
  /** The file's EXIF orientation (1..8); pixels are already upright. */
  orientation: number;
  bitDepth: 8 | 16;
}

export interface OpenedImage {
  raster: Raster;
  meta: ImageMeta;
  /** What the user should know was left out (e.g. the other pages of a multi-page TIFF). */
  notices: string[];
}

const SUPPORTED_INPUT_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'avif', 'heif', 'gif'] as const;

/** File name endings of photos (what sharp decodes, and camera RAW): the Open dialogs offer these, and a batch leaves other files alone. */
export const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'tif', 'tiff', 'avif', 'heic', 'heif', 'gif', ...RAW_EXTENSIONS];

export function isPhotoPath(path: string): boolean {
  return PHOTO_EXTENSIONS.includes(extname(path).slice(1).toLowerCase());
}

/** 300 megapixels: a 4× Enhance of a 16 MP photo still opens; a decompression bomb does not. */
// libvips keeps decoded files by name: a photo read again after it changed (written back by Save
// for Lightroom, replaced by another program) would come back as it was.
sharp.cache(false);

export const DEFAULT_PIXEL_LIMIT = 300_000_000;

export interface OpenOptions {
  limitInputPixels?: number;
}

function describe(path: string, err: unknown): GanvasError {
  const msg = errorMessage(err);
  const name = basename(path);
  if (/exceeds pixel limit/i.test(msg)) {
    return new GanvasError('IMAGE_TOO_LARGE', `${name} is too large to open: it has more pixels than the limit of this app.`, { cause: err });
  }
  if (/\.(heic|heif)$/i.test(path) && /codec|compression format|heif/i.test(msg)) {
    return new GanvasError(
      'IMAGE_UNSUPPORTED',
      `${name} is a HEIC photo (HEVC inside HEIF, as phones save them), which Ganvas cannot decode; save it as JPEG first. AVIF files open.`,
      { cause: err },
    );
  }
  if (/unsupported image format/i.test(msg)) {
    return new GanvasError(
      'IMAGE_UNSUPPORTED',
      `${name} is not an image format Ganvas can open (supported: JPEG, PNG, WebP, TIFF, AVIF, GIF and camera RAW).`,
      { cause: err },
    );
  }
  return new GanvasError('IMAGE_UNREADABLE', `${name} is damaged or truncated and cannot be read.`, { cause: err, details: msg });
}

/** The photo's EXIF as a TIFF structure: libvips reports JPEG's, PNG's and WebP's, and a TIFF's is read from its tags. */
async function exifOf(path: string, md: Metadata): Promise<Uint8Array | null> {
  if (md.exif) return new Uint8Array(stripExifHeader(md.exif));
  if (md.format !== 'tiff') return null;
  const file = await open(path, 'r');
  try {
    return await exifFromTiff(fileReader(file));
  } finally {
    await file.close();
  }
}

/** Decodes a photo upright (EXIF orientation applied), in its own colour space, at its own bit depth. */
export async function openImage(path: string, opts: OpenOptions = {}): Promise<OpenedImage> {
  const name = basename(path);
  await checkReadableFile(path, 'photo');

  if (isRawPath(path)) {
    const { raster } = await decodeRaw(path, opts.limitInputPixels ?? DEFAULT_PIXEL_LIMIT);
    // LibRaw applies the camera's orientation and delivers sRGB: no profile to carry, nothing to rotate.
    return {
      raster,
      meta: { fileName: name, format: `raw (${extname(path).slice(1).toUpperCase()})`, exif: null, icc: null, xmp: null, orientation: 1, bitDepth: 16 },
      notices: [],
    };
  }
  const input = () => sharp(path, { limitInputPixels: opts.limitInputPixels ?? DEFAULT_PIXEL_LIMIT, failOn: 'warning', pages: 1 });
  try {
    const md = await input().metadata();
    if (!(SUPPORTED_INPUT_FORMATS as readonly string[]).includes(md.format ?? '')) {
      throw new GanvasError('IMAGE_UNSUPPORTED', `${name} is a ${md.format ?? 'unknown'} file, which Ganvas cannot open.`);
    }
    const grey = md.space === 'b-w' || md.space === 'grey16';
    const sixteen = md.depth === 'ushort';
    let pipeline = input().autoOrient();
    if (md.space === 'cmyk') pipeline = pipeline.toColourspace('srgb');
    else pipeline = pipeline.keepIccProfile();
    if (sixteen) pipeline = pipeline.toColourspace(grey ? 'grey16' : 'rgb16');
    else if (grey) pipeline = pipeline.toColourspace('b-w');
    const { data, info: out } = await pipeline.raw(sixteen ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
    const raster = rasterFromBuffer(data, out.width, out.height, out.channels as Channels, sixteen ? 16 : 8);
    const pages = md.pages ?? 1;
    const unit = md.format === 'tiff' || md.format === 'heif' ? 'pages' : 'frames';
    const notices = pages > 1 ? [`${name} has ${pages} ${unit}; only the first was opened.`] : [];
    return {
      raster,
      notices,
      meta: {
        fileName: name,
        format: md.format ?? 'unknown',
        exif: exifThatFits(await exifOf(path, md), name, notices),
        icc: md.icc && md.space !== 'cmyk' ? new Uint8Array(md.icc) : null,
        xmp: xmpThatFits(md.xmp ? md.xmp.toString('utf8') : null, name, notices),
        orientation: md.orientation ?? 1,
        bitDepth: sixteen ? 16 : 8,
      },
    };
  } catch (err) {
    throw err instanceof GanvasError ? err : describe(path, err);
  }
}
