import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { GanvasError, errorMessage } from '../errors.js';
import type { ModelEntry } from './catalog.js';
import { sha256File } from './sha256.js';
import type { ModelStore } from './store.js';

export interface InstallProgress {
  id: string;
  bytesDone: number;
  bytesTotal: number | null;
}

export interface InstallOptions {
  onProgress?: (p: InstallProgress) => void;
  signal?: AbortSignal;
  /** Required for models whose catalog entry records no hash (e.g. LaMa): the user confirms one. */
  sha256?: string;
}

function expectedSha(model: ModelEntry, opts: InstallOptions): string {
  const sha = model.sha256 ?? opts.sha256?.toLowerCase();
  if (!sha || !/^[0-9a-f]{64}$/.test(sha)) {
    throw new GanvasError(
      'MODEL_INSTALL_FAILED',
      `Model "${model.id}" has no published sha256; pass the hash you trust with --sha256 to install it.`,
    );
  }
  if (model.sha256 && opts.sha256 && opts.sha256.toLowerCase() !== model.sha256) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `The --sha256 given for "${model.id}" differs from the catalog's hash.`);
  }
  return sha;
}

/** Verifies `tmp` and renames it into place, so a model file is either complete and correct or absent. */
async function verifyAndCommit(model: ModelEntry, tmp: string, dest: string, sha: string): Promise<string> {
  const actual = await sha256File(tmp);
  if (actual !== sha) {
    await rm(tmp, { force: true });
    throw new GanvasError(
      'MODEL_CORRUPT',
      `Refused to install "${model.id}": its sha256 is ${actual}, expected ${sha}. The file was discarded.`,
    );
  }
  await rename(tmp, dest);
  return dest;
}

/** Copies a model from an offline mirror folder (laid out like the catalog's `file` paths, or flat). */
export async function installFromDir(store: ModelStore, model: ModelEntry, mirror: string, opts: InstallOptions = {}): Promise<string> {
  const sha = expectedSha(model, opts);
  const candidates = [join(mirror, model.file), join(mirror, basename(model.file))];
  let source: string | null = null;
  for (const c of candidates) {
    if (await stat(c).then((s) => s.isFile(), () => false)) {
      source = c;
      break;
    }
  }
  if (!source) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Model "${model.id}" is not in ${mirror} (looked for ${candidates.join(' and ')}).`);
  }
  const dest = store.targetPath(model);
  await mkdir(store.dir, { recursive: true });
  const tmp = `${dest}.${process.pid}.copy`;
  await copyFile(source, tmp);
  const size = (await stat(tmp)).size;
  opts.onProgress?.({ id: model.id, bytesDone: size, bytesTotal: size });
  return verifyAndCommit(model, tmp, dest, sha);
}

/**
 * Downloads a model. An interrupted download leaves `<file>.part`; the next attempt asks the
 * server for the rest (HTTP Range) and starts over only if the server cannot resume.
 */
export async function installFromUrl(store: ModelStore, model: ModelEntry, url: string, opts: InstallOptions = {}): Promise<string> {
  const sha = expectedSha(model, opts);
  const dest = store.targetPath(model);
  const part = `${dest}.part`;
  await mkdir(store.dir, { recursive: true });
  const have = await stat(part).then((s) => s.size, () => 0);

  let response: Response;
  try {
    response = await fetch(url, {
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Download of "${model.id}" from ${url} failed: ${errorMessage(err)}`, { cause: err });
  }
  const resuming = have > 0 && response.status === 206;
  if (response.status === 416 && have > 0) {
    // The part file already holds everything the server has.
    return verifyAndCommit(model, part, dest, sha);
  }
  if (!response.ok || !response.body) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Download of "${model.id}" from ${url} failed: HTTP ${response.status}.`);
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (resuming ? have : 0) : model.bytes;
  let done = resuming ? have : 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      opts.onProgress?.({ id: model.id, bytesDone: done, bytesTotal: total });
      cb(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      counter,
      createWriteStream(part, { flags: resuming ? 'a' : 'w' }),
    );
  } catch (err) {
    throw new GanvasError(
      'MODEL_INSTALL_FAILED',
      `Download of "${model.id}" was interrupted after ${done} bytes (${errorMessage(err)}). Run the same install again to resume.`,
      { cause: err },
    );
  }
  return verifyAndCommit(model, part, dest, sha);
}
