import { GanvasError } from '../errors.js';
import { layerId, type DocId, type LayerId } from '../ids.js';
import type { ImageMeta } from '../images/open.js';
import { allocRaster, fullRect, type Raster, type Rect } from '../images/raster.js';
import { paintStrokeAsync, type Stroke } from './brush.js';
import { composite, type CompositeLayer } from './composite.js';
import { History, type Step } from './history.js';
import type { HistoryStore } from './history-store.js';
import { Layer, propsLabel, type AiEdit, type LayerInit, type LayerProps } from './layer.js';
import { Histories } from './histories.js';
import { Marks } from './marks.js';
import { SaveState } from './save-state.js';
import { Timeline, type HistoryScope } from './timeline.js';

export interface Placement {
  layer: Layer;
  bounds: Rect;
}

/** The document's structure before (or after) a document-level edit: canvas size and the layer stack. */
export interface StructureStep extends Step {
  width: number;
  height: number;
  placements: Placement[];
}

/** The photo a document began from: its metadata goes into every export. */
export interface DocumentSource {
  path: string;
  meta: ImageMeta;
}

export type { HistoryScope };

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

function asComposed(l: Layer): CompositeLayer {
  return { raster: l.raster, mask: l.mask, bounds: l.bounds, opacity: l.props.opacity, blend: l.props.blend };
}

/** A tool's result as the document places it (see `placeResult`). */
export interface PlacedResult {
  raster: Raster;
  /** Where the result differs from the source (a new layer's mask). */
  mask?: Raster;
  /** Pixels added on each side, in the result's pixels, when the tool grew the image. */
  grown?: { left: number; top: number; right: number; bottom: number };
  layerName: string;
}

/**
 * Layers (bottom first) on a canvas, with a history for document-level edits (add, delete,
 * reorder, canvas size, merge, flatten); each layer keeps its own history for its pixels, mask
 * and settings; the timeline keeps the order of all their steps, so the latest can be undone
 * wherever it was. Full-resolution pixels live only here.
 */
export class PhotoDocument {
  private canvasWidth: number;
  private canvasHeight: number;
  /** The layer stack, bottom first. */
  private stack: Layer[] = [];
  readonly history: History<StructureStep>;
  readonly timeline = new Timeline();
  /** Undo and redo, on one history or in the timeline's order. */
  readonly histories: Histories = new Histories(this);
  readonly saveState = new SaveState();
  readonly marks = new Marks();
  private layerCount = 1;

  get width(): number {
    return this.canvasWidth;
  }

  get height(): number {
    return this.canvasHeight;
  }

  get layers(): readonly Layer[] {
    return this.stack;
  }

  /** The number the next new layer's id gets (kept in projects, so ids never repeat). */
  get nextLayer(): number {
    return this.layerCount;
  }

  constructor(
    readonly id: DocId,
    readonly source: DocumentSource,
    readonly store: HistoryStore,
    size: { width: number; height: number },
  ) {
    this.canvasWidth = size.width;
    this.canvasHeight = size.height;
    this.history = new History<StructureStep>(async (s) => this.swapStructure(s));
  }

  static fromImage(id: DocId, source: DocumentSource, raster: Raster, store: HistoryStore): PhotoDocument {
    const doc = new PhotoDocument(id, source, store, raster);
    doc.stack.push(
      doc.createLayer({ name: source.meta.fileName, raster, bounds: fullRect(raster), origin: { kind: 'image', fileName: source.meta.fileName } }),
    );
    return doc;
  }

  /** A document of layers another program made (a PSD, an OpenRaster file), bottom first. */
  static fromLayers(id: DocId, source: DocumentSource, size: { width: number; height: number }, layers: LayerInit[], store: HistoryStore): PhotoDocument {
    const doc = new PhotoDocument(id, source, store, size);
    doc.stack = layers.map((l) => doc.createLayer(l));
    return doc;
  }

  /** Sets up a document read from a project: its stack with each layer's place, and its ids. */
  restore(placements: Placement[], nextLayer: number, projectPath: string): void {
    this.stack = placements.map((p) => p.layer);
    for (const p of placements) p.layer.bounds = p.bounds;
    this.layerCount = nextLayer;
    this.saveState.openedFrom(projectPath);
  }

  /** Puts a layer just above another one (in a structure change the caller makes). */
  private insertAbove(below: Layer, layer: Layer): void {
    this.stack.splice(this.stack.indexOf(below) + 1, 0, layer);
  }

  createLayer(init: LayerInit, id = layerId(this.layerCount++)): Layer {
    return new Layer(id, init, this.store);
  }

  layer(id: LayerId): Layer {
    const l = this.layers.find((x) => x.id === id);
    if (!l) throw new GanvasError('NOT_FOUND', `No layer "${id}" in this document.`);
    return l;
  }

  private editable(id: LayerId, what: string): Layer {
    const l = this.layer(id);
    if (l.props.locked) throw new GanvasError('LAYER_LOCKED', `“${l.props.name}” is locked; unlock it to ${what}.`);
    return l;
  }

  private structure(label: string): StructureStep {
    return { label, width: this.width, height: this.height, placements: this.layers.map((layer) => ({ layer, bounds: layer.bounds })) };
  }

  private swapStructure(s: StructureStep): StructureStep {
    const inverse = this.structure(s.label);
    this.canvasWidth = s.width;
    this.canvasHeight = s.height;
    this.stack = s.placements.map((p) => p.layer);
    for (const p of s.placements) p.layer.bounds = p.bounds;
    this.saveState.changed();
    return inverse;
  }

  /** Runs a document-level edit as one step of the document's history. */
  async changeStructure<T>(label: string, edit: () => T | Promise<T>): Promise<T> {
    const before = this.structure(label);
    const result = await edit();
    this.timeline.recorded(label, 'document', this.history.position);
    this.history.record(before);
    this.saveState.changed();
    return result;
  }

  /** Grows the canvas by the given margins, moving every layer with the old canvas (part of a document-level edit). */
  growCanvas(m: { left: number; top: number; right: number; bottom: number }): void {
    this.canvasWidth += m.left + m.right;
    this.canvasHeight += m.top + m.bottom;
    for (const l of this.layers) l.bounds = { ...l.bounds, x: l.bounds.x + m.left, y: l.bounds.y + m.top };
  }

  /** Multiplies the canvas and every layer's placement by `factor` (part of a document-level edit). */
  scaleCanvas(factor: number): void {
    const s = (v: number) => Math.round(v * factor);
    this.canvasWidth = s(this.width);
    this.canvasHeight = s(this.height);
    for (const l of this.layers) l.bounds = { x: s(l.bounds.x), y: s(l.bounds.y), width: s(l.bounds.width), height: s(l.bounds.height) };
  }

  /** Adds a layer at `index` (default: on top). */
  addLayer(init: LayerInit, label = `Add “${init.name}”`, index = this.layers.length): Promise<Layer> {
    return this.changeStructure(label, () => {
      const layer = this.createLayer(init);
      this.stack.splice(index, 0, layer);
      return layer;
    });
  }

  /** Adds an image as a layer on top, scaled down to fit the canvas (never up) and centred. */
  addImageLayer(raster: Raster, fileName: string): Promise<Layer> {
    const scale = Math.min(this.width / raster.width, this.height / raster.height, 1);
    const width = Math.max(1, Math.round(raster.width * scale));
    const height = Math.max(1, Math.round(raster.height * scale));
    const bounds = { x: Math.round((this.width - width) / 2), y: Math.round((this.height - height) / 2), width, height };
    return this.addLayer({ name: fileName, raster, bounds, origin: { kind: 'image', fileName } });
  }

  /** Adds a transparent layer of the canvas's size on top. */
  addEmptyLayer(): Promise<Layer> {
    const raster = allocRaster(this.width, this.height, 4, 8);
    return this.addLayer({ name: `Layer ${this.layers.length + 1}`, raster, bounds: fullRect(this), origin: { kind: 'empty' } });
  }

  /** A copy of a layer (pixels, mask, settings) just above it. */
  duplicateLayer(id: LayerId): Promise<Layer> {
    const src = this.layer(id);
    const { name, ...props } = src.props;
    return this.addLayer(
      { name: `${name} copy`, raster: src.raster, mask: src.mask, bounds: src.bounds, origin: src.origin, props },
      `Duplicate “${name}”`,
      this.stack.indexOf(src) + 1,
    );
  }

  /** Gives a layer a mask that shows everything ('reveal') or hides everything ('hide'). */
  addMask(id: LayerId, fill: 'reveal' | 'hide'): void {
    const l = this.layer(id);
    const mask = allocRaster(l.raster.width, l.raster.height, 1, 8);
    if (fill === 'reveal') mask.data.fill(255);
    this.commitPixels(id, 'mask', mask, fill === 'reveal' ? 'Add mask' : 'Add mask (hide all)');
  }

  removeMask(id: LayerId): void {
    this.commitPixels(id, 'mask', null, 'Delete mask');
  }

  /** Paints on a layer's mask (adding one that shows everything if it has none); the stroke is in canvas pixels. */
  async paintMask(id: LayerId, stroke: Stroke): Promise<void> {
    const l = this.layer(id);
    const sx = l.raster.width / l.bounds.width;
    const sy = l.raster.height / l.bounds.height;
    const local: Stroke = { ...stroke, radius: stroke.radius * sx, points: stroke.points.map(([x, y]) => [(x - l.bounds.x) * sx, (y - l.bounds.y) * sy]) };
    let mask = l.mask;
    if (!mask) {
      mask = allocRaster(l.raster.width, l.raster.height, 1, 8);
      mask.data.fill(255);
    }
    const painted = await paintStrokeAsync(mask, local);
    if (!painted.area) return;
    this.commitPixels(id, 'mask', painted.raster, stroke.value < 128 ? 'Mask: hide' : 'Mask: reveal', l.mask ? { area: painted.area } : {});
  }

  /**
   * Puts a tool's result into the document: a grown image widens the canvas around the old one
   * (always a new layer: the new area's fill); otherwise a new layer above the source with the
   * result's mask, or (`replace`) the source's new pixels as one step of its history. A result
   * with more pixels than its place on the canvas grows the canvas so nothing is lost.
   */
  async placeResult(sourceId: LayerId, ai: AiEdit, r: PlacedResult, mode: 'new-layer' | 'replace'): Promise<Layer> {
    const src = this.layer(sourceId);
    const add = (bounds: Rect) => {
      const added = this.createLayer({ name: r.layerName, raster: r.raster, mask: r.mask ?? null, bounds, origin: { kind: 'ai', ...ai } });
      this.insertAbove(src, added);
      return added;
    };
    if (r.grown) {
      const k = src.bounds.width / src.raster.width;
      const m = {
        left: Math.round(r.grown.left * k),
        top: Math.round(r.grown.top * k),
        right: Math.round(r.grown.right * k),
        bottom: Math.round(r.grown.bottom * k),
      };
      return this.changeStructure(r.layerName, () => {
        this.growCanvas(m);
        const b = src.bounds;
        return add({ x: b.x - m.left, y: b.y - m.top, width: b.width + m.left + m.right, height: b.height + m.top + m.bottom });
      });
    }
    const grow = r.raster.width / src.bounds.width;
    if (mode === 'replace') {
      // Growing the canvas and the new pixels are one step for Ctrl+Z.
      return this.timeline.asOne(r.layerName, async () => {
        if (grow > 1) await this.changeStructure('Canvas size', () => this.scaleCanvas(grow));
        this.commitPixels(sourceId, 'pixels', r.raster, r.layerName, { ai });
        return src;
      });
    }
    return this.changeStructure(r.layerName, () => {
      if (grow > 1) this.scaleCanvas(grow);
      return add(src.bounds);
    });
  }

  async deleteLayer(id: LayerId): Promise<void> {
    const l = this.editable(id, 'delete it');
    if (this.layers.length === 1) throw new GanvasError('INVALID_INPUT', 'A document keeps at least one layer.');
    await this.changeStructure(`Delete “${l.props.name}”`, () => void this.stack.splice(this.layers.indexOf(l), 1));
  }

  async moveLayer(id: LayerId, index: number): Promise<void> {
    const l = this.layer(id);
    const from = this.layers.indexOf(l);
    if (index < 0 || index >= this.layers.length) throw new GanvasError('INVALID_INPUT', `No position ${index} in a stack of ${this.layers.length} layers.`);
    if (index === from) return;
    await this.changeStructure(`Move “${l.props.name}”`, () => {
      this.stack.splice(from, 1);
      this.stack.splice(index, 0, l);
    });
  }

  setLayerProps(id: LayerId, props: Partial<LayerProps>, label = propsLabel(props)): void {
    const guarded = Object.keys(props).some((k) => k !== 'visible' && k !== 'locked');
    const l = guarded ? this.editable(id, 'change it') : this.layer(id);
    this.timeline.recorded(label, { layerId: id }, l.history.position);
    l.setProps(props, label);
    this.saveState.changed();
  }

  /** New pixels or mask for a layer, as one step of that layer's history. */
  commitPixels(id: LayerId, target: 'pixels' | 'mask', next: Raster | null, label: string, opts: { area?: Rect; ai?: AiEdit } = {}): boolean {
    const layer = this.editable(id, 'edit it');
    const before = layer.history.position;
    const changed = layer.commit(target, next, label, opts);
    if (changed) {
      this.timeline.recorded(label, { layerId: id }, before);
      this.saveState.changed();
    }
    return changed;
  }

  /** Merges a layer into the one below it; the result takes the lower layer's place and settings. */
  async mergeDown(id: LayerId): Promise<Layer> {
    const upper = this.editable(id, 'merge it');
    const i = this.layers.indexOf(upper);
    if (i === 0) throw new GanvasError('INVALID_INPUT', `“${upper.props.name}” is the bottom layer; there is nothing below to merge into.`);
    const lower = this.editable(this.layers[i - 1]!.id, 'merge into it');
    if (!upper.props.visible || !lower.props.visible) throw new GanvasError('INVALID_INPUT', 'Show both layers to merge them.');
    const area = union(lower.bounds, upper.bounds);
    const raster = await composite([{ ...asComposed(lower), opacity: 1, blend: 'normal' }, asComposed(upper)], area);
    const merged = this.createLayer({
      name: lower.props.name,
      raster,
      bounds: area,
      origin: { kind: 'composite', aiEdits: [...lower.aiEdits(), ...upper.aiEdits()] },
      props: { opacity: lower.props.opacity, blend: lower.props.blend },
    });
    await this.changeStructure(`Merge “${upper.props.name}” down`, () => void this.stack.splice(i - 1, 2, merged));
    return merged;
  }

  /** Replaces every layer by one: the visible layers composed. Hidden layers are dropped (undo brings them back). */
  async flatten(): Promise<Layer> {
    const visible = this.layers.filter((l) => l.props.visible);
    const raster = await this.render();
    const flat = this.createLayer({
      name: 'Flattened',
      raster,
      bounds: fullRect(this),
      origin: { kind: 'composite', aiEdits: visible.flatMap((l) => l.aiEdits()) },
    });
    await this.changeStructure('Flatten', () => void (this.stack = [flat]));
    return flat;
  }

  /** The visible layers composed at canvas size. */
  render(): Promise<Raster> {
    const visible = this.layers.filter((l) => l.props.visible);
    if (visible.length === 0) throw new GanvasError('INVALID_INPUT', 'Nothing to show: every layer is hidden.');
    return composite(visible.map(asComposed), fullRect(this));
  }

  /** AI edits that show in the rendered image. */
  visibleAiEdits(): AiEdit[] {
    return this.layers.filter((l) => l.props.visible).flatMap((l) => l.aiEdits());
  }
}
