/**
 * OpenRaster (.ora), GIMP's, Krita's and MyPaint's open format: a zip holding `mimetype` (first,
 * stored), `stack.xml` (the layers, top first), one PNG per layer, `mergedimage.png` and a
 * thumbnail. PNG layers keep 16 bits. OpenRaster has no layer masks: a mask is multiplied into
 * its layer's transparency.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import sharp from 'sharp';
import type { BlendMode } from '../document/blend.js';
import { GanvasError, errorMessage } from '../errors.js';
import { stripExifHeader } from '../images/exif.js';
import { addPngMetadata } from '../images/png-chunks.js';
import { rasterFromBuffer, sharpInput, type Channels, type Raster } from '../images/raster.js';
import { rgbaOf, withMaskInAlpha, type LayeredImage, type LayeredMeta, type LayerPlane } from './layered.js';

const MIMETYPE = 'image/openraster';
const THUMBNAIL_SIDE = 256;

const TO_ORA: Record<BlendMode, string> = {
  normal: 'svg:src-over',
  multiply: 'svg:multiply',
  screen: 'svg:screen',
  overlay: 'svg:overlay',
  'soft-light': 'svg:soft-light',
  darken: 'svg:darken',
  lighten: 'svg:lighten',
};
const FROM_ORA = new Map(Object.entries(TO_ORA).map(([ours, theirs]) => [theirs, ours as BlendMode]));

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const xmlUnescape = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|lt|gt|amp|quot|apos);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(parseInt(e.slice(e[1] === 'x' ? 2 : 1), e[1] === 'x' ? 16 : 10))
      : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()]!,
  );

async function png(r: Raster, meta: LayeredMeta): Promise<Uint8Array> {
  const encoded = await sharp(...sharpInput(r))
    .toColourspace(r.depth === 16 ? 'rgb16' : 'srgb')
    .png({ compressionLevel: 6 })
    .toBuffer();
  return addPngMetadata(encoded, { icc: meta.icc, exif: meta.exif });
}

export async function encodeOra(image: LayeredImage, meta: LayeredMeta, depth: 8 | 16): Promise<Uint8Array> {
  const layers = [...image.layers].reverse();
  const files: Zippable = { mimetype: [strToU8(MIMETYPE), { level: 0 }] };
  const entries = layers.map((l, i) => ({ l, src: `data/layer${layers.length - 1 - i}.png` }));
  const stack = entries
    .map(
      ({ l, src }) =>
        `    <layer name="${xmlEscape(l.name)}" src="${src}" x="${l.left}" y="${l.top}" opacity="${l.opacity}" visibility="${l.visible ? 'visible' : 'hidden'}" composite-op="${TO_ORA[l.blend]}"/>`,
    )
    .join('\n');
  files['stack.xml'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8"?>\n<image version="0.0.3" w="${image.width}" h="${image.height}">\n  <stack>\n${stack}\n  </stack>\n</image>\n`,
  );
  // Already compressed: stored, not deflated again.
  for (const { l, src } of entries) files[src] = [await png(rgbaOf(withMaskInAlpha(l), depth), meta), { level: 0 }];
  files['mergedimage.png'] = [await png(rgbaOf(image.composite, depth), meta), { level: 0 }];
  const thumbnail = await sharp(...sharpInput(rgbaOf(image.composite, 8)))
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
  files['Thumbnails/thumbnail.png'] = [thumbnail, { level: 0 }];
  if (meta.xmp) files['metadata.xmp'] = strToU8(meta.xmp);
  return zipSync(files);
}

/** The attributes of every `<layer …/>` in a stack, top first; nested stacks (groups) are walked into. */
function layerElements(xml: string): { attrs: Record<string, string>; groups: number }[] {
  const out: { attrs: Record<string, string>; groups: number }[] = [];
  let depth = 0;
  for (const m of xml.matchAll(/<(\/?)(stack|layer)\b([^>]*?)\/?>/g)) {
    const [, closing, tag, body] = m;
    if (tag === 'stack') {
      depth += closing ? -1 : 1;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of body!.matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = xmlUnescape(a[3] ?? a[4] ?? '');
    out.push({ attrs, groups: Math.max(0, depth - 1) });
  }
  return out;
}

/** A name inside the zip, never a path that leaves it. */
function safeEntry(src: string | undefined, name: string): string {
  if (!src || src.startsWith('/') || src.includes('\\') || /^[a-z]+:/i.test(src) || src.split('/').some((part) => part === '..' || part === ''))
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} names a layer file outside the archive (“${src ?? ''}”); it was not opened.`);
  return src;
}

export async function decodeOra(bytes: Uint8Array, name: string, pixelLimit: number): Promise<{ image: LayeredImage; meta: LayeredMeta; notices: string[] }> {
  // Each entry may inflate to at most what the pixel limit allows in 16-bit RGBA (and a PNG's overhead).
  const most = pixelLimit * 8 + 1_000_000;
  let files: Record<string, Uint8Array>;
  try {
    let tooBig = '';
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > most) tooBig = f.name;
        return f.originalSize <= most;
      },
    });
    if (tooBig)
      throw new GanvasError('IMAGE_TOO_LARGE', `${name} holds ${tooBig}, larger than any layer the pixel limit of this app allows; it was not opened.`);
  } catch (err) {
    if (err instanceof GanvasError) throw err;
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} cannot be read as an OpenRaster file: ${errorMessage(err)}.`);
  }
  if (!files.mimetype || strFromU8(files.mimetype).trim() !== MIMETYPE)
    throw new GanvasError('IMAGE_UNSUPPORTED', `${name} is not an OpenRaster file (its mimetype entry is missing or not ${MIMETYPE}).`);
  if (!files['stack.xml']) throw new GanvasError('IMAGE_UNSUPPORTED', `${name} has no stack.xml, so its layers cannot be found.`);
  const xml = strFromU8(files['stack.xml']);
  const size = /<image\b[^>]*?\bw\s*=\s*["'](\d+)["'][^>]*?\bh\s*=\s*["'](\d+)["']/.exec(xml);
  const [width, height] = [Number(size?.[1] ?? 0), Number(size?.[2] ?? 0)];
  if (!(width > 0 && height > 0)) throw new GanvasError('IMAGE_UNSUPPORTED', `${name}: its stack.xml gives no canvas size.`);
  if (width * height > pixelLimit)
    throw new GanvasError('IMAGE_TOO_LARGE', `${name} is ${width}×${height}, more pixels than the limit of this app (${pixelLimit.toLocaleString('en')}).`);

  const decodePng = async (entry: string): Promise<Raster> => {
    const data = files[entry];
    if (!data) throw new GanvasError('IMAGE_UNSUPPORTED', `${name}: its stack names ${entry}, which the archive does not hold.`);
    try {
      const input = sharp(data, { limitInputPixels: pixelLimit, failOn: 'warning' });
      const sixteen = (await input.metadata()).depth === 'ushort';
      const { data: raw, info } = await input
        .ensureAlpha()
        .toColourspace(sixteen ? 'rgb16' : 'srgb')
        .raw(sixteen ? { depth: 'ushort' } : {})
        .toBuffer({ resolveWithObject: true });
      return rasterFromBuffer(raw, info.width, info.height, info.channels as Channels, sixteen ? 16 : 8);
    } catch (err) {
      throw new GanvasError('IMAGE_UNSUPPORTED', `${name}: ${entry} cannot be read (${errorMessage(err)}).`);
    }
  };

  const notices: string[] = [];
  const layers: LayerPlane[] = [];
  const elements = layerElements(xml);
  if (elements.some((e) => e.groups > 0)) notices.push(`${name} has layer groups; their layers were opened one by one.`);
  for (const { attrs } of [...elements].reverse()) {
    const src = safeEntry(attrs.src, name);
    const blend = FROM_ORA.get(attrs['composite-op'] ?? 'svg:src-over');
    if (!blend) notices.push(`“${attrs.name ?? src}” had the blend mode ${attrs['composite-op']}, which Ganvas does not have; it is Normal now.`);
    const opacity = Number(attrs.opacity ?? 1);
    layers.push({
      name: attrs.name ?? src,
      pixels: await decodePng(src),
      left: Math.round(Number(attrs.x ?? 0)) || 0,
      top: Math.round(Number(attrs.y ?? 0)) || 0,
      mask: null,
      opacity: Number.isFinite(opacity) ? Math.min(1, Math.max(0, opacity)) : 1,
      blend: blend ?? 'normal',
      visible: attrs.visibility !== 'hidden',
    });
  }
  const composite = files['mergedimage.png'] ? await decodePng('mergedimage.png') : layers.at(-1)?.pixels;
  if (!composite) throw new GanvasError('IMAGE_UNSUPPORTED', `${name} has no layers.`);
  const merged = files['mergedimage.png'];
  const md = merged ? await sharp(merged).metadata() : null;
  const meta = {
    icc: md?.icc ? new Uint8Array(md.icc) : null,
    exif: md?.exif ? new Uint8Array(stripExifHeader(md.exif)) : null,
    xmp: files['metadata.xmp'] ? strFromU8(files['metadata.xmp']) : null,
  };
  return { image: { width, height, layers, composite }, meta, notices };
}
