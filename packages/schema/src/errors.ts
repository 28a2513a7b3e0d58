/**
 * The base of every typed error in the pipeline. Each package keeps its own catalogue of codes
 * (`WIRE_ERR_…`), made with `defineErrors`; code branches on `code` or `instanceof`, never on text.
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

/** One entry of an error catalogue. */
export interface ErrorSpec {
  /** The stable code callers branch on (`WIRE_ERR_…`); partners and dead letters see it. */
  code: `WIRE_ERR_${string}`;
  /** What failed, in one line: documents the code and heads messages built with `create`. */
  message: string;
  /** Whether the same input may succeed later (a timeout, a 503); false when it never will. */
  retryable?: boolean;
  /** More for the reader of the docs, where the message alone does not say what to do. */
  doc?: string;
}

/** Options of a catalogue error: its cause, and `retryable` where this failure differs from its code's. */
export interface CatalogueErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/** The code union of a catalogue made by `defineErrors`. */
export type ErrorCodeOf<C extends { codes: Record<string, string> }> = C['codes'][keyof C['codes']];

/**
 * A package's error catalogue: each entry a stable code with its message, whether a retry may
 * help, and docs; and the package's error class, a `WireError` whose `retryable` comes from the
 * catalogue unless the thrower says otherwise. Entries are named for use (`Codes.TIMEOUT`);
 * the code strings stay greppable in the definition.
 *
 * @example
 * export const MediaErrors = defineErrors('MediaError', {
 *   TIMEOUT: { code: 'WIRE_ERR_MEDIA_TIMEOUT', message: 'the image host took too long', retryable: true },
 * });
 * export const MediaError = MediaErrors.Error;
 * throw new MediaError('WIRE_ERR_MEDIA_TIMEOUT', `image ${url}: no answer in 10 s`, { url });
 */
export function defineErrors<const S extends Record<string, ErrorSpec>>(name: string, specs: S) {
  type Code = S[keyof S]['code'];
  const byCode = new Map<string, S[keyof S]>(Object.values(specs).map((s) => [s.code, s as S[keyof S]]));
  const codes = Object.fromEntries(Object.entries(specs).map(([key, s]) => [key, s.code])) as { readonly [K in keyof S]: S[K]['code'] };
  const spec = (code: Code): S[keyof S] & ErrorSpec => byCode.get(code)!;

  class CatalogueError extends WireError {
    declare readonly code: Code;
    /** Whether trying again later may succeed. */
    readonly retryable: boolean;

    constructor(code: Code, message: string, details: Record<string, unknown> = {}, options?: CatalogueErrorOptions) {
      super(code, message, details, options);
      this.name = name;
      this.retryable = options?.retryable ?? spec(code)?.retryable ?? false;
    }
  }
  Object.defineProperty(CatalogueError, 'name', { value: name });

  return {
    /** The error class's name. */
    name,
    /** Entry name → code, for call sites: `Codes.TIMEOUT`. */
    codes,
    /** Entry name → its spec, as defined. */
    specs,
    /** The spec of a code. */
    spec,
    /** The package's error class. */
    Error: CatalogueError,
    /** An error whose message is the catalogue's, then the specifics: `dedupe: the index store failed: <specifics>`. */
    create(code: Code, specifics: string, details: Record<string, unknown> = {}, cause?: unknown): CatalogueError {
      return new CatalogueError(code, `${spec(code).message}: ${specifics}`, details, cause === undefined ? undefined : { cause });
    },
  };
}

/** An expected outcome of pure code: a value or a typed error, never a throw. */
export type Result<T, E = WireError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
