import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { AiEdit } from '../../electron/engine/document/layer.js';
import { openImage } from '../../electron/engine/images/open.js';
import { MAX_XMP_BYTES, xmpToWrite } from '../../electron/engine/images/xmp.js';
import { exiftoolRead, hasExiftool } from '../support/editors.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';

const engine = testEngine();
afterAll(() => engine.dispose());
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-photo-xmp-'));

/** The XMP Lightroom Classic writes into a TIFF it hands over: rating, label, keywords, rights and its own name as creator tool. */
const LIGHTROOM_XMP = [
  '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
  '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">',
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
  '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"',
  ' xmp:Rating="4" xmp:Label="Green" xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.0 (Windows)">',
  '<dc:subject><rdf:Bag><rdf:li>coffee</rdf:li><rdf:li>still life</rdf:li></rdf:Bag></dc:subject>',
  '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2026 A. Photographer</rdf:li></rdf:Alt></dc:rights>',
  '</rdf:Description>',
  '</rdf:RDF>',
  '</x:xmpmeta>',
  '<?xpacket end="w"?>',
].join('\n');

const edit: AiEdit = { toolId: 'enhance', modelId: 'realesr-general-x4v3', provider: 'cpu', params: {} };

async function lightroomTiff(name: string, xmp = LIGHTROOM_XMP): Promise<string> {
  const file = join(tmp, name);
  await sharp(photo('coffee.png')).toColourspace('rgb16').withXmp(xmp).tiff({ compression: 'lzw' }).toFile(file);
  return file;
}

const xmpOf = async (file: string) => (await sharp(file).metadata()).xmp?.toString('utf8') ?? null;

describe("the photo's own XMP (rating, keywords, rights) goes wherever the photo goes", () => {
  it('written back for Lightroom, exported, and through a project, the packet is the photo’s own', async () => {
    const file = await lightroomTiff('IMG_0002-Edit.tif');
    const doc = await engine.open(file, { inPlace: true });
    const session = engine.document(doc.id);
    await session.apply('setLayerProps', doc.layers[0]!.id, { opacity: 0.8 });
    await session.writeBack();
    expect(await xmpOf(file)).toBe(LIGHTROOM_XMP);
    const project = join(tmp, 'kept.ganvas');
    await session.saveProject(project);
    const reopened = await engine.open(project);
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const out = join(tmp, `kept.${format}`);
      await engine.document(reopened.id).export(out, { format, quality: 90, bitDepth: 8 });
      expect(await xmpOf(out), format).toBe(LIGHTROOM_XMP);
    }
  });

  it('with AI edits, the provenance record joins the packet: keywords and rating stay, the source type and creator tool are the edit’s', () => {
    const merged = xmpToWrite(LIGHTROOM_XMP, [edit], 'Ganvas 1.0')!;
    expect(merged).toContain('<rdf:li>still life</rdf:li>');
    expect(merged).toContain('xmp:Rating="4"');
    expect(merged).toContain('<ganvas:model>realesr-general-x4v3</ganvas:model>');
    expect(merged.match(/xmp:CreatorTool=/g)).toHaveLength(1);
    expect(merged).not.toContain('Lightroom Classic 13.0');
    expect(xmpToWrite(LIGHTROOM_XMP, [], 'Ganvas 1.0')).toBe(LIGHTROOM_XMP);
    expect(xmpToWrite(null, [], 'Ganvas 1.0')).toBeNull();
    expect(xmpToWrite('not xmp', [edit], 'Ganvas 1.0')).toContain('compositeWithTrainedAlgorithmicMedia');
  });

  it.skipIf(!hasExiftool)('ExifTool reads the merged packet as one: every property once, with the right values', () => {
    const sidecar = join(tmp, 'merged.xmp');
    writeFileSync(sidecar, xmpToWrite(LIGHTROOM_XMP, [edit], 'Ganvas 1.0')!);
    const read = exiftoolRead(sidecar, ['Rating', 'Label', 'Subject', 'Rights', 'CreatorTool', 'DigitalSourceType', 'Warning']);
    expect(read).toMatchObject({
      Rating: 4,
      Label: 'Green',
      Subject: ['coffee', 'still life'],
      Rights: '© 2026 A. Photographer',
      CreatorTool: 'Ganvas 1.0',
      DigitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
    });
    expect(read.Warning).toBeUndefined();
  });

  it('a packet too big for a JPEG is left out with a notice naming the photo; EXIF and profile are kept', async () => {
    const padding = `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>${'x'.repeat(MAX_XMP_BYTES)}</dc:description></rdf:Description>`;
    const file = await lightroomTiff('huge-xmp.tif', LIGHTROOM_XMP.replace('</rdf:RDF>', `${padding}</rdf:RDF>`));
    const opened = await openImage(file);
    expect(opened.meta.xmp).toBeNull();
    expect(opened.notices).toEqual([expect.stringMatching(/huge-xmp\.tif's XMP metadata is \d+ KB, more than a JPEG can hold/)]);
  });
});
