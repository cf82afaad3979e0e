/**
 * What a tool's spec cannot say because it is about the page: a panel part of its own, and the
 * settings' form a run takes where the panel keeps them otherwise. Tools with nothing of the kind
 * are not listed; their panel is made from the spec alone.
 */
import type { Component, Snippet } from 'svelte';
import type { ToolId } from '../../electron/engine/tools/specs.js';
import ErasePanel from '../panels/ErasePanel.svelte';
import ExtendPanel from '../panels/ExtendPanel.svelte';
import StylePanel from '../panels/StylePanel.svelte';
import { style } from '../stores/style.svelte.js';

export interface PanelProps {
  /** The spec's controls, rendered where the panel puts them. */
  controls: Snippet;
  params: Record<string, unknown>;
  onchange: (params: Record<string, unknown>) => void;
}

export interface ToolExtras {
  Panel?: Component<PanelProps>;
  /** The settings as a run takes them (Style sends the user's own presets as their vectors). */
  send?(params: Record<string, unknown>): unknown;
  /** Told after each change of the settings (Style previews it). */
  changed?(): void;
}

export const TOOL_EXTRAS: Partial<Record<ToolId, ToolExtras>> = {
  erase: { Panel: ErasePanel },
  extend: { Panel: ExtendPanel },
  style: { Panel: StylePanel, send: (p) => style.sendable(p as never), changed: () => style.schedulePreview() },
};
