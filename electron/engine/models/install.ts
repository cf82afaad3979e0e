import { constants, createWriteStream } from 'node:fs';
import { access, copyFile, mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { GanvasError, errorMessage } from '../errors.js';
import { describeFsError } from '../files.js';
import type { ModelEntry } from './catalog.js';
import { sha256File } from './sha256.js';
import type { ModelStore } from './store.js';

export interface InstallProgress {
  id: string;
  bytesDone: number;
  bytesTotal: number | null;
  /** Over the last few seconds of this download (not counting what a resumed download had). */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
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
async function verifyAndCommit(store: ModelStore, model: ModelEntry, tmp: string, dest: string, sha: string): Promise<string> {
  const actual = await sha256File(tmp);
  if (actual !== sha) {
    await rm(tmp, { force: true });
    throw new GanvasError(
      'MODEL_CORRUPT',
      `Refused to install "${model.id}": its sha256 is ${actual}, expected ${sha}. The file was discarded.`,
    );
  }
  await rename(tmp, dest);
  store.forget(dest);
  return dest;
}

/** Refuses before any byte is written when the folder's disk cannot hold `bytes` more (with a little room to spare). */
async function checkFreeSpace(model: ModelEntry, dir: string, bytes: number | null): Promise<void> {
  if (bytes === null) return;
  const fs = await statfs(dir).catch(() => null);
  if (!fs) return;
  const free = fs.bavail * fs.bsize;
  if (free < bytes + 16 * 2 ** 20) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Not enough disk space for "${model.displayName}": it needs ${mb(bytes)} and ${dir} has ${mb(free)} free.`);
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The models folder, made if needed, with a message in words when it cannot be. */
async function modelsFolder(store: ModelStore): Promise<void> {
  await mkdir(store.dir, { recursive: true }).catch(async (err: unknown) => {
    // A recursive mkdir reports ENOENT for some failures (e.g. a read-only disk); a plain one says why.
    const real = await mkdir(store.dir).then(() => null, (e: unknown) => e);
    if (real === null) return;
    throw new GanvasError('MODEL_INSTALL_FAILED', `The models folder ${store.dir} cannot be created: ${describeFsError(real ?? err, store.dir, true)}.`, { cause: real ?? err });
  });
  await access(store.dir, constants.W_OK).catch((err: unknown) => {
    throw new GanvasError('MODEL_INSTALL_FAILED', `The models folder ${store.dir} cannot be written: ${describeFsError(err, store.dir, true)}.`, { cause: err });
  });
}

/** Checks that a mirror folder exists, once, before looking for models in it. */
export async function checkMirror(mirror: string): Promise<void> {
  const st = await stat(mirror).catch(() => null);
  if (!st?.isDirectory()) throw new GanvasError('NOT_FOUND', `The folder ${mirror} does not exist${st ? ' (it is a file)' : ''}; choose the folder that holds the models.`);
}

/** Copies a model from an offline mirror folder (laid out like the catalog's `file` paths, or flat). */
/** Where a folder (a mirror, or where a downloaded file is) holds a model's file, or null. */
export async function findInFolder(folder: string, model: ModelEntry): Promise<string | null> {
  for (const c of [join(folder, model.file), join(folder, basename(model.file))]) {
    if (await stat(c).then((s) => s.isFile(), () => false)) return c;
  }
  return null;
}

export async function installFromDir(store: ModelStore, model: ModelEntry, mirror: string, opts: InstallOptions = {}): Promise<string> {
  const source = await findInFolder(mirror, model);
  if (!source) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Model "${model.id}" is not in ${mirror} (looked for ${[...new Set([join(mirror, model.file), join(mirror, basename(model.file))])].join(' and ')}).`);
  }
  const sha = expectedSha(model, opts);
  const dest = store.targetPath(model);
  await modelsFolder(store);
  const size = (await stat(source)).size;
  await checkFreeSpace(model, store.dir, size);
  const tmp = `${dest}.${process.pid}.copy`;
  try {
    await copyFile(source, tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new GanvasError('MODEL_INSTALL_FAILED', `Could not copy "${model.id}" into ${store.dir}: ${describeFsError(err, dest, true)}.`, { cause: err });
  }
  opts.onProgress?.({ id: model.id, bytesDone: size, bytesTotal: size, bytesPerSecond: null, etaSeconds: 0 });
  return verifyAndCommit(store, model, tmp, dest, sha);
}

/**
 * Downloads a model. An interrupted download leaves `<file>.part`; the next attempt asks the
 * server for the rest (HTTP Range) and starts over only if the server cannot resume.
 */
export async function installFromUrl(store: ModelStore, model: ModelEntry, url: string, opts: InstallOptions = {}): Promise<string> {
  const sha = expectedSha(model, opts);
  const dest = store.targetPath(model);
  const part = `${dest}.part`;
  await modelsFolder(store);
  const have = await stat(part).then((s) => s.size, () => 0);
  await checkFreeSpace(model, store.dir, model.bytes === null ? null : model.bytes - have);

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
    return verifyAndCommit(store, model, part, dest, sha);
  }
  if (!response.ok || !response.body) {
    throw new GanvasError('MODEL_INSTALL_FAILED', `Download of "${model.id}" from ${url} failed: HTTP ${response.status}.`);
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (resuming ? have : 0) : model.bytes;
  let done = resuming ? have : 0;
  const speed = new Speedometer(done);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      const bytesPerSecond = speed.update(done);
      const etaSeconds = bytesPerSecond && total ? Math.max(0, (total - done) / bytesPerSecond) : null;
      opts.onProgress?.({ id: model.id, bytesDone: done, bytesTotal: total, bytesPerSecond, etaSeconds });
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
    if (opts.signal?.aborted) throw new GanvasError('CANCELLED', `Download of "${model.displayName}" cancelled; ${mb(done)} kept to resume later.`);
    throw new GanvasError(
      'MODEL_INSTALL_FAILED',
      `Download of "${model.id}" was interrupted after ${done} bytes (${describeFsError(err, part, true)}). Run the same install again to resume.`,
      { cause: err },
    );
  }
  return verifyAndCommit(store, model, part, dest, sha);
}

/** Bytes per second over a sliding window of about five seconds. */
class Speedometer {
  private readonly samples: [number, number][] = [];

  constructor(start: number) {
    this.samples.push([performance.now(), start]);
  }

  update(bytes: number): number | null {
    const now = performance.now();
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    return now - t0 > 200 ? ((bytes - b0) * 1000) / (now - t0) : null;
  }
}

/** Removes a model the user installed (a bundled one stays: it is part of the app). */
export async function removeModel(store: ModelStore, model: ModelEntry): Promise<void> {
  const path = store.locate(model);
  if (!path) throw new GanvasError('NOT_FOUND', `"${model.displayName}" is not installed.`);
  if (store.isBundled(path)) throw new GanvasError('INVALID_INPUT', `"${model.displayName}" comes with Ganvas and cannot be removed.`);
  if (!path.startsWith(store.dir)) throw new GanvasError('INVALID_INPUT', `"${model.displayName}" is in ${path}, outside your models folder; remove it there.`);
  await rm(path, { force: true });
  await rm(`${path}.part`, { force: true });
  store.forget(path);
}
