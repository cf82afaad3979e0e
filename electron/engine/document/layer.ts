import type { LayerId } from '../ids.js';
import { copyRaster, sameShape, type Raster, type Rect } from '../images/raster.js';
import type { ProviderId } from '../inference/providers.js';
import type { BlendMode } from './blend.js';
import { History } from './history.js';
import type { BlobId, HistoryStore } from './history-store.js';
import { changedTiles, extractPatches, writePatches } from './patches.js';

export interface LayerProps {
  name: string;
  visible: boolean;
  locked: boolean;
  /** 0..1 */
  opacity: number;
  blend: BlendMode;
}

/** What a network did: enough to say so in the exported file's metadata. */
export interface AiEdit {
  toolId: string;
  modelId: string;
  provider: ProviderId;
  params: unknown;
  /** What the result was called when it was made ("Enhance ×2 (Fast)"), whatever the layer is renamed to later. */
  label?: string;
}

export type LayerOrigin =
  | { kind: 'image'; fileName: string }
  | { kind: 'empty' }
  | ({ kind: 'ai' } & AiEdit)
  /** Made by merging or flattening layers; keeps the AI edits that went into it. */
  | { kind: 'composite'; aiEdits: AiEdit[] };

export type PixelTarget = 'pixels' | 'mask';

/** A self-inverting step on one layer. A pixel step's blob holds the other state's pixels (null: no mask). */
export type LayerStep =
  { kind: 'props'; label: string; props: Partial<LayerProps> } | { kind: 'pixels'; label: string; target: PixelTarget; blob: BlobId | null; ai: AiEdit | null };

export interface LayerInit {
  name: string;
  raster: Raster;
  mask?: Raster | null;
  bounds: Rect;
  origin: LayerOrigin;
  props?: Partial<Omit<LayerProps, 'name'>>;
}

const DEFAULT_PROPS: Omit<LayerProps, 'name'> = { visible: true, locked: false, opacity: 1, blend: 'normal' };

/**
 * A layer owns its pixels, its mask and its own undo history. Rasters are never changed in
 * place: an edit installs a new raster, so whoever still reads the old one (a running job,
 * a save in progress) sees consistent pixels.
 */
export class Layer {
  props: LayerProps;
  raster: Raster;
  /** One 8-bit channel at the raster's size; 255 shows, 0 hides. */
  mask: Raster | null;
  /** Where the raster is shown, in canvas pixels; it is stretched to fit. */
  bounds: Rect;
  readonly origin: LayerOrigin;
  readonly history: History<LayerStep>;
  /** Bumped whenever the pixels or the mask change, so views know to redraw. */
  version = 0;

  constructor(
    readonly id: LayerId,
    init: LayerInit,
    private readonly store: HistoryStore,
  ) {
    this.props = { ...DEFAULT_PROPS, ...init.props, name: init.name };
    this.raster = init.raster;
    this.mask = init.mask ?? null;
    this.bounds = init.bounds;
    this.origin = init.origin;
    this.history = new History<LayerStep>(
      (s) => this.apply(s),
      (s) => s.kind === 'pixels' && s.blob !== null && this.store.release(s.blob),
    );
  }

  /** The AI edits whose results this layer's pixels contain now. */
  aiEdits(): AiEdit[] {
    const own = this.origin.kind === 'ai' ? [this.origin] : this.origin.kind === 'composite' ? this.origin.aiEdits : [];
    const done = this.history.snapshot().done.flatMap((s) => (s.kind === 'pixels' && s.ai ? [s.ai] : []));
    return [...own, ...done];
  }

  setProps(props: Partial<LayerProps>, label: string): void {
    const before = Object.fromEntries(Object.keys(props).map((k) => [k, this.props[k as keyof LayerProps]])) as Partial<LayerProps>;
    this.props = { ...this.props, ...props };
    this.history.record({ kind: 'props', label, props: before });
  }

  /**
   * Installs new pixels (or mask; null removes it) as one undoable step. Where the shape is
   * unchanged only the tiles that differ (within `area`, if given) are kept for undo.
   * Returns false when nothing changed.
   */
  commit(target: PixelTarget, next: Raster | null, label: string, opts: { area?: Rect; ai?: AiEdit } = {}): boolean {
    const current = target === 'pixels' ? this.raster : this.mask;
    let blob: BlobId | null = null;
    if (current && next && sameShape(current, next)) {
      const rects = changedTiles(current, next, opts.area);
      if (rects.length === 0) return false;
      const changed = rects.reduce((n, q) => n + q.width * q.height, 0);
      // Everything changed: keep the old raster itself, which costs no copy and undoes by swapping.
      const all = changed === current.width * current.height;
      blob = this.store.put(all ? { kind: 'raster', raster: current } : { kind: 'patches', patches: extractPatches(current, rects) });
    } else if (current) {
      blob = this.store.put({ kind: 'raster', raster: current });
    } else if (!next) {
      return false;
    }
    this.install(target, next);
    this.history.record({ kind: 'pixels', label, target, blob, ai: opts.ai ?? null });
    return true;
  }

  private install(target: PixelTarget, r: Raster | null): void {
    if (r && r.data.length !== r.width * r.height * r.channels)
      throw new Error(`refusing to install ${r.width}×${r.height} pixels with ${r.data.length} samples`);
    this.version++;
    if (target === 'mask') this.mask = r;
    else if (r) this.raster = r;
    else throw new Error('a layer cannot be left without pixels');
  }

  private async apply(step: LayerStep): Promise<LayerStep> {
    if (step.kind === 'props') {
      const before = Object.fromEntries(Object.keys(step.props).map((k) => [k, this.props[k as keyof LayerProps]])) as Partial<LayerProps>;
      this.props = { ...this.props, ...step.props };
      return { ...step, props: before };
    }
    const current = step.target === 'pixels' ? this.raster : this.mask;
    const stored = step.blob === null ? null : await this.store.take(step.blob);
    if (stored?.kind === 'patches') {
      const next = copyRaster(current!);
      const back = extractPatches(current!, stored.patches.rects);
      writePatches(next, stored.patches);
      this.install(step.target, next);
      return { ...step, blob: this.store.put({ kind: 'patches', patches: back }) };
    }
    this.install(step.target, stored?.raster ?? null);
    return { ...step, blob: current ? this.store.put({ kind: 'raster', raster: current }) : null };
  }
}

/** How a change of layer settings reads in the layer's history. */
export function propsLabel(p: Partial<LayerProps>): string {
  if (p.name !== undefined) return `Rename to “${p.name}”`;
  if (p.opacity !== undefined) return `Opacity ${Math.round(p.opacity * 100)} %`;
  if (p.blend !== undefined) return `Blend: ${p.blend}`;
  if (p.visible !== undefined) return p.visible ? 'Show' : 'Hide';
  if (p.locked !== undefined) return p.locked ? 'Lock' : 'Unlock';
  return 'Layer settings';
}
