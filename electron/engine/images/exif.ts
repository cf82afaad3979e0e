const ORIENTATION_TAG = 0x0112;

/**
 * Sets the Orientation tag of a TIFF-structured EXIF block to 1 (upright), in a copy.
 * Pixels are rotated upright on open, so an exported file must not ask viewers to rotate again.
 */
export function withUprightOrientation(exif: Uint8Array): Uint8Array {
  const out = new Uint8Array(exif);
  if (out.length < 8) return out;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const little = out[0] === 0x49 && out[1] === 0x49;
  const big = out[0] === 0x4d && out[1] === 0x4d;
  if (!little && !big) return out;
  const ifd0 = view.getUint32(4, little);
  if (ifd0 + 2 > out.length) return out;
  const count = view.getUint16(ifd0, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > out.length) break;
    if (view.getUint16(entry, little) === ORIENTATION_TAG) {
      view.setUint16(entry + 8, 1, little);
      break;
    }
  }
  return out;
}

/** sharp reports EXIF with the JPEG APP1 "Exif\0\0" prefix; PNG's eXIf chunk holds the TIFF part alone. */
export function stripExifHeader(exif: Uint8Array): Uint8Array {
  const header = [0x45, 0x78, 0x69, 0x66, 0, 0];
  return header.every((b, i) => exif[i] === b) ? exif.subarray(6) : exif;
}

/** The most EXIF a photo file can carry: JPEG's APP1 segment (64 KB, less its "Exif" header), and so every export format Ganvas writes. */
export const MAX_EXIF_BYTES = 65_527;

/** The EXIF to keep, or null with a notice naming the file when it is more than any export could write. */
export function exifThatFits(exif: Uint8Array | null, fileName: string, notices: string[]): Uint8Array | null {
  if (!exif || exif.length <= MAX_EXIF_BYTES) return exif;
  notices.push(
    `${fileName}'s EXIF metadata is ${(exif.length / 2 ** 20).toFixed(1)} MB, more than a photo file can hold (64 KB); it was left out. The colour profile is kept.`,
  );
  return null;
}
