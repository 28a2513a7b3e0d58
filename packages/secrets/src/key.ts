import { createHash, randomBytes } from 'node:crypto';
import { err, ok, type Result } from '@wire/schema';
import { SecretsError, SecretsErrorCodes } from './errors';

/** AES-256 keys are 32 bytes. */
export const KEY_BYTES = 32;

/**
 * Read a secrets key: 64 hex characters, or base64 / base64url of 32 bytes. A key with fewer than
 * 16 distinct byte values is refused as hand-made (32 random bytes have about 30).
 *
 * @example parseSecretsKey(generateSecretsKey()) // { ok: true, value: <Buffer 32 bytes> }
 */
export function parseSecretsKey(text: string): Result<Buffer, SecretsError> {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t)) key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    return err(new SecretsError(SecretsErrorCodes.KEY, `expected ${KEY_BYTES} bytes as base64 or 64 hex characters (got ${t.length} characters)`));
  }
  if (new Set(key).size < 16) {
    return err(new SecretsError(SecretsErrorCodes.KEY, 'looks hand-made (too few distinct bytes); use 32 random bytes, e.g. from `wire secrets keygen`'));
  }
  return ok(key);
}

/** A fresh key, base64 of 32 random bytes. */
export function generateSecretsKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * The id stored beside each value sealed under `key`: a digest of the key, so the key needs no
 * name and a value says which key opens it. It reveals nothing usable about the key.
 *
 * @example keyId(key) // 'k7Hq2xV0aZ'
 */
export function keyId(key: Buffer): string {
  return `k${createHash('sha256').update('wire-secrets key id\0').update(key).digest('base64url').slice(0, 10)}`;
}
