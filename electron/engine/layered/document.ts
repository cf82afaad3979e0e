import type { PhotoDocument } from '../document/document.js';
import type { LayerInit } from '../document/layer.js';
import { allocRaster, type Raster } from '../images/raster.js';
import { resizeRaster } from '../images/resample.js';
import { rgbaOf, type LayeredImage } from './layered.js';

/** A document's layers as they sit on its canvas (each stretched over its bounds, as the canvas shows it) and its composite, at `depth` bits. */
export async function layeredFromDocument(doc: PhotoDocument, depth: 8 | 16): Promise<LayeredImage> {
  const layers = await Promise.all(
    doc.layers.map(async (l) => {
      const { x, y, width, height } = l.bounds;
      const fit = async (r: Raster) => (r.width === width && r.height === height ? r : resizeRaster(r, width, height));
      return {
        name: l.props.name,
        pixels: rgbaOf(await fit(l.raster), depth),
        left: x,
        top: y,
        mask: l.mask && (await fit(l.mask)),
        opacity: l.props.opacity,
        blend: l.props.blend,
        visible: l.props.visible,
      };
    }),
  );
  const anyVisible = doc.layers.some((l) => l.props.visible);
  const composite = anyVisible ? rgbaOf(await doc.render(), depth) : allocRaster(doc.width, doc.height, 4, depth);
  return { width: doc.width, height: doc.height, layers, composite };
}

/** The layers of a layered file as Ganvas layers, bottom first, each from the file it came in. */
export function layerInits(image: LayeredImage, fileName: string): LayerInit[] {
  return image.layers.map((p) => ({
    name: p.name,
    raster: p.pixels,
    mask: p.mask,
    bounds: { x: p.left, y: p.top, width: p.pixels.width, height: p.pixels.height },
    origin: { kind: 'image', fileName },
    props: { opacity: p.opacity, blend: p.blend, visible: p.visible },
  }));
}
