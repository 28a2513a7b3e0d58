import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/** The catalogue of @wire/routing errors; branch on `code`, never on text. */
export const RoutingErrors = defineErrors('RoutingError', {
  PARTNER_INVALID: { code: 'WIRE_ERR_PARTNER_INVALID', message: 'partner definition invalid: the message names the field and the rule' },
  /** `create` with an id that already exists. */
  PARTNER_EXISTS: { code: 'WIRE_ERR_PARTNER_EXISTS', message: 'a partner with this id already exists (use update)' },
  PARTNER_NOT_FOUND: { code: 'WIRE_ERR_PARTNER_NOT_FOUND', message: 'no partner with this id' },
  PARTNERS_FILE: { code: 'WIRE_ERR_PARTNERS_FILE', message: 'the partners file could not be read, is not JSON, or holds an invalid partner' },
  /** Also when re-sealing (`rekey`). */
  SECRETS_KEY: { code: 'WIRE_ERR_PARTNER_SECRETS_KEY', message: 'storing a partner secret needs the secrets key (WIRE_SECRETS_KEY); secrets are never written in the clear' },
});
export const RoutingErrorCodes = RoutingErrors.codes;
export type RoutingErrorCode = ErrorCodeOf<typeof RoutingErrors>;

export const RoutingError = RoutingErrors.Error;
export type RoutingError = InstanceType<typeof RoutingError>;
