import { GanvasError } from '../errors.js';
import type { ImageMeta } from '../images/open.js';
import { fullRect, type Raster, type Rect } from '../images/raster.js';
import { composite, type CompositeLayer } from './composite.js';
import { History, type Step } from './history.js';
import type { HistoryStore } from './history-store.js';
import { Layer, type AiEdit, type LayerInit, type LayerProps } from './layer.js';

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

export type HistoryScope = { layerId: string } | 'document';

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

function asComposed(l: Layer): CompositeLayer {
  return { raster: l.raster, mask: l.mask, bounds: l.bounds, opacity: l.props.opacity, blend: l.props.blend };
}

/**
 * Layers (bottom first) on a canvas, with a history for document-level edits (add, delete,
 * reorder, canvas size, merge, flatten); each layer keeps its own history for its pixels, mask
 * and settings. Full-resolution pixels live only here.
 */
export class PhotoDocument {
  private canvasWidth: number;
  private canvasHeight: number;
  /** The layer stack, bottom first. */
  private stack: Layer[] = [];
  readonly history: History<StructureStep>;
  /** Bumped by every change, undo and redo included; compared with what was saved. */
  private changes = 0;
  private savedAt = 0;
  private project: string | null = null;
  private layerCount = 1;
  private marks: Raster | null = null;
  private anyMarked = false;

  get width(): number {
    return this.canvasWidth;
  }

  get height(): number {
    return this.canvasHeight;
  }

  get layers(): readonly Layer[] {
    return this.stack;
  }

  get revision(): number {
    return this.changes;
  }

  /** Where the document was last saved as a project (or opened from), if anywhere. */
  get projectPath(): string | null {
    return this.project;
  }

  /** The number the next new layer's id gets (kept in projects, so ids never repeat). */
  get nextLayer(): number {
    return this.layerCount;
  }

  /** Whether anything in the selection is marked; kept with it, so asking costs no scan. */
  get selectionMarked(): boolean {
    return this.anyMarked;
  }

  /**
   * What the user has marked for Erase: one 8-bit channel at canvas size (255 = marked), or
   * null. A tool setting, not part of the document: not saved, not undone.
   */
  get selection(): Raster | null {
    return this.marks;
  }

  set selection(r: Raster | null) {
    this.marks = r;
    this.anyMarked = r?.data.some((v) => v >= 128) ?? false;
  }

  constructor(
    readonly id: string,
    readonly source: DocumentSource,
    readonly store: HistoryStore,
    size: { width: number; height: number },
  ) {
    this.canvasWidth = size.width;
    this.canvasHeight = size.height;
    this.history = new History<StructureStep>(async (s) => this.swapStructure(s));
  }

  static fromImage(id: string, source: DocumentSource, raster: Raster, store: HistoryStore): PhotoDocument {
    const doc = new PhotoDocument(id, source, store, raster);
    doc.stack.push(
      doc.createLayer({ name: source.meta.fileName, raster, bounds: fullRect(raster), origin: { kind: 'image', fileName: source.meta.fileName } }),
    );
    return doc;
  }

  get dirty(): boolean {
    return this.changes !== this.savedAt;
  }

  touch(): void {
    this.changes++;
  }

  /** The document was written to `path` as a project: that is its place now, and it is clean. */
  markSaved(path: string): void {
    this.project = path;
    // A revision of its own, so the change of title and dirty state is reported.
    this.touch();
    this.savedAt = this.changes;
  }

  /** An autosave restored as unsaved work that belongs to the project at `path` (if any). */
  markRestored(projectPath: string | null): void {
    this.project = projectPath;
    this.touch();
  }

  /** Sets up a document read from a project: its stack with each layer's place, and its ids. */
  restore(placements: Placement[], nextLayer: number, projectPath: string): void {
    this.stack = placements.map((p) => p.layer);
    for (const p of placements) p.layer.bounds = p.bounds;
    this.layerCount = nextLayer;
    this.project = projectPath;
  }

  /** Puts a layer just above another one (in a structure change the caller makes). */
  insertAbove(below: Layer, layer: Layer): void {
    this.stack.splice(this.stack.indexOf(below) + 1, 0, layer);
  }

  createLayer(init: LayerInit, id = `layer-${this.layerCount++}`): Layer {
    return new Layer(id, init, this.store);
  }

  layer(id: string): Layer {
    const l = this.layers.find((x) => x.id === id);
    if (!l) throw new GanvasError('NOT_FOUND', `No layer "${id}" in this document.`);
    return l;
  }

  private editable(id: string, what: string): Layer {
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
    this.touch();
    return inverse;
  }

  /** Runs a document-level edit as one step of the document's history. */
  async changeStructure<T>(label: string, edit: () => T | Promise<T>): Promise<T> {
    const before = this.structure(label);
    const result = await edit();
    this.history.record(before);
    this.touch();
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

  async deleteLayer(id: string): Promise<void> {
    const l = this.editable(id, 'delete it');
    if (this.layers.length === 1) throw new GanvasError('INVALID_INPUT', 'A document keeps at least one layer.');
    await this.changeStructure(`Delete “${l.props.name}”`, () => void this.stack.splice(this.layers.indexOf(l), 1));
  }

  async moveLayer(id: string, index: number): Promise<void> {
    const l = this.layer(id);
    const from = this.layers.indexOf(l);
    if (index < 0 || index >= this.layers.length) throw new GanvasError('INVALID_INPUT', `No position ${index} in a stack of ${this.layers.length} layers.`);
    if (index === from) return;
    await this.changeStructure(`Move “${l.props.name}”`, () => {
      this.stack.splice(from, 1);
      this.stack.splice(index, 0, l);
    });
  }

  setLayerProps(id: string, props: Partial<LayerProps>, label: string): void {
    const guarded = Object.keys(props).some((k) => k !== 'visible' && k !== 'locked');
    const l = guarded ? this.editable(id, 'change it') : this.layer(id);
    l.setProps(props, label);
    this.touch();
  }

  /** New pixels or mask for a layer, as one step of that layer's history. */
  commitPixels(id: string, target: 'pixels' | 'mask', next: Raster | null, label: string, opts: { area?: Rect; ai?: AiEdit } = {}): boolean {
    const changed = this.editable(id, 'edit it').commit(target, next, label, opts);
    if (changed) this.touch();
    return changed;
  }

  /** Merges a layer into the one below it; the result takes the lower layer's place and settings. */
  async mergeDown(id: string): Promise<Layer> {
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

  private historyOf(scope: HistoryScope) {
    return scope === 'document' ? this.history : this.layer(scope.layerId).history;
  }

  async undo(scope: HistoryScope): Promise<boolean> {
    const done = await this.historyOf(scope).undo();
    if (done) this.touch();
    return done;
  }

  async redo(scope: HistoryScope): Promise<boolean> {
    const done = await this.historyOf(scope).redo();
    if (done) this.touch();
    return done;
  }

  async jump(scope: HistoryScope, position: number): Promise<void> {
    await this.historyOf(scope).jump(position);
    this.touch();
  }
}
