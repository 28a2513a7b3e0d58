import { WireError } from '@wire/schema';

/**
 * The catalogue of @wire/translate errors. Every code is stable; branch on `code` (or on
 * `retryable`), never on message text.
 */
export const TranslateErrorCodes = {
  /** No configured provider translates this language pair. Never succeeds on retry. */
  UNSUPPORTED_PAIR: 'WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR',
  /** The provider did not answer (connection refused, timeout, 5xx). Retry later. */
  PROVIDER_DOWN: 'WIRE_ERR_TRANSLATE_PROVIDER_DOWN',
  /** The provider asked us to slow down (HTTP 429, AWS throttling). Retry later. */
  RATE_LIMITED: 'WIRE_ERR_TRANSLATE_RATE_LIMITED',
  /** The account's character quota is used up (DeepL 456). Retry after the quota resets. */
  QUOTA_EXCEEDED: 'WIRE_ERR_TRANSLATE_QUOTA_EXCEEDED',
  /** The provider refused our credentials (HTTP 401/403). Fix the configuration. */
  AUTH: 'WIRE_ERR_TRANSLATE_AUTH',
  /** The provider rejected the request itself (HTTP 400/413, AWS validation). */
  BAD_REQUEST: 'WIRE_ERR_TRANSLATE_BAD_REQUEST',
  /** The provider answered 2xx with a body we cannot use (wrong shape, wrong count). */
  BAD_RESPONSE: 'WIRE_ERR_TRANSLATE_BAD_RESPONSE',
  /** A protected name or glossary term did not come back from the provider. */
  PROTECTED_TERM_LOST: 'WIRE_ERR_TRANSLATE_PROTECTED_TERM_LOST',
  /** The translation configuration names a provider that is not configured, or is malformed. */
  CONFIG: 'WIRE_ERR_TRANSLATE_CONFIG',
} as const;
export type TranslateErrorCode = (typeof TranslateErrorCodes)[keyof typeof TranslateErrorCodes];

/** What each code means and whether a retry can help, for docs and the catalogue test. */
export const TranslateErrorDocs: Record<TranslateErrorCode, { meaning: string; retryable: boolean }> = {
  WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR: { meaning: 'no configured provider translates this language pair', retryable: false },
  WIRE_ERR_TRANSLATE_PROVIDER_DOWN: { meaning: 'provider unreachable, timed out or answered 5xx', retryable: true },
  WIRE_ERR_TRANSLATE_RATE_LIMITED: { meaning: 'provider answered 429 / throttling: slow down and retry', retryable: true },
  WIRE_ERR_TRANSLATE_QUOTA_EXCEEDED: { meaning: 'provider character quota used up (DeepL 456): retry after it resets', retryable: true },
  WIRE_ERR_TRANSLATE_AUTH: { meaning: 'provider refused the credentials (401/403): fix the API key', retryable: false },
  WIRE_ERR_TRANSLATE_BAD_REQUEST: { meaning: 'provider rejected the request (400/413/validation)', retryable: false },
  WIRE_ERR_TRANSLATE_BAD_RESPONSE: { meaning: 'provider answered 2xx with an unusable body', retryable: true },
  WIRE_ERR_TRANSLATE_PROTECTED_TERM_LOST: { meaning: 'a protected name or glossary term did not survive translation', retryable: false },
  WIRE_ERR_TRANSLATE_CONFIG: { meaning: 'translation routes name an unknown provider or are malformed', retryable: false },
};

/** A typed @wire/translate error; `retryable` tells a worker whether to try again later. */
export class TranslateError extends WireError {
  readonly retryable: boolean;
  constructor(
    code: TranslateErrorCode,
    message: string,
    details: Record<string, unknown> & { provider?: string } = {},
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(code, message, details, options);
    this.name = 'TranslateError';
    this.retryable = options?.retryable ?? TranslateErrorDocs[code].retryable;
  }
}

/** True for a `TranslateError` with the given code. */
export function isTranslateError(e: unknown, code?: TranslateErrorCode): e is TranslateError {
  return e instanceof TranslateError && (code === undefined || e.code === code);
}
