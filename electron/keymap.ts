/**
 * Every command a user can give by key or menu, once: the application menu (main), the key
 * handling and the shortcut help (renderer) are all made from this table. No imports: both
 * processes load it.
 */

export type Action =
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
  | 'tool-enhance'
  | 'tool-inpaint'
  | 'tool-extend'
  | 'tool-style'
  | 'tool-lowlight'
  | 'tool-hand'
  | 'tool-zoom'
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
}

export const KEYMAP: readonly Command[] = [
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
  { action: 'tool-enhance', label: 'Enhance', keys: ['U'], menu: 'Tools' },
  { action: 'tool-inpaint', label: 'Erase', keys: ['E'], menu: 'Tools' },
  { action: 'tool-extend', label: 'Extend', keys: ['X'], menu: 'Tools' },
  { action: 'tool-style', label: 'Style', keys: ['S'], menu: 'Tools' },
  { action: 'tool-lowlight', label: 'Low light', keys: ['L'], menu: 'Tools' },
  { action: 'tool-hand', label: 'Hand (pan)', keys: ['H'], menu: 'Tools' },
  { action: 'tool-zoom', label: 'Zoom (click in, Alt+click out)', keys: ['Z'], menu: 'Tools' },
  { action: 'apply', label: 'Run the active tool (Erase what is marked)', keys: ['Enter'], menu: null },
  { action: 'brush-smaller', label: 'Brush smaller', keys: ['['], menu: null },
  { action: 'brush-larger', label: 'Brush larger', keys: [']'], menu: null },
  { action: 'escape', label: 'Cancel the running job, close dialogs', keys: ['Escape'], menu: null },
  { action: 'help', label: 'Keyboard Shortcuts', keys: ['F1', 'Shift+/'], menu: 'Help' },
];

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
