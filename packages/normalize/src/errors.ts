import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The normalize error catalogue: every failure of `normalize()` and of the format parsers is one
 * of these codes. Codes are stable (partners and the dead-letter topic see them); messages name
 * what, where and why.
 */
export const NormalizeErrors = defineErrors('NormalizeError', {
  UNSUPPORTED_FORMAT: { code: 'WIRE_ERR_UNSUPPORTED_FORMAT', message: 'input: format not recognised or not supported' },
  XML_ENTITY: { code: 'WIRE_ERR_XML_ENTITY', message: 'xml: entity declarations and custom entity references are refused (XXE / entity expansion)' },
  XML_DTD: { code: 'WIRE_ERR_XML_DTD', message: 'xml: DOCTYPE with an internal subset or external reference is refused' },
  XML_MALFORMED: { code: 'WIRE_ERR_XML_MALFORMED', message: 'xml: not well-formed' },
  JSON_MALFORMED: { code: 'WIRE_ERR_JSON_MALFORMED', message: 'json: not valid JSON' },
  SCHEMA: { code: 'WIRE_ERR_SCHEMA', message: 'document: does not match the format schema' },
  TOO_LARGE: { code: 'WIRE_ERR_TOO_LARGE', message: 'input: larger than the size limit' },
  TOO_DEEP: { code: 'WIRE_ERR_TOO_DEEP', message: 'input: nesting deeper than the limit' },
  TOO_MANY_ITEMS: { code: 'WIRE_ERR_TOO_MANY_ITEMS', message: 'input: more items than the limit' },
  INVALID_UTF8: { code: 'WIRE_ERR_INVALID_UTF8', message: 'input: bytes are not valid UTF-8 and no other charset could be applied' },
  BAD_CHARSET: { code: 'WIRE_ERR_BAD_CHARSET', message: 'input: declared charset is unknown' },
  EMPTY: { code: 'WIRE_ERR_EMPTY', message: 'input: empty after decoding' },
  NO_HEADLINE: { code: 'WIRE_ERR_NO_HEADLINE', message: 'headline: empty after cleaning' },
  NO_BODY: { code: 'WIRE_ERR_NO_BODY', message: 'body: empty after cleaning' },
  MIME_MALFORMED: { code: 'WIRE_ERR_MIME_MALFORMED', message: 'email: MIME structure is broken' },
  INTERNAL: { code: 'WIRE_ERR_INTERNAL', message: 'normalize: unexpected internal failure (a bug)' },
});

export type NormalizeErrorCode = ErrorCodeOf<typeof NormalizeErrors>;

/** A typed normalize failure; branch on `code`, never on the message. */
export const NormalizeError = NormalizeErrors.Error;
export type NormalizeError = InstanceType<typeof NormalizeError>;

/**
 * Builds a `NormalizeError`. `details.reason` (when given) replaces the catalogue text so the
 * message can name the exact field, value and rule; `details.where` is appended.
 *
 * @example normalizeError('WIRE_ERR_NO_HEADLINE', { reason: 'headline: empty after cleaning (NITF hedline)' })
 */
export function normalizeError(code: NormalizeErrorCode, details: Record<string, unknown> = {}, cause?: unknown): NormalizeError {
  const reason = typeof details.reason === 'string' && details.reason.length > 0 ? details.reason : NormalizeErrors.spec(code).message;
  const where = typeof details.where === 'string' && details.where.length > 0 ? ` (at ${details.where})` : '';
  return new NormalizeError(code, `${reason}${where}`, details, cause === undefined ? undefined : { cause });
}

export const isNormalizeError = (e: unknown): e is NormalizeError => e instanceof NormalizeError;
