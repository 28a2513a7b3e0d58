import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wire/config';
import { loadTranslatorConfig } from './config';

describe('loadTranslatorConfig', () => {
  it('defaults to Apertium for every pair', () => {
    const c = loadTranslatorConfig({});
    expect(c.TRANSLATE_ROUTES).toBe('*=apertium');
    expect(c.APERTIUM_URL).toBe('http://127.0.0.1:2737');
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
