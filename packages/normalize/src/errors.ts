import { WireError } from '@wire/schema';

/**
 * The normalize error catalogue: every failure of `normalize()` and of the format parsers is one
 * of these codes. Codes are stable (partners and the dead-letter topic see them); messages name
 * what, where and why.
 */
export const NORMALIZE_ERRORS = {
  WIRE_ERR_UNSUPPORTED_FORMAT: 'input: format not recognised or not supported',
  WIRE_ERR_XML_ENTITY: 'xml: entity declarations and custom entity references are refused (XXE / entity expansion)',
  WIRE_ERR_XML_DTD: 'xml: DOCTYPE with an internal subset or external reference is refused',
  WIRE_ERR_XML_MALFORMED: 'xml: not well-formed',
  WIRE_ERR_JSON_MALFORMED: 'json: not valid JSON',
  WIRE_ERR_SCHEMA: 'document: does not match the format schema',
  WIRE_ERR_TOO_LARGE: 'input: larger than the size limit',
  WIRE_ERR_TOO_DEEP: 'input: nesting deeper than the limit',
  WIRE_ERR_TOO_MANY_ITEMS: 'input: more items than the limit',
  WIRE_ERR_INVALID_UTF8: 'input: bytes are not valid UTF-8 and no other charset could be applied',
  WIRE_ERR_BAD_CHARSET: 'input: declared charset is unknown',
  WIRE_ERR_EMPTY: 'input: empty after decoding',
  WIRE_ERR_NO_HEADLINE: 'headline: empty after cleaning',
  WIRE_ERR_NO_BODY: 'body: empty after cleaning',
  WIRE_ERR_MIME_MALFORMED: 'email: MIME structure is broken',
  WIRE_ERR_INTERNAL: 'normalize: unexpected internal failure (a bug)',
} as const;

export type NormalizeErrorCode = keyof typeof NORMALIZE_ERRORS;

/** A typed normalize failure; branch on `code`, never on the message. */
export class NormalizeError extends WireError {
  declare readonly code: NormalizeErrorCode;

  constructor(code: NormalizeErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'NormalizeError';
  }
}

/**
 * Builds a `NormalizeError`. `details.reason` (when given) replaces the catalogue text so the
 * message can name the exact field, value and rule; `details.where` is appended.
 *
 * @example normalizeError('WIRE_ERR_NO_HEADLINE', { reason: 'headline: empty after cleaning (NITF hedline)' })
 */
export function normalizeError(code: NormalizeErrorCode, details: Record<string, unknown> = {}, cause?: unknown): NormalizeError {
  const reason = typeof details.reason === 'string' && details.reason.length > 0 ? details.reason : NORMALIZE_ERRORS[code];
  const where = typeof details.where === 'string' && details.where.length > 0 ? ` (at ${details.where})` : '';
  return new NormalizeError(code, `${reason}${where}`, details, cause === undefined ? undefined : { cause });
}

export const isNormalizeError = (e: unknown): e is NormalizeError => e instanceof NormalizeError;
