import { readdirSync, rmSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { describeFsError } from '../files.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';
import { allocSamples, type Raster } from '../images/raster.js';
import type { PatchSet } from './patches.js';

/** Pixels kept by history: a whole raster, or the tiles of one that an edit changed. */
export type StoredPixels = { kind: 'raster'; raster: Raster } | { kind: 'patches'; patches: PatchSet };

export type BlobId = number;

interface Entry {
  value: StoredPixels;
  /** Set while the samples are on disk only; the value then holds an empty array. */
  spilled: boolean;
  file: string | null;
  bytes: number;
  depth: Raster['depth'];
  lastUse: number;
}

export const DEFAULT_HISTORY_BUDGET = 2 * 2 ** 30;

/** How long memory may stay over the budget after a failed spill before writing to disk is tried again. */
const SPILL_RETRY_MS = 30_000;

function samplesOf(v: StoredPixels): Uint8Array | Uint16Array {
  return v.kind === 'raster' ? v.raster.data : v.patches.data;
}

function withSamples(v: StoredPixels, data: Uint8Array | Uint16Array): StoredPixels {
  return v.kind === 'raster' ? { kind: 'raster', raster: { ...v.raster, data } } : { kind: 'patches', patches: { ...v.patches, data } };
}

/** Removes spill folders left behind by sessions that crashed (their process is gone). */
function removeStaleSpillDirs(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/**
 * Holds history pixels within a memory budget. When the budget is exceeded the least recently
 * used blobs are written to the cache folder and their memory dropped; reading one brings it back.
 */
export class HistoryStore {
  private readonly entries = new Map<BlobId, Entry>();
  private nextId = 1;
  private clock = 0;
  private dir: string | null = null;
  private spilling: Promise<void> = Promise.resolve();
  private spillPending = false;
  /** The largest blob put so far: spilling leaves this much room, so the next step of that size lands within the budget. */
  private headroom = 0;
  /** After a failed spill (disk full, folder not writable) memory may exceed the budget until then; retried later. */
  private spillPausedUntil = 0;

  constructor(
    private budgetBytes: number,
    private readonly spillRoot: string,
    /** Told when history cannot move to disk, so the user learns why memory grows past the budget. */
    private readonly onSpillFailed: (message: string) => void = () => {},
  ) {
    removeStaleSpillDirs(spillRoot);
  }

  setBudget(bytes: number): void {
    this.budgetBytes = bytes;
    this.scheduleSpill();
  }

  get budget(): number {
    return this.budgetBytes;
  }

  /** Bytes of history pixels held in memory now. */
  get memoryBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (!e.spilled) n += e.bytes;
    return n;
  }

  get diskBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.file) n += e.bytes;
    return n;
  }

  put(value: StoredPixels): BlobId {
    const id = this.nextId++;
    const samples = samplesOf(value);
    const depth = samples instanceof Uint16Array ? 16 : 8;
    this.entries.set(id, { value, spilled: false, file: null, bytes: samples.byteLength, depth, lastUse: ++this.clock });
    this.headroom = Math.max(this.headroom, samples.byteLength);
    this.scheduleSpill();
    return id;
  }

  async get(id: BlobId): Promise<StoredPixels> {
    const e = this.entries.get(id);
    if (!e) throw new Error(`history blob ${id} is gone`);
    e.lastUse = ++this.clock;
    if (!e.spilled) return e.value;
    const samples = allocSamples(e.bytes / (e.depth / 8), e.depth);
    const fh = await open(e.file!, 'r');
    try {
      await fh.read(new Uint8Array(samples.buffer), 0, e.bytes, 0);
    } finally {
      await fh.close();
    }
    // The caller keeps this value even if enforcing the budget drops the store's copy again at once.
    const value = withSamples(e.value, samples);
    e.value = value;
    e.spilled = false;
    this.scheduleSpill();
    return value;
  }

  /** Reads a blob and forgets it: history steps hand their pixels back when they are applied. */
  async take(id: BlobId): Promise<StoredPixels> {
    const v = await this.get(id);
    this.release(id);
    return v;
  }

  release(id: BlobId): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    if (e.file) void rm(e.file, { force: true });
  }

  /** Resolves when no spill is in progress and memory is within the budget, with room for one more step. */
  async settled(): Promise<void> {
    while (this.spillPending) await this.spilling;
  }

  private scheduleSpill(): void {
    if (this.spillPending || Date.now() < this.spillPausedUntil || this.memoryBytes <= this.spillTarget) return;
    this.spillPending = true;
    this.spilling = this.spillUntilWithinBudget()
      .catch((err: unknown) => {
        this.spillPausedUntil = Date.now() + SPILL_RETRY_MS;
        this.onSpillFailed(
          `Undo history cannot be moved to disk (${describeFsError(err, this.spillRoot, true)} in ${this.spillRoot}), so it stays in memory beyond its ${(this.budgetBytes / 2 ** 30).toFixed(1)} GB budget. Free some disk space or lower the number of edits you keep.`,
        );
      })
      .finally(() => (this.spillPending = false));
  }

  /** Writes to disk are asynchronous, so the room for the next step is made before it comes, not after. */
  private get spillTarget(): number {
    return this.budgetBytes - this.headroom;
  }

  private async spillDir(): Promise<string> {
    if (!this.dir) {
      const dir = join(this.spillRoot, `${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(dir, { recursive: true });
      this.dir = dir;
    }
    return this.dir;
  }

  private async spillUntilWithinBudget(): Promise<void> {
    while (this.memoryBytes > this.spillTarget) {
      let victim: [BlobId, Entry] | null = null;
      for (const kv of this.entries) if (!kv[1].spilled && (!victim || kv[1].lastUse < victim[1].lastUse)) victim = kv;
      if (!victim) return;
      const [id, e] = victim;
      if (!e.file) {
        const file = join(await this.spillDir(), `${id}.bin`);
        const samples = samplesOf(e.value);
        try {
          await writeFile(file, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
        } catch (err) {
          await rm(file, { force: true });
          throw err;
        }
        if (!this.entries.has(id)) {
          await rm(file, { force: true });
          continue;
        }
        e.file = file;
      }
      e.value = withSamples(e.value, e.depth === 16 ? new Uint16Array(0) : new Uint8Array(0));
      e.spilled = true;
    }
  }

  async dispose(): Promise<void> {
    await this.settled();
    this.entries.clear();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
