/** How a segment is written: plain text, or an HTML fragment whose markup must come back intact. */
export type TextFormat = 'text' | 'html';

/** One piece of text to translate, with its own format. */
export interface Segment {
  text: string;
  format: TextFormat;
}

export interface TranslateOptions {
  /** Format of every text when plain strings are passed (default `text`). */
  format?: TextFormat;
  signal?: AbortSignal;
}

/** What one request to a provider may carry; the chunker packs segments within these. */
export interface ProviderLimits {
  /** Most texts in one request (1 for providers that take a single text). */
  maxTextsPerRequest: number;
  /** Most characters (UTF-16 code units) across the texts of one request. */
  maxCharsPerRequest: number;
  /** Most UTF-8 bytes across one request's texts (Amazon counts bytes), when the provider counts bytes. */
  maxBytesPerRequest?: number;
  /** Plain and HTML texts may share a request (the adapter handles each text's format). */
  mixedFormats?: boolean;
}

/**
 * A machine-translation provider. `translate` returns one output per input, in order, and throws a
 * `TranslateError` when it cannot (`retryable` tells whether a later attempt can help).
 *
 * @example
 * const out = await apertium.translate(['The dog barks.'], 'en', 'es');
 * // ['El perro ladra.']
 */
export interface Translator {
  /** Stable provider name (`apertium`, `libretranslate`, `deepl`, `amazon`): part of cache keys and metrics. */
  readonly name: string;
  readonly limits: ProviderLimits;
  /** Whether the provider offers `from` → `to` (BCP 47); may ask the provider once and remember. */
  supports(from: string, to: string): Promise<boolean>;
  /** Translate texts (or segments, each with its own format) from `from` to `to`. */
  translate(texts: readonly string[] | readonly Segment[], from: string, to: string, opts?: TranslateOptions): Promise<string[]>;
}

/** Plain strings or segments → segments. */
export function toSegments(texts: readonly string[] | readonly Segment[], format: TextFormat = 'text'): Segment[] {
  return texts.map((t) => (typeof t === 'string' ? { text: t, format } : t));
}
