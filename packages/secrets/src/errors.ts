import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/** The catalogue of @wire/secrets errors; branch on `code`, never on text. */
export const SecretsErrors = defineErrors('SecretsError', {
  /** Also a key that looks hand-made. */
  KEY: { code: 'WIRE_ERR_SECRETS_KEY', message: 'a secrets key must be 32 random bytes written as base64 or hex (`wire secrets keygen` prints one)' },
  UNKNOWN_KEY: { code: 'WIRE_ERR_SECRETS_UNKNOWN_KEY', message: 'the value was sealed under a key that is neither WIRE_SECRETS_KEY nor in WIRE_SECRETS_OLD_KEYS' },
  FORMAT: { code: 'WIRE_ERR_SECRETS_FORMAT', message: 'a sealed value must read enc:v1:<key id>:<iv>:<ciphertext and tag>' },
  /** Or a wrong key with a colliding id. */
  TAMPERED: { code: 'WIRE_ERR_SECRETS_TAMPERED', message: 'the sealed value failed authentication: it was altered or belongs to another record' },
});
export const SecretsErrorCodes = SecretsErrors.codes;
export type SecretsErrorCode = ErrorCodeOf<typeof SecretsErrors>;

/** A typed @wire/secrets error. */
export const SecretsError = SecretsErrors.Error;
export type SecretsError = InstanceType<typeof SecretsError>;
