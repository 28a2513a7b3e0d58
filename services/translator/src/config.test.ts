import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wire/config';
import { loadTranslatorConfig } from './config';

describe('loadTranslatorConfig', () => {
  it('defaults to Apertium for every pair', () => {
    const c = loadTranslatorConfig({});
    expect(c.TRANSLATE_ROUTES).toBe('*=apertium');
    expect(c.APERTIUM_URL).toBe('http://127.0.0.1:2737');
    expect([c.TRANSLATE_MAX_PIVOTS, c.TRANSLATE_PIVOTS]).toEqual([1, []]);
  });

  it('reads the pivot settings and names a bad one', () => {
    const c = loadTranslatorConfig({ TRANSLATE_MAX_PIVOTS: '0', TRANSLATE_PIVOTS: 'ca, en' });
    expect([c.TRANSLATE_MAX_PIVOTS, c.TRANSLATE_PIVOTS]).toEqual([0, ['ca', 'en']]);
    expect(() => loadTranslatorConfig({ TRANSLATE_MAX_PIVOTS: '9' })).toThrow(ConfigError);
  });

  it('names bad variables, then routes to providers the environment does not configure', () => {
    let error: ConfigError | undefined;
    try {
      loadTranslatorConfig({ TRANSLATE_ROUTES: 'en>es=deepl|apertium', TRANSLATOR_CONCURRENCY: 'many' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.lines).toEqual([expect.stringMatching(/^TRANSLATOR_CONCURRENCY: expected a whole number/)]);
    expect(() => loadTranslatorConfig({ TRANSLATE_ROUTES: 'en>es=deepl|apertium' })).toThrow(/TRANSLATE_ROUTES: "en>es" names provider "deepl"/);
    expect(loadTranslatorConfig({ TRANSLATE_ROUTES: 'en>es=deepl|apertium', DEEPL_AUTH_KEY: 'k:fx' }).DEEPL_URL).toBe('https://api-free.deepl.com');
  });
});
