import { inpaintSpec } from '../../electron/engine/tools/inpaint/spec.js';
import { enhanceSpec } from '../../electron/engine/tools/enhance/spec.js';
import { lowlightSpec } from '../../electron/engine/tools/lowlight/spec.js';
import type { ToolId } from '../../electron/engine/tools/specs.js';

/** What the rail offers: the AI tools, and the Hand and Zoom for moving about. */
export type RailTool = ToolId | 'hand' | 'zoom';

/** How Erase marks what to remove. */
export type MarkTool = 'brush' | 'eraser' | 'rect' | 'lasso';

export interface EraseState {
  mark: MarkTool;
  model: string;
  /** Width of the soft edge where the fill meets the photo. */
  feather: number;
  overlayColour: string;
  overlayOpacity: number;
}

export interface Sides {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface LowlightChoice {
  /** A low-light model's catalog id (the built-in ones or the user's own). */
  model: string;
  protectHighlights: boolean;
  amount: number;
  denoise: number;
}

export interface MaskBrush {
  /** Painting on the active layer's mask: hide or reveal; null when the brush is off. */
  mode: 'hide' | 'reveal' | null;
  size: number;
  hardness: number;
}

const NO_SIDES: Sides = { left: 0, right: 0, top: 0, bottom: 0 };

/** The active tool and each tool's settings; what belongs to one photo starts afresh with the next. */
class ToolsStore {
  active = $state<RailTool>('enhance');
  enhance = $state(pick(enhanceSpec.params.parse({}), ['scale', 'quality']));
  erase = $state<EraseState>({ mark: 'brush', ...pick(inpaintSpec.params.parse({}), ['model', 'feather']), overlayColour: '#ff3b5c', overlayOpacity: 0.5 });
  /** Erase's brush diameter in canvas pixels. */
  eraseSize = $state(40);
  extend = $state<{ sides: Sides; aspect: string }>({ sides: NO_SIDES, aspect: '' });
  lowlight = $state<LowlightChoice>(pick(lowlightSpec.params.parse({}), ['model', 'protectHighlights', 'amount', 'denoise']));
  maskBrush = $state<MaskBrush>({ mode: null, size: 40, hardness: 0.6 });
  /** Before/after: the divider's place (0–1 of the width) while on; `before` while \ is held. */
  compare = $state<{ on: boolean; split: number; before: boolean }>({ on: false, split: 0.5, before: false });

  /** Another photo: its own canvas, so nothing measured on the last one carries over. */
  resetForDocument(): void {
    this.extend = { sides: NO_SIDES, aspect: '' };
    this.compare = { ...this.compare, on: false, split: 0.5 };
    this.maskBrush = { ...this.maskBrush, mode: null };
  }

  /** The size the [ and ] keys change: the mask brush while it paints, else Erase's. */
  resizeBrush(factor: number): void {
    const next = (size: number) => Math.min(500, Math.max(1, Math.round(size * factor)));
    if (this.maskBrush.mode) this.maskBrush = { ...this.maskBrush, size: next(this.maskBrush.size) };
    else this.eraseSize = next(this.eraseSize);
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

export const tools = new ToolsStore();
