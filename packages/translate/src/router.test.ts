import { describe, expect, it } from 'vitest';
import { TranslateError, TranslateErrorCodes } from './errors';
import { pairKey } from './languages';
import { createTranslationRouter, noTranslatorReason, parseRoutes } from './router';
import { toSegments, type Segment, type Translator } from './translator';

// In-process providers: the router's contract is about order and error handling, not HTTP.
function provider(name: string, behaviour: { pairs?: string[]; fail?: TranslateError; listFails?: boolean }): Translator & { calls: number; hops: string[] } {
  const p = {
    name,
    calls: 0,
    limits: { maxTextsPerRequest: 10, maxCharsPerRequest: 1000 },
    async supports(from: string, to: string) {
      if (behaviour.listFails) throw new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, 'GET /listPairs: connection refused');
      return !behaviour.pairs || behaviour.pairs.includes(pairKey(from, to));
    },
    hops: [] as string[],
    async translate(texts: readonly string[] | readonly Segment[], from: string, to: string) {
      p.calls++;
      p.hops.push(`${from}>${to}`);
      if (behaviour.fail) throw behaviour.fail;
      return toSegments(texts).map((t) => `${t.text}|${name}:${from}>${to}`);
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
    expect(out.texts).toEqual(['x|good:en>es']);
    expect(out.path).toEqual(['en', 'es']);
    expect(out.attempts.map((a) => a.outcome)).toEqual(['failed', 'unsupported', 'ok']);
  });

  it('says "no translator for sv→es" (unsupported pair, not retryable) when no provider offers it, directly or through a pivot', async () => {
    const a = provider('a', { pairs: ['en>es', 'es>en', 'sv>da', 'da>sv'] });
    const r = createTranslationRouter({ providers: [a], routes: { '*': ['a'] } });
    const err = await r.translate([{ text: 'x', format: 'text' }], 'sv', 'es').catch((e: TranslateError) => e);
    expect(err).toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR, retryable: false });
    expect((err as TranslateError).message).toMatch(/^no translator for sv→es /);
    expect(noTranslatorReason('sv-SE', 'es')).toBe('no translator for sv→es');
    expect(await r.pathFor('sv', 'es')).toBeUndefined();
    expect(a.calls).toBe(0);
  });

  it('pivots along the shortest path when no pair is direct, records the path, and keeps direct pairs direct', async () => {
    const a = provider('a', { pairs: ['gl>es', 'es>en', 'gl>pt', 'pt>ca', 'ca>en', 'en>es'] });
    const r = createTranslationRouter({ providers: [a], routes: { '*': ['a'] } });
    const out = await r.translate([{ text: 'Ola', format: 'text' }], 'gl', 'en');
    expect(out.path).toEqual(['gl', 'es', 'en']);
    expect(out.texts).toEqual(['Ola|a:gl>es|a:es>en']);
    expect(out.provider).toBe('a');
    expect(out.attempts.map((x) => [x.pair, x.outcome])).toEqual([
      ['gl>en', 'unsupported'],
      ['gl>es', 'ok'],
      ['es>en', 'ok'],
    ]);
    expect((await r.translate([{ text: 'Hi', format: 'text' }], 'en', 'es')).path).toEqual(['en', 'es']);
    // Two pivots only when allowed: pt>ca>en is one pivot; gl>pt>ca>en needs two.
    const narrow = provider('n', { pairs: ['gl>pt', 'pt>ca', 'ca>en'] });
    const one = createTranslationRouter({ providers: [narrow], routes: { '*': ['n'] } });
    expect(await one.pathFor('pt', 'en')).toEqual(['pt', 'ca', 'en']);
    expect(await one.pathFor('gl', 'en')).toBeUndefined();
    const two = createTranslationRouter({ providers: [narrow], routes: { '*': ['n'] }, maxPivots: 2 });
    expect(await two.pathFor('gl', 'en')).toEqual(['gl', 'pt', 'ca', 'en']);
    const direct = createTranslationRouter({ providers: [a], routes: { '*': ['a'] }, maxPivots: 0 });
    await expect(direct.translate([{ text: 'Ola', format: 'text' }], 'gl', 'en')).rejects.toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR });
  });

  it('breaks ties between paths of one length by pivot preference, and may use a different provider per hop', async () => {
    const a = provider('a', { pairs: ['pt>es', 'pt>ca', 'ca>en'] });
    const b = provider('b', { pairs: ['es>en'] });
    const r = createTranslationRouter({ providers: [a, b], routes: { '*': ['a', 'b'] } });
    // Spanish first, then English, then the rest: Spanish wins over Catalan.
    expect(await r.pathFor('pt', 'en')).toEqual(['pt', 'es', 'en']);
    const out = await r.translate([{ text: 'Olá', format: 'html' }], 'pt-BR', 'en');
    expect(out.provider).toBe('a+b');
    expect(out.texts).toEqual(['Olá|a:pt-BR>es|b:es>en']);
    expect([a.hops, b.hops]).toEqual([['pt-BR>es'], ['es>en']]);
    const catalanFirst = createTranslationRouter({ providers: [a, b], routes: { '*': ['a', 'b'] }, pivots: ['ca', 'es'] });
    expect(await catalanFirst.pathFor('pt', 'en')).toEqual(['pt', 'ca', 'en']);
  });

  it('does not call a pair untranslatable while a provider cannot say what it offers: retryable instead', async () => {
    const down = provider('down', { listFails: true });
    const narrow = provider('narrow', { pairs: ['en>es'] });
    const r = createTranslationRouter({ providers: [narrow, down], routes: { '*': ['narrow', 'down'] } });
    await expect(r.translate([{ text: 'x', format: 'text' }], 'sv', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });
    await expect(r.pathFor('sv', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });
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
