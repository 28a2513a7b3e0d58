import { WireError } from '@wire/schema';
import { describe, expect, it } from 'vitest';
import { DedupeError, DedupeErrors, dedupeError } from './errors';

describe('dedupe error catalogue', () => {
  it('every code is a stable WIRE_ERR_DEDUPE_* with a message that says what failed', () => {
    for (const { code, message: text } of Object.values(DedupeErrors.specs)) {
      expect(code).toMatch(/^WIRE_ERR_DEDUPE_[A-Z_]+$/);
      expect(text).toMatch(/^dedupe: /);
      const e = dedupeError(code, 'specifics here', { uri: 'u' });
      expect(e).toBeInstanceOf(DedupeError);
      expect(e).toBeInstanceOf(WireError);
      expect(e.code).toBe(code);
      expect(e.message).toBe(`${text}: specifics here`);
      expect(e.toJSON()).toMatchObject({ code, details: { uri: 'u' } });
    }
  });
});
