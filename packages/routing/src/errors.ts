import { WireError } from '@wire/schema';

/** The catalogue of @wire/routing errors; branch on `code`, never on text. */
export const RoutingErrorCodes = {
  /** A partner definition failed validation (field, value and rule in the message). */
  PARTNER_INVALID: 'WIRE_ERR_PARTNER_INVALID',
  /** `create` with an id that already exists. */
  PARTNER_EXISTS: 'WIRE_ERR_PARTNER_EXISTS',
  /** An operation named a partner id that does not exist. */
  PARTNER_NOT_FOUND: 'WIRE_ERR_PARTNER_NOT_FOUND',
  /** The declarative partners file could not be read or parsed. */
  PARTNERS_FILE: 'WIRE_ERR_PARTNERS_FILE',
  /** A partner secret was to be stored (or re-sealed) by a registry given no secrets key. */
  SECRETS_KEY: 'WIRE_ERR_PARTNER_SECRETS_KEY',
} as const;
export type RoutingErrorCode = (typeof RoutingErrorCodes)[keyof typeof RoutingErrorCodes];

export const RoutingErrorDocs: Record<RoutingErrorCode, string> = {
  WIRE_ERR_PARTNER_INVALID: 'partner definition invalid: the message names the field and the rule',
  WIRE_ERR_PARTNER_EXISTS: 'a partner with this id already exists (use update)',
  WIRE_ERR_PARTNER_NOT_FOUND: 'no partner with this id',
  WIRE_ERR_PARTNERS_FILE: 'the partners file could not be read, is not JSON, or holds an invalid partner',
  WIRE_ERR_PARTNER_SECRETS_KEY: 'storing a partner secret needs the secrets key (WIRE_SECRETS_KEY); secrets are never written in the clear',
};

export class RoutingError extends WireError {
  constructor(code: RoutingErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'RoutingError';
  }
}
