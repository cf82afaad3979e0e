/** Whether keys read as on a Mac (⌘ for Ctrl); false where there is no navigator (a component rendered in a test). */
export const mac = typeof navigator !== 'undefined' && navigator.platform.startsWith('Mac');
