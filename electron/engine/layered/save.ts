import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { GanvasError } from '../errors.js';
import { LAYERED_EXTENSIONS, type LayeredFormat } from '../images/formats.js';
import type { LayeredImage, LayeredMeta } from './layered.js';
import { decodeOra, encodeOra } from './ora.js';
import { decodePsd, encodePsd } from './psd.js';

/** Writes a layered image atomically (a temporary file beside the target, renamed over it). */
export async function saveLayered(image: LayeredImage, path: string, opts: { format: LayeredFormat; bitDepth: 8 | 16 }, meta: LayeredMeta): Promise<void> {
  const bytes = opts.format === 'psd' ? encodePsd(image, meta, opts.bitDepth) : await encodeOra(image, meta, opts.bitDepth);
  await writeFileAtomic(path, bytes, { clearLeftovers: false, createFolder: false });
}

export function isLayeredPath(path: string): boolean {
  return LAYERED_EXTENSIONS.includes(extname(path).slice(1).toLowerCase());
}

/** Reads a PSD or OpenRaster file's layers; `notices` name what could not be kept as it was. */
export async function openLayered(path: string, pixelLimit: number): Promise<{ image: LayeredImage; meta: LayeredMeta; notices: string[] }> {
  const bytes = new Uint8Array(await readFile(path));
  const name = basename(path);
  if (extname(path).toLowerCase() === '.psd') return decodePsd(bytes, name, pixelLimit);
  if (extname(path).toLowerCase() === '.ora') return decodeOra(bytes, name, pixelLimit);
  throw new GanvasError('IMAGE_UNSUPPORTED', `${name} is neither a PSD nor an OpenRaster file.`);
}
