import { describe, expect, it } from 'vitest';
import { testConfig } from '../helpers/env';

describe('Apertium APY over HTTP', () => {
  const cfg = testConfig();

  it('lists English→Spanish among its pairs', async () => {
    const res = await fetch(`${cfg.APERTIUM_URL}/listPairs`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { responseData: { sourceLanguage: string; targetLanguage: string }[] };
    expect(body.responseData).toContainEqual({ sourceLanguage: 'eng', targetLanguage: 'spa' });
  });

  it('translates an English sentence into Spanish', async () => {
    const form = new URLSearchParams({ langpair: 'eng|spa', q: 'The president met reporters in Seoul on Tuesday.', markUnknown: 'no' });
    const res = await fetch(`${cfg.APERTIUM_URL}/translate`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { responseStatus: number; responseData: { translatedText: string } };
    expect(body.responseStatus).toBe(200);
    const text = body.responseData.translatedText;
    expect(text).toMatch(/presidente/i);
    expect(text).toMatch(/Seúl/);
    expect(text).toMatch(/martes/i);
    expect(text).not.toMatch(/Tuesday/);
  });
});
