/**
 * A 16-bit PSD, which ag-psd cannot write: the same document structure Photoshop reads — header,
 * image resources (ICC, EXIF, XMP), a layer record per layer (bounds, channels, blend key,
 * opacity, visibility, mask, Pascal and Unicode names), each channel's samples uncompressed and
 * big-endian, and the composite — written from Adobe's file format specification.
 */
import type { BlendMode } from '../document/blend.js';
import type { Raster } from '../images/raster.js';
import { rgbaOf, type LayeredImage, type LayeredMeta, type LayerPlane } from './layered.js';
import { IMAGE_RESOURCE, resourceBlocks } from './psd-resources.js';

const BLEND_KEYS: Record<BlendMode, string> = {
  normal: 'norm',
  multiply: 'mul ',
  screen: 'scrn',
  overlay: 'over',
  'soft-light': 'sLit',
  darken: 'dark',
  lighten: 'lite',
};

/** Channel ids: the colour planes are 0, 1, 2; then transparency and the user mask. */
const [ALPHA, MASK] = [-1, -2];

/** Bytes appended one after another, with big-endian numbers as PSD has them. */
class Bytes {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.byteLength;
    return this;
  }
  private number(size: number, write: (v: DataView) => void): this {
    const b = new Uint8Array(size);
    write(new DataView(b.buffer));
    return this.bytes(b);
  }
  u8 = (v: number) => this.number(1, (d) => d.setUint8(0, v));
  u16 = (v: number) => this.number(2, (d) => d.setUint16(0, v));
  i16 = (v: number) => this.number(2, (d) => d.setInt16(0, v));
  u32 = (v: number) => this.number(4, (d) => d.setUint32(0, v));
  i32 = (v: number) => this.number(4, (d) => d.setInt32(0, v));
  ascii = (s: string) => this.bytes(Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f));
  /** A section: its length (4 bytes) then its bytes, padded with zeros to a multiple of `pad`. */
  section(inner: Bytes, pad = 1): this {
    const padding = (pad - (inner.length % pad)) % pad;
    this.u32(inner.length + padding).bytes(inner.concat());
    return padding ? this.bytes(new Uint8Array(padding)) : this;
  }
  concat(): Uint8Array {
    return Buffer.concat(this.parts, this.length);
  }
}

/** One plane of 16-bit samples, big-endian: channel `c` of RGBA, or an 8-bit mask widened. */
function plane(r: Raster, c: number): Uint8Array {
  const n = r.width * r.height;
  const out = new Uint8Array(n * 2);
  const view = new DataView(out.buffer);
  for (let p = 0; p < n; p++) view.setUint16(p * 2, r.channels === 1 ? r.data[p]! * 257 : r.data[p * r.channels + c]!);
  return out;
}

function resources(meta: LayeredMeta): Bytes {
  return new Bytes().bytes(
    resourceBlocks([
      ...(meta.icc ? ([[IMAGE_RESOURCE.icc, meta.icc]] as const) : []),
      ...(meta.exif ? ([[IMAGE_RESOURCE.exif, meta.exif]] as const) : []),
      ...(meta.xmp ? ([[IMAGE_RESOURCE.xmp, new TextEncoder().encode(meta.xmp)]] as const) : []),
    ]),
  );
}

function layerRecord(l: LayerPlane, channels: { id: number; data: Uint8Array }[]): Bytes {
  const { width, height } = l.pixels;
  const record = new Bytes()
    .i32(l.top)
    .i32(l.left)
    .i32(l.top + height)
    .i32(l.left + width)
    .u16(channels.length);
  for (const ch of channels) record.i16(ch.id).u32(ch.data.byteLength + 2);
  record
    .ascii('8BIM')
    .ascii(BLEND_KEYS[l.blend])
    .u8(Math.round(l.opacity * 255))
    .u8(0)
    .u8(l.visible ? 0 : 2)
    .u8(0);
  const extra = new Bytes();
  const mask = new Bytes();
  if (l.mask)
    mask
      .i32(l.top)
      .i32(l.left)
      .i32(l.top + height)
      .i32(l.left + width)
      .u8(0)
      .u8(0)
      .u16(0);
  extra.section(mask);
  extra.u32(0); // no blending ranges
  // The name as a Pascal string (ASCII, padded to 4), and in full as Unicode ('luni').
  const ascii = new TextEncoder().encode(l.name.replace(/[^\x20-\x7e]/g, '_')).subarray(0, 255);
  extra.u8(ascii.byteLength).bytes(ascii);
  const pad = (4 - ((ascii.byteLength + 1) % 4)) % 4;
  if (pad) extra.bytes(new Uint8Array(pad));
  const unicode = new Bytes().u32(l.name.length);
  for (let i = 0; i < l.name.length; i++) unicode.u16(l.name.charCodeAt(i));
  extra.ascii('8BIM').ascii('luni').section(unicode, 4);
  return record.section(extra);
}

export function encodePsd16(image: LayeredImage, meta: LayeredMeta): Uint8Array {
  const composite = rgbaOf(image.composite, 16);
  // An opaque composite is written as RGB; one with transparency as RGBA, its alpha marked as such by a negative layer count.
  let opaque = true;
  for (let p = 3; p < composite.data.length && opaque; p += 4) opaque = composite.data[p] === 65535;
  const planes = opaque ? [0, 1, 2] : [0, 1, 2, 3];
  const header = new Bytes().ascii('8BPS').u16(1).bytes(new Uint8Array(6)).u16(planes.length).u32(image.height).u32(image.width).u16(16).u16(3);
  const layerInfo = new Bytes().i16(opaque ? image.layers.length : -image.layers.length);
  const channelData = new Bytes();
  for (const l of image.layers) {
    const pixels = rgbaOf(l.pixels, 16);
    const channels = [
      { id: ALPHA, data: plane(pixels, 3) },
      ...[0, 1, 2].map((c) => ({ id: c, data: plane(pixels, c) })),
      ...(l.mask ? [{ id: MASK, data: plane(l.mask, 0) }] : []),
    ];
    layerInfo.bytes(layerRecord(l, channels).concat());
    for (const ch of channels) channelData.u16(0).bytes(ch.data); // compression 0: raw
  }
  layerInfo.bytes(channelData.concat());
  const layersAndMasks = new Bytes().section(layerInfo, 4).u32(0); // no global layer mask
  const out = new Bytes()
    .bytes(header.concat())
    .u32(0) // no colour mode data
    .section(resources(meta))
    .section(layersAndMasks)
    .u16(0); // the composite, uncompressed
  for (const c of planes) out.bytes(plane(composite, c));
  return out.concat();
}
