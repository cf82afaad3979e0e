import { createHash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { removeLeftoverTemps, tempPathBeside } from '../atomic-file.js';
import { GanvasError, errorMessage } from '../errors.js';

/**
 * A project file: a signature, named binary entries one after another, a JSON manifest as the
 * last entry, and a trailer pointing at it. The manifest lists every entry's offset, length and
 * sha256, so a truncated or damaged file is detected and reported by entry.
 */
const SIGNATURE = Buffer.from([0x89, 0x47, 0x56, 0x53, 0x0d, 0x0a, 0x1a, 0x0a]); // \x89GVS\r\n\x1a\n, like PNG's
const TRAILER_MAGIC = Buffer.from('GVSEND\0\0', 'latin1');
const CONTAINER_VERSION = 1;
const HEADER_BYTES = SIGNATURE.length + 4;
const TRAILER_BYTES = 16;

export interface EntryRef {
  offset: number;
  length: number;
  sha256: string;
}

export class ContainerWriter {
  private offset = HEADER_BYTES;
  readonly entries: Record<string, EntryRef> = {};

  private constructor(
    private readonly fh: FileHandle,
    readonly tmpPath: string,
  ) {}

  /** Starts writing beside `target`; nothing touches the target until `commit`. */
  static async create(target: string): Promise<ContainerWriter> {
    const tmpPath = tempPathBeside(target);
    const fh = await open(tmpPath, 'wx');
    const header = Buffer.alloc(HEADER_BYTES);
    SIGNATURE.copy(header);
    header.writeUInt32LE(CONTAINER_VERSION, SIGNATURE.length);
    await fh.write(header, 0, header.length, 0);
    return new ContainerWriter(fh, tmpPath);
  }

  async add(name: string, data: Uint8Array): Promise<string> {
    if (this.entries[name]) throw new Error(`entry ${name} written twice`);
    // The place is taken before the write starts, so entries added concurrently never overlap.
    const offset = this.offset;
    this.offset += data.byteLength;
    this.entries[name] = { offset, length: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
    await this.fh.write(data, 0, data.byteLength, offset);
    return name;
  }

  /** Writes the manifest and trailer, flushes to disk and renames over `target` in one step. */
  async commit(manifest: object, target: string): Promise<void> {
    const json = Buffer.from(JSON.stringify({ ...manifest, entries: this.entries }), 'utf8');
    const manifestAt = this.offset;
    await this.fh.write(json, 0, json.length, manifestAt);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(manifestAt % 2 ** 32, 0);
    trailer.writeUInt32LE(Math.floor(manifestAt / 2 ** 32), 4);
    TRAILER_MAGIC.copy(trailer, 8);
    await this.fh.write(trailer, 0, trailer.length, manifestAt + json.length);
    await this.fh.sync();
    await this.fh.close();
    await rename(this.tmpPath, target);
    await syncDir(dirname(target));
    await removeLeftoverTemps(dirname(target));
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.tmpPath, { force: true });
  }
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** How many format versions ahead of ours a header may claim and still be taken as "newer". */
const PLAUSIBLE_NEWER_VERSIONS = 100;

/**
 * The manifest's entry table as a Map (no prototype lookups: an entry named `__proto__` or
 * `constructor` is just missing), keeping only entries that lie wholly between the header and
 * the manifest: a declared length is never trusted to allocate.
 */
function entriesIn(table: unknown, manifestAt: number): Map<string, EntryRef> {
  const entries = new Map<string, EntryRef>();
  if (typeof table !== 'object' || table === null) return entries;
  for (const [name, e] of Object.entries(table as Record<string, unknown>)) {
    const { offset, length, sha256 } = (e ?? {}) as Partial<EntryRef>;
    const fits = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset! >= HEADER_BYTES && length! >= 0 && offset! + length! <= manifestAt;
    if (fits && typeof sha256 === 'string') entries.set(name, { offset: offset!, length: length!, sha256 });
  }
  return entries;
}

export class ContainerReader {
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly manifest: Record<string, unknown>,
    private readonly entries: Map<string, EntryRef>,
  ) {}

  /** Where an entry lies in the file, if the file has it. */
  entry(name: string): EntryRef | undefined {
    return this.entries.get(name);
  }

  static async open(path: string): Promise<ContainerReader> {
    const name = basename(path);
    const bad = (problem: string, cause?: unknown) => new GanvasError('PROJECT_UNREADABLE', `${name} cannot be opened: ${problem}.`, { cause });
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      throw bad(errorMessage(err), err);
    }
    try {
      const { size } = await fh.stat();
      const head = Buffer.alloc(HEADER_BYTES);
      await fh.read(head, 0, HEADER_BYTES, 0);
      if (size < HEADER_BYTES || !head.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw bad('it is not a Ganvas project');
      const version = head.readUInt32LE(SIGNATURE.length);
      // Formats count up one by one: a version far beyond ours is a damaged header, not the future.
      if (version > CONTAINER_VERSION && version <= CONTAINER_VERSION + PLAUSIBLE_NEWER_VERSIONS) {
        throw new GanvasError(
          'PROJECT_TOO_NEW',
          `${name} was saved by a newer Ganvas (file format ${version}; this version reads up to ${CONTAINER_VERSION}). Update Ganvas to open it.`,
        );
      }
      if (version === 0 || version > CONTAINER_VERSION) throw bad('its header is damaged');
      const trailer = Buffer.alloc(TRAILER_BYTES);
      await fh.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
      if (size < HEADER_BYTES + TRAILER_BYTES || !trailer.subarray(8).equals(TRAILER_MAGIC))
        throw bad('the file is truncated (it ends before its table of contents)');
      const manifestAt = trailer.readUInt32LE(0) + trailer.readUInt32LE(4) * 2 ** 32;
      if (manifestAt < HEADER_BYTES || manifestAt >= size - TRAILER_BYTES) throw bad('its table of contents is damaged');
      const json = Buffer.alloc(size - TRAILER_BYTES - manifestAt);
      await fh.read(json, 0, json.length, manifestAt);
      let manifest: Record<string, unknown>;
      try {
        manifest = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
      } catch (err) {
        throw bad('its table of contents is damaged', err);
      }
      if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw bad('its table of contents is damaged');
      return new ContainerReader(fh, path, manifest, entriesIn(manifest.entries, manifestAt));
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** An entry's bytes, or the reason they cannot be trusted. */
  async read(name: string): Promise<{ ok: true; data: Buffer } | { ok: false; problem: string }> {
    const e = this.entry(name);
    if (!e) return { ok: false, problem: 'missing from the file' };
    const data = Buffer.alloc(e.length);
    const { bytesRead } = await this.fh.read(data, 0, e.length, e.offset);
    if (bytesRead !== e.length) return { ok: false, problem: 'cut short' };
    if (createHash('sha256').update(data).digest('hex') !== e.sha256) return { ok: false, problem: 'damaged (checksum mismatch)' };
    return { ok: true, data };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
