/**
 * EXIF in TIFF files. A TIFF keeps its camera metadata as tags of its first directory (IFD0: Make,
 * Model, DateTime…) that point to an Exif and a GPS sub-directory; libvips neither reports them as
 * EXIF nor writes them. So a TIFF's EXIF is read here as the TIFF-structured block every other
 * format carries, and written back into the TIFF libvips encoded by appending a new IFD0.
 */

import type { FileHandle } from 'node:fs/promises';

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** The value's bytes in the byte order of the file it is written to. */
  value: Uint8Array;
  /** The entries of the directory a pointer tag (Exif, GPS, Interoperability) leads to. */
  sub?: Entry[];
}

/** Bytes per element of each TIFF field type (BYTE … IFD); 0 for unknown types, which are skipped. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** Bytes per number to swap when the byte order changes: a RATIONAL is two LONGs. */
const SWAP_UNIT = [0, 1, 1, 2, 4, 4, 1, 1, 2, 4, 4, 4, 8, 4];

const EXIF_IFD = 0x8769;
const GPS_IFD = 0x8825;
const INTEROP_IFD = 0xa005;
const POINTER_TAGS = new Set([EXIF_IFD, GPS_IFD, INTEROP_IFD]);
/** IFD0 tags that describe the photo rather than how its pixels are stored. Orientation is left out: pixels are upright. */
const DESCRIPTIVE_TAGS = new Set([0x010e, 0x010f, 0x0110, 0x0131, 0x0132, 0x013b, 0x8298, EXIF_IFD, GPS_IFD]);
/** Guards against a hostile file: directories nest at most Exif → Interoperability, and hold a sane number of entries. */
const MAX_DEPTH = 2;
const MAX_ENTRIES = 1000;
const MAX_VALUE_BYTES = 1 << 26;

interface Header {
  little: boolean;
  ifd0: number;
}

function header(bytes: Uint8Array): Header | null {
  if (bytes.length < 8) return null;
  const little = bytes[0] === 0x49 && bytes[1] === 0x49;
  if (!little && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // 42 is classic TIFF; BigTIFF (43) keeps 64-bit offsets that this reader does not follow.
  if (view.getUint16(2, little) !== 42) return null;
  return { little, ifd0: view.getUint32(4, little) };
}

interface Directory {
  entries: Entry[];
  next: number;
  /** Whether every entry was read (none skipped as unknown, oversized or out of the file). */
  complete: boolean;
}

async function readIfd(readAt: ReadAt, offset: number, little: boolean, depth: number): Promise<Directory | null> {
  const countBytes = await readAt(offset, 2);
  if (countBytes.length < 2) return null;
  const count = new DataView(countBytes.buffer, countBytes.byteOffset).getUint16(0, little);
  if (count > MAX_ENTRIES) return null;
  const table = await readAt(offset + 2, count * 12 + 4);
  if (table.length < count * 12 + 4) return null;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * 12;
    const tag = view.getUint16(at, little);
    const type = view.getUint16(at + 2, little);
    const count = view.getUint32(at + 4, little);
    const size = (TYPE_SIZE[type] ?? 0) * count;
    if (size === 0 || size > MAX_VALUE_BYTES) continue;
    const value = size <= 4 ? table.slice(at + 8, at + 8 + size) : await readAt(view.getUint32(at + 8, little), size);
    if (value.length < size) continue;
    const entry: Entry = { tag, type, count, value };
    if (POINTER_TAGS.has(tag)) {
      if (depth >= MAX_DEPTH || size !== 4) continue;
      const sub = await readIfd(readAt, new DataView(value.buffer, value.byteOffset).getUint32(0, little), little, depth + 1);
      if (!sub) continue;
      entry.sub = sub.entries;
    }
    entries.push(entry);
  }
  return { entries, next: view.getUint32(count * 12, little), complete: entries.length === count };
}

function swapped(entry: Entry): Entry {
  const unit = SWAP_UNIT[entry.type]!;
  const value = new Uint8Array(entry.value);
  if (unit > 1) for (let i = 0; i < value.length; i += unit) value.subarray(i, i + unit).reverse();
  return { ...entry, value, sub: entry.sub?.map(swapped) };
}

/** One directory and, after it, its out-of-line values and sub-directories, laid out to start at `start` in the file. */
function serialise(entries: Entry[], little: boolean, start: number, next = 0): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const tableSize = 2 + sorted.length * 12 + 4;
  const table = new Uint8Array(tableSize);
  const view = new DataView(table.buffer);
  view.setUint16(0, sorted.length, little);
  const parts: Uint8Array[] = [table];
  let end = start + tableSize;
  const place = (bytes: (at: number) => Uint8Array): number => {
    if (end % 2) {
      parts.push(new Uint8Array(1));
      end++;
    }
    const at = end;
    const tail = bytes(at);
    parts.push(tail);
    end += tail.length;
    return at;
  };
  sorted.forEach((e, i) => {
    const at = 2 + i * 12;
    view.setUint16(at, e.tag, little);
    view.setUint16(at + 2, e.type, little);
    view.setUint32(at + 4, e.count, little);
    if (e.sub)
      view.setUint32(
        at + 8,
        place((offset) => serialise(e.sub!, little, offset)),
        little,
      );
    else if (e.value.length > 4)
      view.setUint32(
        at + 8,
        place(() => e.value),
        little,
      );
    else table.set(e.value, at + 8);
  });
  view.setUint32(tableSize - 4, next, little);
  return Buffer.concat(parts);
}

/** Reads from a file already open, for the metadata of a TIFF too big to read whole. */
export const fileReader =
  (file: FileHandle): ReadAt =>
  async (offset, length) => {
    const bytes = new Uint8Array(length);
    const { bytesRead } = await file.read(bytes, 0, length, offset);
    return bytes.subarray(0, bytesRead);
  };

export const bufferReader =
  (bytes: Uint8Array): ReadAt =>
  async (offset, length) =>
    bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));

async function descriptiveEntries(readAt: ReadAt): Promise<{ little: boolean; entries: Entry[] } | null> {
  const head = header(await readAt(0, 8));
  if (!head) return null;
  const ifd0 = await readIfd(readAt, head.ifd0, head.little, 0);
  return ifd0 && { little: head.little, entries: ifd0.entries.filter((e) => DESCRIPTIVE_TAGS.has(e.tag)) };
}

/** The camera metadata of a TIFF file as an EXIF block (TIFF-structured, as JPEG's APP1 holds it), or null when it has none. */
export async function exifFromTiff(readAt: ReadAt): Promise<Uint8Array | null> {
  const found = await descriptiveEntries(readAt);
  if (!found || found.entries.length === 0) return null;
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  head.set(found.little ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, found.little);
  view.setUint32(4, 8, found.little);
  return Buffer.concat([head, serialise(found.entries, found.little, 8)]);
}

/**
 * The TIFF with the EXIF block's camera metadata added to its first directory: a new IFD0 (its
 * own tags, the EXIF's descriptive ones and sub-directories) appended and the header pointed at
 * it, so the pixel data does not move. Unchanged when either cannot be read.
 */
export async function withExifInTiff(tiff: Uint8Array, exif: Uint8Array): Promise<Uint8Array> {
  const head = header(tiff);
  const carried = await descriptiveEntries(bufferReader(exif));
  if (!head || !carried || carried.entries.length === 0) return tiff;
  const own = await readIfd(bufferReader(tiff), head.ifd0, head.little, 0);
  // Rewriting a directory with a tag left out would lose how the pixels are stored.
  if (!own?.complete) return tiff;
  const added = carried.little === head.little ? carried.entries : carried.entries.map(swapped);
  const tags = new Set(added.map((e) => e.tag));
  const start = tiff.length + (tiff.length % 2);
  const ifd = serialise([...own.entries.filter((e) => !tags.has(e.tag)), ...added], head.little, start, own.next);
  const out = Buffer.concat([tiff, new Uint8Array(start - tiff.length), ifd]);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(4, start, head.little);
  return out;
}
