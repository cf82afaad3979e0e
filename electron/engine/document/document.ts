import type { ImageMeta } from '../images/open.js';
import type { Raster } from '../images/raster.js';
import type { ProviderId } from '../inference/providers.js';

export type LayerOrigin =
  | { kind: 'image'; fileName: string }
  | { kind: 'ai'; toolId: string; modelId: string; provider: ProviderId; params: unknown };

export interface Layer {
  id: string;
  name: string;
  raster: Raster;
  visible: boolean;
  origin: LayerOrigin;
}

/** A photo and the layers made from it, bottom first. Full-resolution pixels live only here. */
export class PhotoDocument {
  readonly layers: Layer[] = [];
  private nextLayer = 1;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly meta: ImageMeta,
    original: Raster,
  ) {
    this.addLayer(meta.fileName, original, { kind: 'image', fileName: meta.fileName });
  }

  /** The canvas is as large as the largest layer; smaller layers are scaled up to it for display and export. */
  get width(): number {
    return Math.max(...this.layers.map((l) => l.raster.width));
  }

  get height(): number {
    return Math.max(...this.layers.map((l) => l.raster.height));
  }

  addLayer(name: string, raster: Raster, origin: LayerOrigin): Layer {
    const layer: Layer = { id: `layer-${this.nextLayer++}`, name, raster, visible: true, origin };
    this.layers.push(layer);
    return layer;
  }

  layer(id: string): Layer | undefined {
    return this.layers.find((l) => l.id === id);
  }
}
