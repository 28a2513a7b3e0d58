import { describe, expect, it } from 'vitest';
import { TranslateError, TranslateErrorCodes } from './errors';
import { createTranslationRouter, parseRoutes } from './router';
import type { Translator } from './translator';

// In-process providers: the router's contract is about order and error handling, not HTTP.
function provider(name: string, behaviour: { pairs?: string[]; fail?: TranslateError }): Translator & { calls: number } {
  const p = {
    name,
    calls: 0,
    limits: { maxTextsPerRequest: 10, maxCharsPerRequest: 1000 },
    async supports(from: string, to: string) {
      return !behaviour.pairs || behaviour.pairs.includes(`${from}>${to}`);
    },
    async translate(texts: readonly unknown[]) {
      p.calls++;
      if (behaviour.fail) throw behaviour.fail;
      return texts.map(() => `${name}!`);
    },
  };
  return p;
}

describe('createTranslationRouter', () => {
  it('parses routes and picks the most specific key', () => {
    const routes = parseRoutes('en>es=a|b; *=b');
    const r = createTranslationRouter({ providers: [provider('a', {}), provider('b', {})], routes });
    expect(r.providersFor('en-US', 'es')).toEqual(['a', 'b']);
    expect(r.providersFor('fr', 'de')).toEqual(['b']);
  });

  it('rejects routes naming an unconfigured provider', () => {
    expect(() => createTranslationRouter({ providers: [], routes: { '*': ['deepl'] } })).toThrow(
      expect.objectContaining({ code: TranslateErrorCodes.CONFIG }),
    );
  });

  it('falls back past a down provider and past one without the pair', async () => {
    const down = provider('down', { fail: new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, 'refused') });
    const narrow = provider('narrow', { pairs: ['en>fr'] });
    const good = provider('good', {});
    const r = createTranslationRouter({ providers: [down, narrow, good], routes: { '*': ['down', 'narrow', 'good'] } });
    const out = await r.translate([{ text: 'x', format: 'text' }], 'en', 'es');
    expect(out.provider).toBe('good');
    expect(out.texts).toEqual(['good!']);
    expect(out.attempts.map((a) => a.outcome)).toEqual(['failed', 'unsupported', 'ok']);
  });

  it('says unsupported pair (not retryable) when no provider offers it', async () => {
    const r = createTranslationRouter({ providers: [provider('a', { pairs: ['en>es'] })], routes: { '*': ['a'] } });
    await expect(r.translate([{ text: 'x', format: 'text' }], 'en', 'ko')).rejects.toMatchObject({
      code: TranslateErrorCodes.UNSUPPORTED_PAIR,
      retryable: false,
    });
  });

  it('prefers a retryable failure so the job is retried', async () => {
    const auth = provider('auth', { fail: new TranslateError(TranslateErrorCodes.AUTH, 'bad key') });
    const slow = provider('slow', { fail: new TranslateError(TranslateErrorCodes.RATE_LIMITED, '429') });
    const r = createTranslationRouter({ providers: [auth, slow], routes: { '*': ['auth', 'slow'] } });
    await expect(r.translate([{ text: 'x', format: 'text' }], 'en', 'es')).rejects.toMatchObject({
      code: TranslateErrorCodes.RATE_LIMITED,
      retryable: true,
    });
  });
});
