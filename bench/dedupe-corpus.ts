/**
 * The dedupe benchmark's wire copy: an indexed population of stories shaped like wire text (the
 * ingest bench's generator, `wire-text.ts`) and a checked stream that refers back to it the way
 * real traffic does — re-sends, updates, corrections and kills of indexed stories, another
 * agency's near-duplicate of one, a look-alike (same template, other figures) and new stories.
 * Every item carries the decision it should get, so the bench can say how many it got right.
 */
import { storyUri, type CanonicalStory, type DecisionKind } from '@wire/schema';
import { fmix32 } from '@wire/dedupe';
import { wireText } from './wire-text';

/** Deterministic pseudo-random numbers (the run is repeatable). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    return fmix32(s) / 2 ** 32;
  };
}

/** Words per paragraph and paragraphs per story: about 250 words, as in the ingest bench. */
const PARAGRAPH_WORDS = 45;
const PARAGRAPHS = 5;
/** Seeds of new (never indexed) stories start here, far above any index position. */
const FRESH_SEED_BASE = 500_000_000;

function story(source: string, guid: string, version: number, headline: string, body: string[], extra: Partial<CanonicalStory> = {}): CanonicalStory {
  return {
    uri: storyUri(source, guid),
    source,
    guid,
    version,
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
    contentHash: fmix32(fmix32(version * 7919) ^ hashText(headline + body.join('\n'))).toString(16).padStart(8, '0').repeat(8),
    wordCount: body.join(' ').split(' ').length,
    warnings: [],
    ...extra,
  };
}

function hashText(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function copy(seed: number): { headline: string; body: string[] } {
  const body = Array.from({ length: PARAGRAPHS }, (_, p) => `${wireText(seed * 16 + p, PARAGRAPH_WORDS)}.`);
  return { headline: wireText(seed * 16 + 9, 8), body };
}

/** Indexed story `j` (source `wire-a`, version 1). */
export function indexedStory(j: number): CanonicalStory {
  const { headline, body } = copy(j);
  return story('wire-a', `idx-${j}`, 1, headline, body);
}

/** Every figure in `text` replaced by another: the template kept, the facts changed. */
function otherFigures(text: string, salt: number): string {
  return text.replace(/\d+/g, (n) => String((Number(n) * 7 + 1 + salt) % 90_000));
}

/** Kinds of checked item and their share of the stream. */
export const STREAM_MIX = [
  { variant: 'new', share: 0.35, expect: 'new' },
  { variant: 'resend', share: 0.1, expect: 'duplicate' },
  { variant: 'update', share: 0.15, expect: 'update' },
  { variant: 'correction', share: 0.05, expect: 'correction' },
  { variant: 'kill', share: 0.05, expect: 'kill' },
  { variant: 'near-duplicate', share: 0.15, expect: 'duplicate' },
  { variant: 'look-alike', share: 0.15, expect: 'new' },
] as const satisfies ReadonlyArray<{ variant: string; share: number; expect: DecisionKind }>;
export type Variant = (typeof STREAM_MIX)[number]['variant'];

export interface CheckedItem {
  story: CanonicalStory;
  variant: Variant;
  expect: DecisionKind;
}

/**
 * Item `k` of the checked stream over an index of `indexSize` stories. Items that refer to an
 * indexed story each take a different one (a multiplicative walk over the index), so an update
 * never meets an earlier update of the same story.
 */
export function checkedItem(k: number, indexSize: number, seed: number): CheckedItem {
  const r = rng(seed * 1_000_003 + k)();
  let acc = 0;
  let pick: (typeof STREAM_MIX)[number] = STREAM_MIX[0];
  for (const m of STREAM_MIX) {
    acc += m.share;
    pick = m;
    if (r < acc) break;
  }
  const j = Number((BigInt(k + 1) * 2_654_435_761n + BigInt(seed)) % BigInt(indexSize));
  const base = indexedStory(j);
  const extra = `${wireText(FRESH_SEED_BASE + seed * 1_000_000 + k, PARAGRAPH_WORDS)}.`;
  const make = (s: CanonicalStory): CheckedItem => ({ story: s, variant: pick.variant, expect: pick.expect });
  switch (pick.variant) {
    case 'new': {
      const { headline, body } = copy(FRESH_SEED_BASE + seed * 1_000_000 + k);
      return make(story('wire-c', `new-${seed}-${k}`, 1, headline, body));
    }
    case 'resend':
      return make(base);
    case 'update':
      return make(story(base.source, base.guid, 2, base.headline, [...base.body, extra]));
    case 'correction':
      return make(story(base.source, base.guid, 2, base.headline, [base.body[0]!, extra, ...base.body.slice(2)], { correction: true }));
    case 'kill':
      return make(story(base.source, base.guid, 2, base.headline, base.body, { pubStatus: 'canceled' }));
    case 'near-duplicate':
      // Another agency's copy: its own lede, the last paragraph cut.
      return make(story('wire-b', `nd-${seed}-${k}`, 1, base.headline, [extra, ...base.body.slice(0, -1)]));
    case 'look-alike':
      // The same template for another company or quarter: every figure differs.
      return make(story('wire-b', `la-${seed}-${k}`, 1, otherFigures(base.headline, k), base.body.map((p) => otherFigures(p, k))));
  }
}
