import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

const SIGNATURE_AND_IHDR = 8 + 25;

/**
 * Inserts iCCP and eXIf chunks right after IHDR (both must precede IDAT). libvips reads them back,
 * which is how a raw pixel buffer gets the photo's own profile and EXIF without a colour transform.
 */
export function addPngMetadata(png: Buffer, meta: { icc: Uint8Array | null; exif: Uint8Array | null }): Buffer {
  const extra: Buffer[] = [];
  if (meta.icc) extra.push(chunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(meta.icc)])));
  if (meta.exif) extra.push(chunk('eXIf', meta.exif));
  if (extra.length === 0) return png;
  return Buffer.concat([png.subarray(0, SIGNATURE_AND_IHDR), ...extra, png.subarray(SIGNATURE_AND_IHDR)]);
}
