import type { AiEdit } from '../document/layer.js';

/** IPTC Digital Source Type for a capture combined with output of a trained model (NewsCodes vocabulary). */
const COMPOSITE_WITH_TRAINED_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';
const GANVAS_XMP_NS = 'https://ganvas.app/ns/xmp/1.0/';

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
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
