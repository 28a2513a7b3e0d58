/**
 * The dedupe benchmark's synthetic wire copy, shared by the benchmark and its latency thread
 * (`dedupe-thread.ts`): both build the same stories from the same seed.
 */
import { storyUri, type CanonicalStory } from '@wire/schema';
import { fmix32 } from '@wire/dedupe';

/** Deterministic pseudo-random numbers (the run is repeatable). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    return fmix32(s) / 2 ** 32;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vor', 'ul', 'pe', 'dri', 'son', 'ga', 'ber', 'fin', 'cor', 'tel', 'mon', 'ar', 'is', 'ne', 'quo'];

/** Synthetic wire copy: a vocabulary of made-up words, names and figures in sentences. */
export function makeCorpus(n: number, seed: number): CanonicalStory[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const vocab: string[] = [];
  for (let i = 0; i < 4000; i++) vocab.push(pick(SYLLABLES) + pick(SYLLABLES) + (r() < 0.5 ? pick(SYLLABLES) : ''));
  const names: string[] = [];
  for (let i = 0; i < 800; i++) {
    const w = pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES);
    names.push(w[0]!.toUpperCase() + w.slice(1));
  }
  const sentence = (): string => {
    const words: string[] = [pick(names)];
    const len = 12 + Math.floor(r() * 14);
    for (let i = 0; i < len; i++) {
      const x = r();
      words.push(x < 0.08 ? String(Math.floor(r() * 10000) / 10) : x < 0.14 ? pick(names) : x < 0.4 ? pick(['the', 'of', 'to', 'in', 'said', 'and', 'a', 'for']) : pick(vocab));
    }
    return `${words.join(' ')}.`;
  };
  const stories: CanonicalStory[] = [];
  for (let i = 0; i < n; i++) {
    let body: string[];
    let headline: string;
    if (i > 10 && r() < 0.2) {
      // A near-duplicate of an earlier story: one paragraph dropped, a sentence added.
      const orig = stories[Math.floor(r() * stories.length)]!;
      body = [`${sentence()}`, ...orig.body.slice(0, Math.max(1, orig.body.length - 1))];
      headline = orig.headline;
    } else {
      body = [];
      const paras = 3 + Math.floor(r() * 4);
      for (let p = 0; p < paras; p++) body.push(`${sentence()} ${sentence()}`);
      headline = sentence().toUpperCase();
    }
    const guid = `bench-${seed}-${i}`;
    stories.push({
      uri: storyUri('bench', guid),
      source: 'bench',
      guid,
      version: 1,
      type: 'text',
      pubStatus: 'usable',
      correction: false,
      headline,
      bylines: [],
      body,
      bodyHtml: '',
      images: [],
      subjects: [],
      keywords: [],
      infoSources: [],
      altIds: [],
      contentHash: fmix32(i * 7919 + seed).toString(16).padStart(8, '0') + '0'.repeat(56),
      wordCount: body.join(' ').split(' ').length,
      warnings: [],
    });
  }
  return stories;
}
