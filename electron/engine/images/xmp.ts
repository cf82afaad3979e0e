import type { AiEdit } from '../document/layer.js';

/** IPTC Digital Source Type for a capture combined with output of a trained model (NewsCodes vocabulary). */
const COMPOSITE_WITH_TRAINED_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';
const GANVAS_XMP_NS = 'https://ganvas.app/ns/xmp/1.0/';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * The most XMP a photo's packet may be and still go into every format Ganvas writes: JPEG's APP1
 * segment holds 64 KB less its namespace header (Extended XMP, split over several, is not written).
 */
export const MAX_XMP_BYTES = 65_502;

/** The photo's XMP to keep, or null with a notice naming the file when no export could write it. */
export function xmpThatFits(xmp: string | null, fileName: string, notices: string[]): string | null {
  const bytes = xmp === null ? 0 : Buffer.byteLength(xmp);
  if (bytes <= MAX_XMP_BYTES) return xmp;
  notices.push(
    `${fileName}'s XMP metadata is ${Math.ceil(bytes / 1024)} KB, more than a JPEG can hold (64 KB); it was left out. EXIF and the colour profile are kept.`,
  );
  return null;
}

/** Properties the provenance record states, which the photo's own packet may state otherwise. */
const RESTATED = ['Iptc4xmpExt:DigitalSourceType', 'xmp:CreatorTool'];

function withoutProperty(xmp: string, n: string): string {
  return xmp
    .replace(new RegExp(`\\s${n}\\s*=\\s*("[^"]*"|'[^']*')`, 'g'), '')
    .replace(new RegExp(`<${n}(\\s[^>]*)?/>`, 'g'), '')
    .replace(new RegExp(`<${n}(\\s[^>]*)?>[\\s\\S]*?</${n}>`, 'g'), '');
}

/**
 * The XMP an export writes: the photo's own packet, with the AI provenance record added as a
 * description of its own where there are AI edits to record (the photo's own digital source type
 * and creator tool give way to it, since the edit changed both).
 */
export function xmpToWrite(photoXmp: string | null, edits: AiEdit[], creatorTool: string): string | null {
  if (edits.length === 0) return photoXmp;
  const record = aiProvenanceXmp(edits, creatorTool);
  const end = photoXmp?.lastIndexOf('</rdf:RDF>') ?? -1;
  if (!photoXmp || end < 0) return record;
  const description = record.slice(record.indexOf('<rdf:Description'), record.lastIndexOf('</rdf:RDF>'));
  const own = RESTATED.reduce(withoutProperty, photoXmp.slice(0, end));
  return own + description + photoXmp.slice(end);
}

/**
 * An XMP packet saying the image contains AI-generated content (IPTC Digital Source Type) and
 * which tools and models made it, so other software and people can tell.
 */
export function aiProvenanceXmp(edits: AiEdit[], creatorTool: string): string {
  const items = edits
    .map(
      (e) => `<rdf:li rdf:parseType="Resource"><ganvas:tool>${escapeXml(e.toolId)}</ganvas:tool><ganvas:model>${escapeXml(e.modelId)}</ganvas:model></rdf:li>`,
    )
    .join('');
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:ganvas="${GANVAS_XMP_NS}"`,
    ` Iptc4xmpExt:DigitalSourceType="${COMPOSITE_WITH_TRAINED_MEDIA}" xmp:CreatorTool="${escapeXml(creatorTool)}">`,
    `<ganvas:AiEdits><rdf:Seq>${items}</rdf:Seq></ganvas:AiEdits>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}
