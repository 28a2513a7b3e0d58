import { describe, expect, it } from 'vitest';
import { TranslateError, TranslateErrorCodes, TranslateErrors } from './errors';
import { fromApertiumCode, normalizeLanguage, toApertiumCode } from './languages';

describe('error catalogue', () => {
  it('documents every code, and retryability follows the docs', () => {
    for (const code of Object.values(TranslateErrorCodes)) {
      expect(TranslateErrors.spec(code).message.length).toBeGreaterThan(10);
      expect(new TranslateError(code, 'x').retryable).toBe(TranslateErrors.spec(code).retryable ?? false);
    }
    expect(new TranslateError(TranslateErrorCodes.UNSUPPORTED_PAIR, 'x').retryable).toBe(false);
    expect(new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, 'x').retryable).toBe(true);
  });
});

describe('language codes', () => {
  it('maps BCP 47 to Apertium and back', () => {
    expect(toApertiumCode('en')).toBe('eng');
    expect(toApertiumCode('es')).toBe('spa');
    expect(toApertiumCode('en-us')).toBe('eng_US');
    expect(toApertiumCode('no')).toBe('nob'); // Apertium pairs Bokmål and Nynorsk, not the macrolanguage
    expect(fromApertiumCode('spa')).toBe('es');
    expect(fromApertiumCode('eng_US')).toBe('en-US');
    expect(normalizeLanguage('PT_br')).toBe('pt-BR');
  });
});
