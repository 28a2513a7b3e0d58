import { afterEach, describe, expect, it } from 'vitest';
import {
  createAmazonTranslator,
  createDeepLTranslator,
  createLibreTranslateTranslator,
  createStoryTranslator,
  createTranslationRouter,
  TranslateErrorCodes,
} from '@wire/translate';
import { startAmazonTranslate, startDeepL, startLibreTranslate, type FakeServer } from './provider-servers';
import { yonhapStory } from './helpers';

const open: Array<{ close(): Promise<void> }> = [];
const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});
const translateCalls = (s: FakeServer, path: string) => s.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('LibreTranslate adapter', () => {
  it('sends q[], source, target, format and api_key, and keeps markup', async () => {
    const server = track(await startLibreTranslate({ apiKey: 'lt-key' }));
    const lt = track(createLibreTranslateTranslator({ url: server.url, apiKey: 'lt-key' }));
    const out = await lt.translate(
      [
        { text: 'The dog barks.', format: 'text' },
        { text: '<p>The <b>big</b> dog</p>', format: 'html' },
        { text: 'The cat sleeps.', format: 'text' },
      ],
      'en',
      'es',
    );
    expect(out).toEqual(['el perro ladra.', '<p>el <b>grande</b> perro</p>', 'el gato duerme.']);
    const bodies = translateCalls(server, '/translate').map((r) => JSON.parse(r.body));
    expect(bodies).toEqual([
      { q: ['The dog barks.', 'The cat sleeps.'], source: 'en', target: 'es', format: 'text', api_key: 'lt-key' },
      { q: ['<p>The <b>big</b> dog</p>'], source: 'en', target: 'es', format: 'html', api_key: 'lt-key' },
    ]);
  });

  it('chunks within the server character limit', async () => {
    const server = track(await startLibreTranslate({ charLimit: 100 }));
    const lt = track(createLibreTranslateTranslator({ url: server.url, maxCharsPerRequest: 100 }));
    const texts = Array.from({ length: 12 }, (_, i) => `The dog ${i} barks and the cat sleeps.`);
    const out = await lt.translate(texts, 'en', 'es');
    expect(out).toEqual(texts.map((_, i) => `el perro ${i} ladra y el gato duerme.`));
    expect(translateCalls(server, '/translate').length).toBeGreaterThan(1);
    expect(server.maxChars).toBeLessThanOrEqual(100);
  });

  it('maps 403, 429, 400 and a missing pair to typed errors', async () => {
    const server = track(await startLibreTranslate({ apiKey: 'right' }));
    const wrongKey = track(createLibreTranslateTranslator({ url: server.url, apiKey: 'wrong' }));
    await expect(wrongKey.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.AUTH, retryable: false });

    const lt = track(createLibreTranslateTranslator({ url: server.url, apiKey: 'right' }));
    server.fail = '429';
    await expect(lt.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.RATE_LIMITED, retryable: true });
    server.fail = '500';
    await expect(lt.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });
    server.fail = undefined;

    // The server's own 400 (here: more characters than its limit) is a bad request, not retried.
    const limited = track(await startLibreTranslate({ charLimit: 10 }));
    const big = track(createLibreTranslateTranslator({ url: limited.url, maxCharsPerRequest: 1000 }));
    await expect(big.translate(['The dog barks loudly today.'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.BAD_REQUEST, retryable: false });

    const before = translateCalls(server, '/translate').length;
    await expect(lt.translate(['The dog'], 'en', 'ko')).rejects.toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR });
    expect(await lt.supports('en', 'ko')).toBe(false);
    expect(translateCalls(server, '/translate').length).toBe(before);
  });
});

describe('DeepL adapter', () => {
  it('authenticates with DeepL-Auth-Key, sends text[] with DeepL codes, tag_handling for HTML, 50 texts per request', async () => {
    const server = track(await startDeepL({ authKey: 'dk:fx' }));
    const deepl = track(createDeepLTranslator({ url: server.url, authKey: 'dk:fx' }));
    const texts = Array.from({ length: 120 }, (_, i) => `The dog ${i}`);
    const out = await deepl.translate(texts, 'en', 'es');
    expect(out).toEqual(texts.map((_, i) => `el perro ${i}`));
    const calls = translateCalls(server, '/v2/translate').map((r) => JSON.parse(r.body));
    expect(calls.map((c) => c.text.length)).toEqual([50, 50, 20]);
    expect(calls[0]).toMatchObject({ source_lang: 'EN', target_lang: 'ES' });
    expect(calls[0].tag_handling).toBeUndefined();

    const html = await deepl.translate(['<p>The <i>cat</i></p>'], 'en', 'es', { format: 'html' });
    expect(html).toEqual(['<p>el <i>gato</i></p>']);
    expect(JSON.parse(translateCalls(server, '/v2/translate').at(-1)!.body).tag_handling).toBe('html');

    // English as a target needs a variant in DeepL: `en` becomes EN-US.
    await deepl.translate(['The dog'], 'de', 'en');
    expect(JSON.parse(translateCalls(server, '/v2/translate').at(-1)!.body)).toMatchObject({ source_lang: 'DE', target_lang: 'EN-US' });
  });

  it('maps 456 quota, 429, 403 and 5xx to typed errors', async () => {
    const server = track(await startDeepL({ authKey: 'good' }));
    const deepl = track(createDeepLTranslator({ url: server.url, authKey: 'good' }));
    server.fail = '456';
    await expect(deepl.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.QUOTA_EXCEEDED, retryable: true });
    server.fail = '429';
    await expect(deepl.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.RATE_LIMITED, retryable: true });
    server.fail = '503';
    await expect(deepl.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });
    const bad = track(createDeepLTranslator({ url: server.url, authKey: 'bad' }));
    await expect(bad.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.AUTH, retryable: false });
  });

  it('falls back to the next provider when DeepL is out of quota', async () => {
    const deeplServer = track(await startDeepL({ authKey: 'k' }));
    const ltServer = track(await startLibreTranslate());
    deeplServer.fail = '456';
    const router = createTranslationRouter({
      providers: [track(createDeepLTranslator({ url: deeplServer.url, authKey: 'k' })), track(createLibreTranslateTranslator({ url: ltServer.url }))],
      routes: { 'en>es': ['deepl', 'libretranslate'] },
    });
    const { variant, provider } = await createStoryTranslator({ router }).translate(yonhapStory(), 'es');
    expect(provider).toBe('libretranslate');
    expect(variant.body[2]).toBe('el perro of el village was happy.');
    expect(variant.body[0]).toContain('Moon Jae-in');
    expect(translateCalls(deeplServer, '/v2/translate').length).toBeGreaterThan(0);
  });
});

describe('Amazon Translate adapter', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  it('calls TranslateText for text and TranslateDocument for HTML, signed, within 10 000 bytes', async () => {
    const server = track(await startAmazonTranslate());
    const aws = track(createAmazonTranslator({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 }));
    const long = Array.from({ length: 800 }, () => 'The dog barks.').join(' ');
    const out = await aws.translate(
      [
        { text: 'The cat sleeps.', format: 'text' },
        { text: '<p>The <b>dog</b></p>', format: 'html' },
        { text: long, format: 'text' },
      ],
      'en',
      'es',
    );
    expect(out[0]).toBe('el gato duerme.');
    expect(out[1]).toBe('<p>el <b>perro</b></p>');
    expect(out[2]).toBe(Array.from({ length: 800 }, () => 'el perro ladra.').join(' '));
    const targets = server.requests.map((r) => r.headers['x-amz-target']);
    expect(targets).toContain('AWSShineFrontendService_20170701.TranslateText');
    expect(targets).toContain('AWSShineFrontendService_20170701.TranslateDocument');
    for (const r of server.requests) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/translate\/aws4_request/);
      const text = (JSON.parse(r.body) as { Text?: string }).Text;
      if (text) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(10_000);
    }
    expect(server.requests.length).toBeGreaterThan(3);
  });

  it('maps UnsupportedLanguagePairException and ThrottlingException', async () => {
    const server = track(await startAmazonTranslate({ languages: ['en', 'es'] }));
    const aws = track(createAmazonTranslator({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 }));
    await expect(aws.translate(['The dog'], 'en', 'ko')).rejects.toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR, retryable: false });
    server.fail = 'throttle';
    await expect(aws.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.RATE_LIMITED, retryable: true });
    server.fail = 'unavailable';
    await expect(aws.translate(['The dog'], 'en', 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });

    // The router reads an unsupported pair from the provider itself as "try the next one".
    const router = createTranslationRouter({ providers: [aws], routes: { '*': ['amazon'] } });
    await expect(router.translate([{ text: 'x', format: 'text' }], 'en', 'ko')).rejects.toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR });
  });

  it('lets the SDK retry a passing throttle', async () => {
    const server = track(await startAmazonTranslate());
    const aws = track(createAmazonTranslator({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 3 }));
    server.fail = 'throttle';
    server.failTimes = 1;
    expect(await aws.translate(['The dog'], 'en', 'es')).toEqual(['el perro']);
    expect(server.requests).toHaveLength(2);
  });
});
