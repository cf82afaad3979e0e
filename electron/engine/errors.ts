/**
 * Errors a user can act on. `code` lets the UI and CLI react; `message` is written for a person
 * and names the file and the problem.
 */
export type GanvasErrorCode =
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_UNSUPPORTED'
  | 'WRITE_FAILED'
  | 'MODEL_UNKNOWN'
  | 'MODEL_MISSING'
  | 'MODEL_CORRUPT'
  | 'MODEL_INSTALL_FAILED'
  | 'INFERENCE_FAILED'
  | 'CANCELLED'
  | 'INVALID_INPUT'
  | 'LAYER_LOCKED'
  | 'PROJECT_UNREADABLE'
  | 'PROJECT_TOO_NEW'
  | 'NOT_FOUND';

export class GanvasError extends Error {
  constructor(
    readonly code: GanvasErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GanvasError';
  }
}

export class CancelledError extends GanvasError {
  constructor() {
    super('CANCELLED', 'Cancelled.');
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof GanvasError && err.code === 'CANCELLED';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The plain, structured form of an error that crosses a thread or process boundary. */
export interface ErrorInfo {
  code: GanvasErrorCode | 'INTERNAL';
  message: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof GanvasError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: errorMessage(err) };
}

export function fromErrorInfo(info: ErrorInfo): Error {
  return info.code === 'INTERNAL' ? new Error(info.message) : new GanvasError(info.code, info.message);
}
