import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalize } from '@wire/normalize';
import type { CanonicalStory } from '@wire/schema';
import { storyContentHash, type Segment, type TranslateOptions, type Translator } from '@wire/translate';

const SEED = fileURLToPath(new URL('../fixtures/seed/000_3a1e1f91969e4f14.txt', import.meta.url));

/** The seed story (a JoongAng Daily page about Kim Jong-un's trip to Russia), normalized. */
export function seedStory(overrides: Partial<CanonicalStory> = {}): CanonicalStory {
  const r = normalize(readFileSync(SEED), { source: 'joongang', guid: `seed-${Math.random().toString(36).slice(2, 8)}` });
  if (!r.ok) throw r.error;
  return { ...r.value[0]!, ...overrides };
}

/**
 * A short Yonhap story with names Apertium would otherwise translate (`Moon` → `Luna`) and
 * inline markup in the body.
 */
export function yonhapStory(overrides: Partial<CanonicalStory> = {}): CanonicalStory {
  const headline = 'Moon Jae-in meets Kim Jong-un at the border';
  const paragraphs = [
    'Former President Moon Jae-in met North Korean leader <b>Kim Jong-un</b> at the border village on Monday, Yonhap News Agency reported.',
    'The two leaders talked about the <i>peace process</i> for two hours. Moon said the talks were useful.',
    'The dog of the village was happy.',
  ];
  const body = paragraphs.map((p) => p.replace(/<[^>]+>/g, ''));
  return {
    uri: `urn:wire:yonhap:AEN${Math.random().toString(36).slice(2, 10)}`,
    source: 'yonhap',
    guid: 'AEN20240429000100315',
    version: 1,
    type: 'text',
    pubStatus: 'usable',
    correction: false,
    language: 'en',
    headline,
    bylines: [{ name: 'Sarah Kim' }],
    body,
    bodyHtml: paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
    images: [{ caption: 'Moon Jae-in shakes hands with Kim Jong-un in this photo provided by the pool.', credit: 'YONHAP', renditions: [] }],
    subjects: [],
    keywords: [],
    infoSources: [{ name: 'Yonhap', role: 'originator' }],
    altIds: [{ type: 'guid', value: 'AEN20240429000100315' }],
    contentHash: storyContentHash(headline, body),
    wordCount: 60,
    warnings: [],
    ...overrides,
  };
}

/** A provider wrapper that counts the requests reaching the real provider behind it. */
export function counting<T extends Translator>(inner: T): T & { calls: number; texts: number } {
  const wrapper = Object.create(inner) as T & { calls: number; texts: number };
  wrapper.calls = 0;
  wrapper.texts = 0;
  wrapper.translate = async (texts: readonly string[] | readonly Segment[], from: string, to: string, opts?: TranslateOptions) => {
    wrapper.calls++;
    wrapper.texts += texts.length;
    return inner.translate(texts, from, to, opts);
  };
  return wrapper;
}

/** Lower-case words of a text. */
export const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
