import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApertiumTranslator,
  createRedisTranslationCache,
  createStoryTranslator,
  createTranslationRouter,
  storyContentHash,
  TranslateErrorCodes,
  variantUri,
} from '@wire/translate';
import { cleanText } from '@wire/text';
import { testConfig, uniqueName } from '../helpers/env';
import { counting, seedStory, words, yonhapStory } from './helpers';

const config = testConfig();
const apertium = counting(createApertiumTranslator({ url: config.APERTIUM_URL, concurrency: 2 }));
const redis = new Redis(config.REDIS_URL);
const prefix = uniqueName('t7-cache');
const router = createTranslationRouter({ providers: [apertium], routes: { '*': ['apertium'] } });
const translator = createStoryTranslator({ router, cache: createRedisTranslationCache(redis, { ttlSeconds: 600 }), cachePrefix: prefix });

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  expect(await apertium.supports('en', 'es')).toBe(true);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await apertium.close();
});

describe('English → Spanish on the real Apertium', () => {
  it('translates headline, paragraphs and captions, keeps names, markup and paragraph structure', async () => {
    const story = yonhapStory();
    const { variant, provider, cached, missingTerms } = await translator.translate(story, 'es');
    expect(provider).toBe('apertium');
    expect(cached).toBe(false);
    expect(missingTerms).toEqual([]);

    // Spanish words replaced the English ones.
    expect(variant.headline).not.toBe(story.headline);
    const bodyWords = words(variant.body.join(' '));
    expect(bodyWords).toEqual(expect.arrayContaining(['el', 'perro']));
    expect(bodyWords.some((w) => w === 'la' || w === 'los' || w === 'las')).toBe(true);
    expect(bodyWords).not.toContain('the');
    expect(words(variant.images[0]!.caption!)).not.toContain('the');

    // Names intact, where the engine alone would have made "Luna Jae-en" of Moon Jae-in.
    expect(variant.headline).toContain('Moon Jae-in');
    expect(variant.headline).toContain('Kim Jong-un');
    expect(variant.body[0]).toContain('Moon Jae-in');
    expect(variant.body[0]).toContain('Yonhap');
    expect(variant.body[1]).toMatch(/\bMoon\b/);
    expect(variant.images[0]!.caption).toContain('Kim Jong-un');
    expect(variant.body.join(' ')).not.toMatch(/Luna|Jae-en/);
    expect(variant.bylines).toEqual(story.bylines);

    // One <p> per paragraph, inline markup kept, plain body derived from the HTML.
    expect(variant.bodyHtml.match(/<p>/g)).toHaveLength(3);
    expect(variant.bodyHtml).toContain('<b>Kim Jong-un</b>');
    expect(variant.bodyHtml).toMatch(/<i>[^<]+<\/i>/);
    expect(variant.body).toHaveLength(3);
    expect(variant.body[0]).toBe(cleanText(variant.bodyHtml.split('\n')[0]!));

    // A new story, linked to its source and versioned with it.
    expect(variant.uri).toBe(variantUri(story.uri, 'es'));
    expect(variant.language).toBe('es');
    expect(variant.version).toBe(story.version);
    expect(variant.translationOf).toEqual({ uri: story.uri, version: story.version, language: 'en' });
    expect(variant.altIds).toContainEqual({ type: 'translationOf', value: story.uri });
    expect(variant.contentHash).toBe(storyContentHash(variant.headline, variant.body));
    expect(variant.contentHash).not.toBe(story.contentHash);
  });

  it('translates the seed story and keeps its people intact', async () => {
    const story = seedStory();
    const { variant, missingTerms } = await translator.translate(story, 'es');
    expect(missingTerms).toEqual([]);
    expect(variant.body).toHaveLength(story.body.length);
    const all = variant.body.join(' ');
    for (const name of ['Kim Jong-un', 'Vladimir Putin', 'Alexander Kozlov', 'Sergei Shoigu', 'Matthew Miller']) expect(all).toContain(name);
    expect(words(all).filter((w) => w === 'the')).toHaveLength(0);
    expect(words(all)).toEqual(expect.arrayContaining(['el', 'de', 'que']));
  });

  it('serves a re-send from the cache without asking Apertium, and re-translates an update', async () => {
    const story = yonhapStory();
    const first = await translator.translate(story, 'es');
    const callsAfterFirst = apertium.calls;
    expect(callsAfterFirst).toBeGreaterThan(0);

    const again = await translator.translate(structuredClone(story), 'es');
    expect(again.cached).toBe(true);
    expect(apertium.calls).toBe(callsAfterFirst);
    expect(again.variant).toEqual(first.variant);

    // The same text re-sent as version 2: still no provider call, but the variant follows the version.
    const bumped = await translator.translate({ ...story, version: 2 }, 'es');
    expect(bumped.cached).toBe(true);
    expect(bumped.variant.version).toBe(2);
    expect(bumped.variant.translationOf?.version).toBe(2);

    // An update with new text goes to the provider again.
    const body = [...story.body, 'The president thanked the people.'];
    const updated = { ...story, version: 3, body, bodyHtml: `${story.bodyHtml}\n<p>The president thanked the people.</p>`, contentHash: storyContentHash(story.headline, body) };
    const re = await translator.translate(updated, 'es');
    expect(re.cached).toBe(false);
    expect(apertium.calls).toBeGreaterThan(callsAfterFirst);
    expect(re.variant.version).toBe(3);
    expect(re.variant.body).toHaveLength(4);
    expect(words(re.variant.body[3]!)).toEqual(expect.arrayContaining(['el', 'presidente']));
  });

  it('applies the glossary: fixed renderings and terms kept as written', async () => {
    const st = createStoryTranslator({
      router,
      glossary: [{ term: 'peace process', translations: { es: 'proceso de paz' } }, { term: 'border village' }],
    });
    const { variant } = await st.translate(yonhapStory(), 'es');
    expect(variant.body[1]).toContain('proceso de paz');
    expect(variant.bodyHtml).toContain('<i>proceso de paz</i>');
    expect(variant.body[0]).toContain('border village');
  });

  it('says unsupported pair, not retryable, for a pair APY does not have', async () => {
    await expect(translator.translate(yonhapStory(), 'ko')).rejects.toMatchObject({ code: TranslateErrorCodes.UNSUPPORTED_PAIR, retryable: false });
  });

  it('says provider down, retryable, when APY does not answer', async () => {
    const down = createApertiumTranslator({ url: `http://127.0.0.1:${await deadPort()}` });
    const st = createStoryTranslator({ router: createTranslationRouter({ providers: [down], routes: { '*': ['apertium'] } }) });
    await expect(st.translate(yonhapStory(), 'es')).rejects.toMatchObject({ code: TranslateErrorCodes.PROVIDER_DOWN, retryable: true });
    await down.close();
  });
});
