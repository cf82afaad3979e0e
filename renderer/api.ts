import type { ErrorInfo, GanvasApi } from '../electron/contract.js';

declare global {
  interface Window {
    ganvas: GanvasApi;
  }
}

/**
 * The contract's API, provided by preload in the app and by the test bridge in end-to-end tests.
 * Inputs often come from Svelte state, whose objects are proxies that IPC's structured clone
 * refuses; every input is plain data (the contract's schemas are JSON), so it crosses as a copy.
 */
export const api: GanvasApi = {
  call: (name, input) => window.ganvas.call(name, JSON.parse(JSON.stringify(input)) as typeof input),
  onEvent: (listener) => window.ganvas.onEvent(listener),
  openDroppedFile: (file) => window.ganvas.openDroppedFile(file),
};

/** A failure as the engine described it (preload and the bridge carry its code and details), or INTERNAL. */
export function errorInfo(err: unknown): ErrorInfo {
  const e = err as { code?: ErrorInfo['code']; details?: string; message?: string } | null;
  return { code: e?.code ?? 'INTERNAL', message: e?.message ?? String(err), ...(e?.details ? { details: e.details } : {}) };
}
