/**
 * A PSD's image resources section, for what ag-psd neither reads nor writes (the ICC profile and
 * EXIF) and for Ganvas's own 16-bit writer: the blocks' layout and ids stated once.
 */

export const IMAGE_RESOURCE = { icc: 1039, exif: 1058, xmp: 1060 } as const;

export type ResourceList = readonly (readonly [id: number, data: Uint8Array])[];

const SIGNATURE = [0x38, 0x42, 0x49, 0x4d]; // '8BIM'

/** Resource blocks one after another: '8BIM', the id, an empty name (padded to two bytes), the size, the data (padded to even). */
export function resourceBlocks(resources: ResourceList): Uint8Array {
  return Buffer.concat(
    resources.map(([id, data]) => {
      const block = new Uint8Array(12 + data.byteLength + (data.byteLength % 2));
      const view = new DataView(block.buffer);
      block.set(SIGNATURE);
      view.setUint16(4, id);
      view.setUint32(8, data.byteLength);
      block.set(data, 12);
      return block;
    }),
  );
}

/** The image resources section follows the 26-byte header and the colour mode data (a length and its bytes). */
const sectionAt = (view: DataView) => 26 + 4 + view.getUint32(26);

/** `psd` with resource blocks added at the end of its image resources section. */
export function withResources(psd: Uint8Array, resources: ResourceList): Uint8Array {
  if (resources.length === 0) return psd;
  const view = new DataView(psd.buffer, psd.byteOffset, psd.byteLength);
  const start = sectionAt(view);
  const length = view.getUint32(start);
  const end = start + 4 + length;
  const blocks = resourceBlocks(resources);
  const out = Buffer.concat([psd.subarray(0, end), blocks, psd.subarray(end)]);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(start, length + blocks.byteLength);
  return out;
}

/** The data of the image resources with these ids, read from the section directly. */
export function resourcesOf(psd: Uint8Array, ids: number[]): Map<number, Uint8Array> {
  const found = new Map<number, Uint8Array>();
  const view = new DataView(psd.buffer, psd.byteOffset, psd.byteLength);
  const start = sectionAt(view);
  const end = Math.min(psd.byteLength, start + 4 + view.getUint32(start));
  let at = start + 4;
  while (at + 12 <= end && view.getUint32(at) === 0x3842494d) {
    const id = view.getUint16(at + 4);
    const nameLength = psd[at + 6]!;
    const sizeAt = at + 6 + nameLength + 1 + ((nameLength + 1) % 2);
    const size = view.getUint32(sizeAt);
    const dataAt = sizeAt + 4;
    if (dataAt + size > end) break;
    if (ids.includes(id)) found.set(id, psd.slice(dataAt, dataAt + size));
    at = dataAt + size + (size % 2);
  }
  return found;
}
