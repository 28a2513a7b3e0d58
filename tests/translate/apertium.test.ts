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

/**
 * One direction of every Debian pair `wire infra` installs (infra/local/apertium.ts), the same
 * sentence in each source language: "The government wants to build more houses in the city next
 * year." Each must come back in the target language — words only that language has.
 */
const PAIRS: Array<{ from: string; to: string; text: string; expect: string[] }> = [
  { from: 'nb', to: 'nn', text: 'Regjeringen vil bygge flere boliger i byen neste år.', expect: ['fleire', 'bustader'] },
  { from: 'sv', to: 'da', text: 'Regeringen vill bygga fler bostäder i staden nästa år.', expect: ['boliger', 'næste'] },
  { from: 'sv', to: 'nb', text: 'Regeringen vill bygga fler bostäder i staden nästa år.', expect: ['regjeringen', 'boliger', 'neste'] },
  { from: 'da', to: 'nb', text: 'Regeringen vil bygge flere boliger i byen næste år.', expect: ['regjeringen', 'neste'] },
  { from: 'no', to: 'sv', text: 'Regjeringen vil bygge flere boliger i byen neste år.', expect: ['bostäder', 'nästa'] },
  { from: 'es', to: 'ca', text: 'El gobierno quiere construir más viviendas en la ciudad el próximo año.', expect: ['govern', 'habitatges', 'ciutat'] },
  { from: 'pt', to: 'ca', text: 'O governo quer construir mais casas na cidade no próximo ano.', expect: ['govern', 'ciutat'] },
  { from: 'es', to: 'it', text: 'El gobierno quiere construir más viviendas en la ciudad el próximo año.', expect: ['governo', 'vuole', 'città'] },
  { from: 'it', to: 'ca', text: "Il governo vuole costruire più case in città l'anno prossimo.", expect: ['govern', 'vol', 'ciutat'] },
  { from: 'gl', to: 'es', text: 'O goberno quere construír máis vivendas na cidade o ano que vén.', expect: ['gobierno', 'quiere', 'ciudad'] },
  { from: 'pt', to: 'es', text: 'O governo quer construir mais casas na cidade no próximo ano.', expect: ['gobierno', 'quiere', 'ciudad'] },
  { from: 'pt', to: 'gl', text: 'O governo quer construir mais casas na cidade no próximo ano.', expect: ['goberno', 'quere'] },
  { from: 'en', to: 'ca', text: 'The government wants to build more houses in the city next year.', expect: ['vol', 'ciutat'] },
  { from: 'en', to: 'gl', text: 'The government wants to build more houses in the city next year.', expect: ['goberno', 'quere', 'cidade'] },
  { from: 'fr', to: 'es', text: "Le gouvernement veut construire plus de logements dans la ville l'année prochaine.", expect: ['quiere', 'ciudad'] },
];

describe('the Debian pairs on the real Apertium, direct and through a pivot', () => {
  it.each(PAIRS)('$from → $to', async ({ from, to, text, expect: wanted }) => {
    expect(await apertium.supports(from, to)).toBe(true);
    const [out] = await apertium.translate([text], from, to);
    expect(words(out!)).toEqual(expect.arrayContaining(wanted));
  });

  it("finds paths from APY's own pair list: direct where a pair exists, else the shortest through one pivot, else none", async () => {
    expect(await router.pathFor('nb', 'sv')).toEqual(['nb', 'sv']);
    expect(await router.pathFor('gl', 'en')).toEqual(['gl', 'en']);
    expect(await router.pathFor('pt', 'en')).toEqual(['pt', 'es', 'en']);
    expect(await router.pathFor('it', 'en')).toEqual(['it', 'es', 'en']);
    expect(await router.pathFor('en', 'pt')).toEqual(['en', 'es', 'pt']);
    expect(await router.pathFor('fr', 'ca')).toEqual(['fr', 'es', 'ca']);
    // The Scandinavian pairs connect to nothing outside Scandinavia.
    expect(await router.pathFor('sv', 'es')).toBeUndefined();
    expect(await router.pathFor('nb', 'en')).toBeUndefined();
  });

  it('translates a Portuguese story into English through Spanish, names kept across both hops', async () => {
    const headline = 'António Costa quer mais casas';
    const body = ['O primeiro-ministro António Costa disse que o governo quer construir mais casas na cidade no próximo ano.'];
    const story = yonhapStory({ language: 'pt', headline, body, bodyHtml: `<p>${body[0]}</p>`, images: [], bylines: [], contentHash: storyContentHash(headline, body) });
    const { variant, provider, attempts } = await translator.translate(story, 'en');
    expect(provider).toBe('apertium');
    expect(attempts.filter((a) => a.outcome === 'ok').map((a) => a.pair)).toEqual(['pt>es', 'es>en']);
    expect(variant.language).toBe('en');
    expect(variant.translationOf).toEqual({ uri: story.uri, version: 1, language: 'pt' });
    expect(variant.headline).toContain('António Costa');
    expect(variant.body[0]).toContain('António Costa');
    expect(words(variant.body[0]!)).toEqual(expect.arrayContaining(['the', 'government', 'wants', 'houses', 'city']));
    expect(variant.bodyHtml).toMatch(/^<p>.*<\/p>$/);
  });

  it('says "no translator for sv→es", not retryable, for a Swedish story into Spanish', async () => {
    const story = yonhapStory({ language: 'sv', headline: 'Regeringen vill bygga fler bostäder' });
    await expect(translator.translate(story, 'es')).rejects.toMatchObject({
      code: TranslateErrorCodes.UNSUPPORTED_PAIR,
      retryable: false,
      message: expect.stringMatching(/^no translator for sv→es /),
    });
  });
});

