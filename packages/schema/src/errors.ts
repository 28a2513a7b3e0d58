/**
 * The base of every typed error in the pipeline. Each package keeps its own catalogue of codes
 * (`WIRE_ERR_…`) with a message template; code branches on `code` or `instanceof`, never on text.
 */
export class WireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WireError';
  }

  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** An expected outcome of pure code: a value or a typed error, never a throw. */
export type Result<T, E = WireError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
