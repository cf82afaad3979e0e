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
  /** A library's own words about the failure (for a "Details" section), kept out of `message`. */
  readonly details: string | undefined;

  constructor(
    readonly code: GanvasErrorCode,
    message: string,
    options?: { cause?: unknown; details?: string },
  ) {
    super(message, options);
    this.name = 'GanvasError';
    this.details = options?.details;
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

/** The whole story as one line of text (CLI, batch reports): the message, then any library details. */
export function errorMessage(err: unknown): string {
  if (err instanceof GanvasError && err.details) return `${err.message} (${err.details})`;
  return err instanceof Error ? err.message : String(err);
}

/** The plain, structured form of an error that crosses a thread or process boundary. */
export interface ErrorInfo {
  code: GanvasErrorCode | 'INTERNAL';
  message: string;
  details?: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof GanvasError) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  return { code: 'INTERNAL', message: errorMessage(err) };
}

export function fromErrorInfo(info: ErrorInfo): Error {
  return info.code === 'INTERNAL' ? new Error(info.message) : new GanvasError(info.code, info.message, info.details ? { details: info.details } : {});
}

/** A schema's first few complaints about data the user (or a stranger) gave, each naming where: `steps.0.tool Invalid option …`. */
export function schemaIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, whole: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || whole} ${i.message}`)
    .join('; ');
}
