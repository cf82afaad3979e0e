import type { GanvasApi } from '../electron/contract.js';

declare global {
  interface Window {
    ganvas: GanvasApi;
  }
}

/** The contract's API, provided by preload in the app and by the test bridge in end-to-end tests. */
export const api: GanvasApi = window.ganvas;

export function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // Electron prefixes errors thrown in main with where they came from; the user needs the reason.
  return msg.replace(/^Error invoking remote method '[^']+': (\w+Error: )?/, '');
}
