/** Keys as people read them on this platform. */
import { KEYMAP, keyLabel, type Action } from '../electron/keymap.js';

/** Whether keys read as on a Mac (⌘ for Ctrl); false where there is no navigator (a component rendered in a test). */
export const mac = typeof navigator !== 'undefined' && navigator.platform.startsWith('Mac');

/** An action's first key as people read it on this platform ("Ctrl+Z", "⌘Z"). */
export const shortcut = (action: Action) => keyLabel(KEYMAP.find((c) => c.action === action)!.keys[0]!, mac);
