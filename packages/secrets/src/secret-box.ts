import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretsError, SecretsErrorCodes } from './errors';
import { keyId, KEY_BYTES } from './key';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBoxKeys {
  /** The key new values are sealed under (`WIRE_SECRETS_KEY`). */
  key: Buffer;
  /** Keys that still open older values during a rotation (`WIRE_SECRETS_OLD_KEYS`). */
  oldKeys?: readonly Buffer[];
}

/**
 * Secrets at rest: AES-256-GCM with a fresh 96-bit IV per value, stored as
 * `enc:v1:<key id>:<iv>:<ciphertext+tag>` (base64url). The key id says which key opens a value,
 * so keys rotate: seal under the new key, keep the old ones to open what is not re-sealed yet
 * (`wire secrets rekey` re-seals everything). The `context` (e.g. `partner:daily`) is
 * authenticated with the value, so a sealed value copied onto another record does not open.
 *
 * @example
 * const box = new SecretBox({ key });
 * const stored = box.seal('whsec_…', 'partner:daily'); // 'enc:v1:k…:…:…'
 * box.open(stored, 'partner:daily'); // 'whsec_…'
 */
export class SecretBox {
  /** Id of the current key (the one `seal` uses). */
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(keys: SecretBoxKeys) {
    for (const key of [keys.key, ...(keys.oldKeys ?? [])]) {
      if (key.length !== KEY_BYTES) throw new SecretsError(SecretsErrorCodes.KEY, `a secrets key must be ${KEY_BYTES} bytes, got ${key.length}`);
      if (!this.keys.has(keyId(key))) this.keys.set(keyId(key), key);
    }
    this.keyId = keyId(keys.key);
  }

  /** True when `value` is a sealed value (of any key). */
  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** The key id a sealed value names, or undefined when it is not sealed. */
  static keyIdOf(value: string): string | undefined {
    return SecretBox.isSealed(value) ? value.slice(PREFIX.length).split(':', 1)[0] : undefined;
  }

  /** True when `value` is sealed under the current key (nothing for a rekey to do). */
  isCurrent(value: string): boolean {
    return SecretBox.keyIdOf(value) === this.keyId;
  }

  /** Seal `plaintext` under the current key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.keyId)!, iv);
    cipher.setAAD(aad(this.keyId, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** Open a sealed value. Throws SecretsError: FORMAT, UNKNOWN_KEY or TAMPERED. */
  open(sealed: string, context: string): string {
    const parts = SecretBox.isSealed(sealed) ? sealed.slice(PREFIX.length).split(':') : [];
    const [kid, ivText, bodyText] = parts;
    const iv = ivText ? Buffer.from(ivText, 'base64url') : undefined;
    const body = bodyText ? Buffer.from(bodyText, 'base64url') : undefined;
    if (parts.length !== 3 || !kid || iv?.length !== IV_BYTES || !body || body.length < TAG_BYTES) {
      throw new SecretsError(SecretsErrorCodes.FORMAT, `${context}: stored value is not enc:v1:<key id>:<iv>:<ciphertext>`, { context });
    }
    const key = this.keys.get(kid);
    if (!key) {
      throw new SecretsError(SecretsErrorCodes.UNKNOWN_KEY, `${context}: sealed under key ${kid}, which is neither WIRE_SECRETS_KEY (${this.keyId}) nor in WIRE_SECRETS_OLD_KEYS`, { context, keyId: kid });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad(kid, context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretsError(SecretsErrorCodes.TAMPERED, `${context}: sealed value under key ${kid} failed authentication`, { context, keyId: kid }, { cause });
    }
  }
}

function aad(kid: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}${kid}:${context}`, 'utf8');
}
