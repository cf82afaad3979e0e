/**
 * Every command a user can give by key or menu, once: the application menu (main), the key
 * handling, the tool rail and the shortcut help (renderer) are all made from this table. The
 * tools' rows come from their specs (which import nothing but zod: both processes load them).
 */
import { TOOL_SPECS, type AnyToolSpec, type ToolId } from './engine/tools/specs.js';

/** What the rail offers: the AI tools, and the Hand and Zoom for moving about. */
export type RailTool = ToolId | 'hand' | 'zoom';

export type Action =
  | `tool-${RailTool}`
  | 'open'
  | 'save'
  | 'save-as'
  | 'export'
  | 'batch'
  | 'models'
  | 'settings'
  | 'undo'
  | 'redo'
  | 'undo-layer'
  | 'redo-layer'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-fit'
  | 'zoom-100'
  | 'compare'
  | 'apply'
  | 'brush-smaller'
  | 'brush-larger'
  | 'escape'
  | 'help';

export type MenuName = 'File' | 'Edit' | 'View' | 'Tools' | 'Help';

export interface Command {
  action: Action;
  /** In menus and the help. */
  label: string;
  /** Electron accelerator syntax (`CmdOrCtrl+Shift+Z`); the first is shown, all work. */
  keys: readonly string[];
  menu: MenuName | null;
  /** The tool it picks, with its icon: the rail's buttons. */
  tool?: { id: RailTool; icon: string };
}

/** What a tool's row is made from: its spec's name, key and icon. */
type ToolRow = Pick<AnyToolSpec, 'id' | 'label'> & { ui: Pick<AnyToolSpec['ui'], 'key' | 'icon'> };

/** The keymap with a row for each of `specs` (the app's: `KEYMAP`). */
export function keymapFor(specs: readonly ToolRow[]): Command[] {
  return [...BEFORE_TOOLS, ...specs.map(toolRow), ...AFTER_TOOLS];
}

const toolRow = (s: ToolRow): Command => ({ action: `tool-${s.id}`, label: s.label, keys: [s.ui.key], menu: 'Tools', tool: { id: s.id, icon: s.ui.icon } });

const BEFORE_TOOLS: readonly Command[] = [
  { action: 'open', label: 'Open…', keys: ['CmdOrCtrl+O'], menu: 'File' },
  { action: 'save', label: 'Save', keys: ['CmdOrCtrl+S'], menu: 'File' },
  { action: 'save-as', label: 'Save As…', keys: ['CmdOrCtrl+Shift+S'], menu: 'File' },
  { action: 'export', label: 'Export…', keys: ['CmdOrCtrl+Shift+E'], menu: 'File' },
  { action: 'batch', label: 'Batch…', keys: ['CmdOrCtrl+B'], menu: 'File' },
  { action: 'models', label: 'Models…', keys: ['CmdOrCtrl+Shift+M'], menu: 'File' },
  { action: 'settings', label: 'Settings…', keys: ['CmdOrCtrl+,'], menu: 'File' },
  { action: 'undo', label: 'Undo', keys: ['CmdOrCtrl+Z'], menu: 'Edit' },
  { action: 'redo', label: 'Redo', keys: ['CmdOrCtrl+Shift+Z', 'CmdOrCtrl+Y'], menu: 'Edit' },
  { action: 'undo-layer', label: 'Undo on the Active Layer Only', keys: ['CmdOrCtrl+Alt+Z'], menu: 'Edit' },
  { action: 'redo-layer', label: 'Redo on the Active Layer Only', keys: ['CmdOrCtrl+Alt+Shift+Z'], menu: 'Edit' },
  { action: 'zoom-in', label: 'Zoom In', keys: ['CmdOrCtrl+=', 'CmdOrCtrl+Plus'], menu: 'View' },
  { action: 'zoom-out', label: 'Zoom Out', keys: ['CmdOrCtrl+-'], menu: 'View' },
  { action: 'zoom-fit', label: 'Fit to Window', keys: ['CmdOrCtrl+0'], menu: 'View' },
  { action: 'zoom-100', label: 'Actual Size (100 %)', keys: ['CmdOrCtrl+1'], menu: 'View' },
  { action: 'compare', label: 'Compare Before and After', keys: ['C'], menu: 'View' },
];

const AFTER_TOOLS: readonly Command[] = [
  {
    action: 'tool-hand',
    label: 'Hand (pan)',
    keys: ['H'],
    menu: 'Tools',
    tool: {
      id: 'hand',
      icon: 'M8 12V5.5A1.5 1.5 0 0 1 11 5.5V11M11 10V4.5A1.5 1.5 0 0 1 14 4.5V11M14 10.5V6A1.5 1.5 0 0 1 17 6V14C17 18 14.5 21 11 21C8 21 6.5 19 5 16L3.5 13A1.5 1.5 0 0 1 6 11.5L8 14',
    },
  },
  {
    action: 'tool-zoom',
    label: 'Zoom (click in, Alt+click out)',
    keys: ['Z'],
    menu: 'Tools',
    tool: { id: 'zoom', icon: 'M10.5 17A6.5 6.5 0 1 0 10.5 4A6.5 6.5 0 0 0 10.5 17ZM15.5 15.5L21 21M8 10.5H13M10.5 8V13' },
  },
  { action: 'apply', label: 'Run the active tool (Erase what is marked)', keys: ['Enter'], menu: null },
  { action: 'brush-smaller', label: 'Brush smaller', keys: ['['], menu: null },
  { action: 'brush-larger', label: 'Brush larger', keys: [']'], menu: null },
  { action: 'escape', label: 'Cancel the running job, close dialogs', keys: ['Escape'], menu: null },
  { action: 'help', label: 'Keyboard Shortcuts', keys: ['F1', 'Shift+/'], menu: 'Help' },
];

export const KEYMAP: readonly Command[] = keymapFor(TOOL_SPECS);

/** Gestures that are not commands, for the help only. */
export const GESTURES: readonly [keys: string, what: string][] = [
  ['Wheel', 'Zoom around the pointer'],
  ['Space+drag, middle button', 'Pan'],
  ['\\ (hold)', 'Show the original while held'],
];

/** Whether an accelerator has a modifier, so a menu may own it without stealing typed letters. */
export const hasModifier = (accelerator: string) => /(^|\+)(CmdOrCtrl|Alt|Ctrl|Cmd)\+/.test(accelerator) || /^F\d+$/.test(accelerator);

/** Whether a key event is `accelerator` (Electron syntax), with Cmd standing for Ctrl on a Mac. */
export function matches(accelerator: string, e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): boolean {
  const parts = accelerator.split(/\+(?!$)/);
  const key = parts.pop()!;
  const mods = new Set(parts);
  if (mods.has('CmdOrCtrl') !== (e.ctrlKey || e.metaKey)) return false;
  if (mods.has('Alt') !== e.altKey) return false;
  const wanted = key === 'Plus' ? '+' : key.length === 1 ? key.toLowerCase() : key;
  const pressed = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  // Shift is part of characters such as "?" and "+": compare the character, and Shift only for letters and named keys.
  if (/^[A-Za-z]$|^[A-Z][a-z]+$|^F\d+$/.test(key) && mods.has('Shift') !== e.shiftKey) return false;
  if (key === '/' && mods.has('Shift')) return pressed === '?' || (pressed === '/' && e.shiftKey);
  return pressed === wanted;
}

/** An accelerator as people read it on this platform. */
export function keyLabel(accelerator: string, mac: boolean): string {
  return accelerator
    .replace('CmdOrCtrl', mac ? '⌘' : 'Ctrl')
    .replace('Shift+/', '?')
    .replace('Plus', '+')
    .replace('Escape', 'Esc');
}
