import type { z } from 'zod';
import { TOOL_SPECS, type SpecOf, type ToolId } from '../../electron/engine/tools/specs.js';
import type { RailTool } from '../../electron/keymap.js';
import { on } from '../event-bus.js';

/** Each tool's settings, as its spec defines them. */
export type ToolParams = { [Id in ToolId]: z.output<SpecOf<Id>['params']> };

/** How a mask is marked on the canvas. */
export type MarkTool = 'brush' | 'eraser' | 'rect' | 'lasso';

/** How the tools that work in a mask (Erase) mark it and show it: the canvas's business, not the tool's settings. */
export interface Marking {
  tool: MarkTool;
  /** The brush's diameter in canvas pixels. */
  size: number;
  overlayColour: string;
  overlayOpacity: number;
}

export interface MaskBrush {
  /** Painting on the active layer's mask: hide or reveal; null when the brush is off. */
  mode: 'hide' | 'reveal' | null;
  size: number;
  hardness: number;
}

const defaults = () => Object.fromEntries(TOOL_SPECS.map((s) => [s.id, s.params.parse({})])) as ToolParams;

/** The active tool and each tool's settings; what belongs to one photo starts afresh with the next. */
class ToolsStore {
  active = $state<RailTool>(TOOL_SPECS[0].id);
  /** What each tool's panel shows and its run sends, from the spec's defaults. */
  params = $state<ToolParams>(defaults());
  marking = $state<Marking>({ tool: 'brush', size: 40, overlayColour: '#ff3b5c', overlayOpacity: 0.5 });
  maskBrush = $state<MaskBrush>({ mode: null, size: 40, hardness: 0.6 });
  /** Before/after: the divider's place (0–1 of the width) while on; `before` while \ is held. */
  compare = $state<{ on: boolean; split: number; before: boolean }>({ on: false, split: 0.5, before: false });

  /** Another photo: its own canvas, so nothing measured on the last one carries over. */
  resetForDocument(): void {
    this.forgetCanvas();
    this.compare = { ...this.compare, on: false, split: 0.5 };
    this.maskBrush = { ...this.maskBrush, mode: null };
  }

  /** The settings measured on the canvas as it was (Extend's pixels per side) start afresh. */
  forgetCanvas(): void {
    const fresh = defaults() as Record<ToolId, Record<string, unknown>>;
    for (const spec of TOOL_SPECS) {
      const params = this.params[spec.id] as Record<string, unknown>;
      for (const key of spec.ui.perPhoto ?? []) params[key] = fresh[spec.id][key];
    }
  }

  /** The size the [ and ] keys change: the mask brush while it paints, else the marking brush. */
  resizeBrush(factor: number): void {
    const next = (size: number) => Math.min(500, Math.max(1, Math.round(size * factor)));
    if (this.maskBrush.mode) this.maskBrush = { ...this.maskBrush, size: next(this.maskBrush.size) };
    else this.marking = { ...this.marking, size: next(this.marking.size) };
  }
}

export const tools = new ToolsStore();

// A result may have changed the canvas (Extend grew it): what was measured on the old one is gone.
on('result-shown', () => tools.forgetCanvas());
