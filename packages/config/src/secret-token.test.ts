import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envSecretToken, loadConfig, tokenWeakness } from './index';

describe('tokenWeakness', () => {
  it.each([
    'change-me-local-ops-token',
    'change-me',
    'changeme',
    'CHANGE_ME_PLEASE_1234567890',
    'please-change-this-token',
    'replace-me-with-a-real-token',
    'your-token-here-0123456789',
    'example-ops-token-8f3k2m9q',
    'placeholder-ops-token-x7y8z9',
    'Password123456789!',
  ])('refuses the placeholder %j', (token) => {
    expect(tokenWeakness(token)).toMatch(/^is a placeholder/);
  });

  it.each(['short-9f8e7d6c', 'Xk29#mQ'])('refuses %j as too short', (token) => {
    expect(tokenWeakness(token)).toMatch(/at least 16 characters/);
  });

  it.each([
    'aaaaaaaaaaaaaaaaaaaaaaaa',
    'abababababababababababab',
    'abcdefghijklmnopqrstuvwx',
    '0123456789012345678901234567',
    '1111222233334444',
    'qqqqwwwweeeerrrrttttyyyy',
  ])('refuses the predictable %j', (token) => {
    expect(tokenWeakness(token)).toMatch(/^too predictable/);
  });

  it('accepts random tokens of the usual shapes, every time', () => {
    for (let i = 0; i < 500; i++) {
      for (const token of [randomBytes(24).toString('base64url'), randomBytes(12).toString('base64url'), randomBytes(16).toString('hex'), randomBytes(32).toString('base64'), randomUUID()]) {
        expect(tokenWeakness(token), token).toBeUndefined();
      }
    }
    expect(tokenWeakness('correct-horse-battery-staple')).toBeUndefined();
  });

  it('never repeats the token in its message', () => {
    for (const token of ['abcdefghijklmnopqrstuvwx', 'short-9f8e7d6c', 'change-me-local-ops-token']) {
      expect(tokenWeakness(token)).not.toContain(token);
    }
  });
});

describe('envSecretToken', () => {
  const Schema = z.object({ OPS_TOKEN: envSecretToken() });

  it('names the variable and why, once per bad value', () => {
    for (const [value, why] of [[undefined, /required/], ['', /required but empty/], ['change-me-local-ops-token', /placeholder/], ['aaaaaaaaaaaaaaaaaaaa', /predictable/]] as const) {
      try {
        loadConfig(Schema, { OPS_TOKEN: value });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).lines).toHaveLength(1);
        expect((err as ConfigError).lines[0]).toMatch(/^OPS_TOKEN: /);
        expect((err as ConfigError).lines[0]).toMatch(why);
      }
    }
    const token = randomBytes(24).toString('base64url');
    expect(loadConfig(Schema, { OPS_TOKEN: token }).OPS_TOKEN).toBe(token);
  });
});
