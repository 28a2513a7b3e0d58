import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The catalogue of @wire/translate errors. Every code is stable; branch on `code` (or on
 * `retryable`), never on message text.
 */
export const TranslateErrors = defineErrors('TranslateError', {
  UNSUPPORTED_PAIR: { code: 'WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR', message: 'no configured provider translates this language pair' },
  PROVIDER_DOWN: { code: 'WIRE_ERR_TRANSLATE_PROVIDER_DOWN', message: 'provider unreachable, timed out or answered 5xx', retryable: true },
  RATE_LIMITED: { code: 'WIRE_ERR_TRANSLATE_RATE_LIMITED', message: 'provider answered 429 / throttling: slow down and retry', retryable: true },
  QUOTA_EXCEEDED: { code: 'WIRE_ERR_TRANSLATE_QUOTA_EXCEEDED', message: 'provider character quota used up (DeepL 456): retry after it resets', retryable: true },
  AUTH: { code: 'WIRE_ERR_TRANSLATE_AUTH', message: 'provider refused the credentials (401/403): fix the API key' },
  BAD_REQUEST: { code: 'WIRE_ERR_TRANSLATE_BAD_REQUEST', message: 'provider rejected the request (400/413/validation)' },
  BAD_RESPONSE: { code: 'WIRE_ERR_TRANSLATE_BAD_RESPONSE', message: 'provider answered 2xx with an unusable body', retryable: true },
  PROTECTED_TERM_LOST: { code: 'WIRE_ERR_TRANSLATE_PROTECTED_TERM_LOST', message: 'a protected name or glossary term did not survive translation' },
  CONFIG: { code: 'WIRE_ERR_TRANSLATE_CONFIG', message: 'translation routes name an unknown provider or are malformed' },
});
export const TranslateErrorCodes = TranslateErrors.codes;
export type TranslateErrorCode = ErrorCodeOf<typeof TranslateErrors>;

/** A typed @wire/translate error; `retryable` tells a worker whether to try again later. */
export const TranslateError = TranslateErrors.Error;
export type TranslateError = InstanceType<typeof TranslateError>;

/** True for a `TranslateError` with the given code. */
export function isTranslateError(e: unknown, code?: TranslateErrorCode): e is TranslateError {
  return e instanceof TranslateError && (code === undefined || e.code === code);
}
