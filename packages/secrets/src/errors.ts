import { WireError } from '@wire/schema';

/** The catalogue of @wire/secrets errors; branch on `code`, never on text. */
export const SecretsErrorCodes = {
  /** A key that is not 32 bytes of base64 or hex, or looks hand-made. */
  KEY: 'WIRE_ERR_SECRETS_KEY',
  /** A value sealed under a key that is neither the current key nor an old one given. */
  UNKNOWN_KEY: 'WIRE_ERR_SECRETS_UNKNOWN_KEY',
  /** A stored value that is not `enc:v1:<key id>:<iv>:<ciphertext>`. */
  FORMAT: 'WIRE_ERR_SECRETS_FORMAT',
  /** The value does not authenticate under its key (altered, moved to another record, or a wrong key with a colliding id). */
  TAMPERED: 'WIRE_ERR_SECRETS_TAMPERED',
} as const;
export type SecretsErrorCode = (typeof SecretsErrorCodes)[keyof typeof SecretsErrorCodes];

/** What each code means, for docs and the catalogue test. */
export const SecretsErrorDocs: Record<SecretsErrorCode, string> = {
  WIRE_ERR_SECRETS_KEY: 'a secrets key must be 32 random bytes written as base64 or hex (`wire secrets keygen` prints one)',
  WIRE_ERR_SECRETS_UNKNOWN_KEY: 'the value was sealed under a key that is neither WIRE_SECRETS_KEY nor in WIRE_SECRETS_OLD_KEYS',
  WIRE_ERR_SECRETS_FORMAT: 'a sealed value must read enc:v1:<key id>:<iv>:<ciphertext and tag>',
  WIRE_ERR_SECRETS_TAMPERED: 'the sealed value failed authentication: it was altered or belongs to another record',
};

/** A typed @wire/secrets error. */
export class SecretsError extends WireError {
  constructor(code: SecretsErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'SecretsError';
  }
}
