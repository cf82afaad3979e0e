import type { ErrorInfo, GanvasApi } from '../electron/contract.js';

declare global {
  interface Window {
    ganvas: GanvasApi;
  }
}

/** The contract's API, provided by preload in the app and by the test bridge in end-to-end tests. */
export const api: GanvasApi = window.ganvas;

/** A failure as the engine described it (preload and the bridge carry its code and details), or INTERNAL. */
export function errorInfo(err: unknown): ErrorInfo {
  const e = err as { code?: ErrorInfo['code']; details?: string; message?: string } | null;
  return { code: e?.code ?? 'INTERNAL', message: e?.message ?? String(err), ...(e?.details ? { details: e.details } : {}) };
}
