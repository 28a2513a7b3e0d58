import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretsErrorCodes, SecretsErrors } from './errors';
import { generateSecretsKey, keyId, parseSecretsKey } from './key';
import { SecretBox } from './secret-box';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox({ key });

  it('seals as enc:v1:<key id>:<iv>:<ciphertext> and opens again; the value is not in the output', () => {
    const sealed = box.seal(secret, 'partner:daily');
    expect(sealed).toMatch(new RegExp(`^enc:v1:${box.keyId}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain(secret.slice(6));
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url'));
    expect(box.open(sealed, 'partner:daily')).toBe(secret);
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(SecretBox.keyIdOf(sealed)).toBe(box.keyId);
    expect(box.isCurrent(sealed)).toBe(true);
    expect(box.isCurrent(secret)).toBe(false);
  });

  it('uses a fresh IV per value', () => {
    expect(box.seal(secret, 'partner:daily')).not.toBe(box.seal(secret, 'partner:daily'));
  });

  it('refuses a value moved to another record, altered, or cut', () => {
    const sealed = box.seal(secret, 'partner:daily');
    expect(() => box.open(sealed, 'partner:evil')).toThrow(expect.objectContaining({ code: SecretsErrorCodes.TAMPERED }));
    const body = sealed.split(':')[4]!;
    const flipped = `${sealed.slice(0, -body.length)}${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open(flipped, 'partner:daily')).toThrow(expect.objectContaining({ code: SecretsErrorCodes.TAMPERED }));
    expect(() => box.open(sealed.split(':').slice(0, 4).join(':'), 'partner:daily')).toThrow(expect.objectContaining({ code: SecretsErrorCodes.FORMAT }));
    expect(() => box.open(secret, 'partner:daily')).toThrow(expect.objectContaining({ code: SecretsErrorCodes.FORMAT }));
  });

  it('rotates: the new key seals, old keys still open, a forgotten key is named', () => {
    const oldSealed = box.seal(secret, 'partner:daily');
    const next = new SecretBox({ key: randomBytes(32), oldKeys: [key] });
    expect(next.keyId).not.toBe(box.keyId);
    expect(next.open(oldSealed, 'partner:daily')).toBe(secret);
    expect(next.isCurrent(oldSealed)).toBe(false);
    const newSealed = next.seal(secret, 'partner:daily');
    expect(next.isCurrent(newSealed)).toBe(true);
    expect(() => box.open(newSealed, 'partner:daily')).toThrow(expect.objectContaining({ code: SecretsErrorCodes.UNKNOWN_KEY, details: expect.objectContaining({ keyId: next.keyId }) }));
  });

  it('takes only 32-byte keys', () => {
    expect(() => new SecretBox({ key: randomBytes(16) })).toThrow(expect.objectContaining({ code: SecretsErrorCodes.KEY }));
  });
});

describe('keys', () => {
  it('reads base64, base64url and hex of 32 bytes, to the same key', () => {
    const bytes = randomBytes(32);
    for (const text of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), ` ${bytes.toString('hex').toUpperCase()}\n`]) {
      const parsed = parseSecretsKey(text);
      expect(parsed.ok && parsed.value.equals(bytes)).toBe(true);
    }
    expect(parseSecretsKey(generateSecretsKey()).ok).toBe(true);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', '!'.repeat(44)],
    ['hand-made', Buffer.alloc(32, 'a').toString('base64')],
    ['a password', 'correct horse battery staple'],
  ])('refuses a key that is %s, without echoing it', (_why, text) => {
    const parsed = parseSecretsKey(text);
    expect(!parsed.ok && parsed.error.code).toBe(SecretsErrorCodes.KEY);
    expect(!parsed.ok && parsed.error.message).not.toContain(text);
  });

  it('derives a stable key id that differs per key', () => {
    const k = randomBytes(32);
    expect(keyId(k)).toBe(keyId(Buffer.from(k)));
    expect(keyId(k)).not.toBe(keyId(randomBytes(32)));
    expect(keyId(k)).toMatch(/^k[A-Za-z0-9_-]{10}$/);
  });

  it('documents every code', () => {
    for (const code of Object.values(SecretsErrorCodes)) expect(SecretsErrors.spec(code).message).toMatch(/\w/);
  });
});
