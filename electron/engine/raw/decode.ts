import { basename, extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GanvasError } from '../errors.js';
import type { Raster } from '../images/raster.js';
import { workerUrl } from '../worker-url.js';
import type { RawReply, RawRequest } from './protocol.js';

/** Camera RAW formats by extension (LibRaw reads many more; these are the ones offered in dialogs). */
export const RAW_EXTENSIONS = [
  'dng',
  'arw',
  'srf',
  'sr2',
  'cr2',
  'cr3',
  'crw',
  'nef',
  'nrw',
  'raf',
  'orf',
  'rw2',
  'pef',
  'srw',
  'x3f',
  '3fr',
  'iiq',
  'erf',
  'kdc',
  'mrw',
  'raw',
] as const;

export function isRawPath(path: string): boolean {
  return (RAW_EXTENSIONS as readonly string[]).includes(extname(path).slice(1).toLowerCase());
}

/**
 * Decodes a camera RAW file to 16-bit sRGB: demosaiced, white-balanced as shot, exposure as shot
 * (no auto-brightening), upright. Runs LibRaw on a thread of its own for each file.
 */
export async function decodeRaw(path: string, pixelLimit: number): Promise<{ raster: Raster; camera: string }> {
  const worker = new Worker(workerUrl(import.meta.url, './raw-worker.js', 'raw'));
  try {
    const reply = await new Promise<RawReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ path, pixelLimit } satisfies RawRequest);
    });
    if (reply.ok) return { raster: reply.raster, camera: reply.camera };
    const name = basename(path);
    throw reply.code === 'IMAGE_TOO_LARGE'
      ? new GanvasError('IMAGE_TOO_LARGE', `${name} is too large to open (${reply.message}).`)
      : new GanvasError('IMAGE_UNREADABLE', `${name} cannot be decoded as camera RAW: ${reply.message}.`);
  } finally {
    await worker.terminate();
  }
}
