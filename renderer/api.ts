import type { ErrorInfo, GanvasApi } from '../electron/contract.js';

declare global {
  interface Window {
    ganvas: GanvasApi;
  }
}

/** The contract's API, provided by preload in the app and by the test bridge in end-to-end tests. */
export const api: GanvasApi = window.ganvas;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The failure's kind (MODEL_MISSING, WRITE_FAILED, …) as the engine said it, or INTERNAL. */
export function errorCode(err: unknown): ErrorInfo['code'] {
  return (err as { code?: ErrorInfo['code'] } | null)?.code ?? 'INTERNAL';
}
