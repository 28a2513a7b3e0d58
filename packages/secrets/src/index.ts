/**
 * @wire/secrets — secrets at rest: AES-256-GCM sealing with a key id kept beside each value, so
 * keys rotate (`wire secrets rekey`). Pure `node:crypto`; the key comes from configuration.
 */
export { SecretBox, type SecretBoxKeys } from './secret-box';
export { generateSecretsKey, parseSecretsKey } from './key';
export { SecretsError, SecretsErrorCodes, SecretsErrors, type SecretsErrorCode } from './errors';
