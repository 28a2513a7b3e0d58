import { createHash } from 'node:crypto';
import { canceledVariant, storyContentHash, variantIdentity, variantUri, type CanonicalStory } from '@wire/schema';
import { cleanText, escapeText, sanitizeHtml, secureStory } from '@wire/text';
import { translationCacheKey, type TranslationCache } from './cache';
import { splitBlocks } from './html';
import { normalizeLanguage, primaryLanguage } from './languages';
import { Protector, buildProtectedTerms, findNames, type GlossaryEntry } from './protect';
import type { Attempt, TranslationRouter } from './router';
import type { Segment } from './translator';

// The variant identity lives in @wire/schema so routing can cancel variants without this package.
export { canceledVariant, storyContentHash, variantUri };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const countWords = (texts: readonly string[]) => texts.reduce((n, t) => n + (t.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0), 0);

export interface StoryTranslation {
  variant: CanonicalStory;
  provider: string;
  cached: boolean;
  /** Words of the source sent to (or, on a cache hit, saved from) the provider. */
  words: number;
  attempts: Attempt[];
  /** Protected names/terms the provider did not give back (also in `variant.warnings`). */
  missingTerms: string[];
}

export interface StoryTranslatorOptions {
  router: TranslationRouter;
  cache?: TranslationCache;
  /** Key prefix of cache entries, e.g. `wire:translate`. */
  cachePrefix?: string;
  glossary?: readonly GlossaryEntry[];
  /** Language of stories that do not say (default `en`). */
  defaultSourceLanguage?: string;
}

/** Where each segment of a story goes back to. */
type Slot = { kind: 'headline' } | { kind: 'subheadline' } | { kind: 'block'; index: number } | { kind: 'paragraph'; index: number } | { kind: 'caption'; index: number };

function storySegments(story: CanonicalStory): { segments: Segment[]; slots: Slot[] } {
  const segments: Segment[] = [];
  const slots: Slot[] = [];
  const add = (seg: Segment, slot: Slot) => {
    segments.push(seg);
    slots.push(slot);
  };
  add({ text: story.headline, format: 'text' }, { kind: 'headline' });
  if (story.subheadline) add({ text: story.subheadline, format: 'text' }, { kind: 'subheadline' });
  // Prefer the HTML body: one segment per paragraph keeps the structure and inline markup.
  if (story.bodyHtml.trim()) splitBlocks(story.bodyHtml).forEach((b, index) => add({ text: b, format: 'html' }, { kind: 'block', index }));
  else story.body.forEach((p, index) => add({ text: p, format: 'text' }, { kind: 'paragraph', index }));
  story.images.forEach((img, index) => {
    if (img.caption) add({ text: img.caption, format: 'text' }, { kind: 'caption', index });
  });
  return { segments, slots };
}

function assemble(story: CanonicalStory, to: string, slots: Slot[], texts: string[], provider: string, missingTerms: string[]): CanonicalStory {
  const base = variantIdentity(story, to);
  let headline = story.headline;
  let subheadline = story.subheadline;
  const blocks: string[] = [];
  const paragraphs: string[] = [];
  const images = story.images.map((i) => ({ ...i }));
  slots.forEach((slot, i) => {
    const t = texts[i] ?? '';
    if (slot.kind === 'headline') headline = t;
    else if (slot.kind === 'subheadline') subheadline = t;
    // Engines leave a space where a block began with a dropped word: `<p> Dijo` → `<p>Dijo`.
    else if (slot.kind === 'block') blocks.push(t.replace(/^(<[a-z][^>]*>)\s+/i, '$1'));
    else if (slot.kind === 'paragraph') paragraphs.push(t);
    else images[slot.index]!.caption = t;
  });
  const warnings = [
    ...story.warnings,
    ...(provider === 'none' ? [] : [`translated ${story.language ?? '?'}>${base.language} by ${provider}`]),
    ...missingTerms.map((t) => `translate: protected term "${t}" did not come back from ${provider}`),
  ];
  // An engine's HTML is input we did not write: it passes the one sanitizer before anything reads it.
  const safeBlocks = blocks.map((b) => sanitizeHtml(b, (d) => warnings.push(`bodyHtml: link dropped from the ${provider} translation (${d.reason})`)));
  const bodyHtml = blocks.length > 0 ? safeBlocks.join('\n') : paragraphs.map((p) => `<p>${escapeText(p)}</p>`).join('\n');
  const body = blocks.length > 0 ? safeBlocks.map(cleanText).filter((p) => p.length > 0) : paragraphs;
  // The same last pass as normalize's: engine text with markup in it (a headline, a caption) is cleaned and noted.
  const variant = secureStory({ ...base, headline, subheadline, body, bodyHtml, images, warnings });
  return { ...variant, contentHash: storyContentHash(variant.headline, variant.body), wordCount: countWords(variant.body) };
}

/**
 * Translates whole stories: headline, subheadline, body paragraphs (HTML, markup kept) and
 * captions, with names and glossary terms protected, through the router's providers, cached by
 * (source content hash, language, provider).
 *
 * @example
 * const st = createStoryTranslator({ router, cache });
 * const { variant, cached } = await st.translate(story, 'es');
 */
export function createStoryTranslator(opts: StoryTranslatorOptions) {
  const prefix = opts.cachePrefix ?? 'wire:translate';

  return {
    async translate(story: CanonicalStory, to: string, o: { signal?: AbortSignal } = {}): Promise<StoryTranslation> {
      const from = story.language ?? opts.defaultSourceLanguage ?? 'en';
      const target = normalizeLanguage(to);
      const { segments, slots } = storySegments(story);
      const sourceWords = countWords(segments.map((s) => (s.format === 'html' ? cleanText(s.text) : s.text)));

      if (primaryLanguage(from) === primaryLanguage(target)) {
        const variant = assemble({ ...story, language: from }, target, slots, segments.map((s) => s.text), 'none', []);
        return { variant, provider: 'none', cached: false, words: 0, attempts: [], missingTerms: [] };
      }

      const names = [...story.bylines.map((b) => b.name), ...findNames(segments.map((s) => (s.format === 'html' ? cleanText(s.text) : s.text)))];
      const organisations = story.infoSources.map((s) => s.name);
      const terms = buildProtectedTerms({ glossary: opts.glossary, names, organisations, targetLanguage: target });
      const segmentsHash = sha256(JSON.stringify({ from, target, segments, terms }));

      const providers = opts.router.providersFor(from, target);
      const keys = providers.map((p) => translationCacheKey(prefix, story.contentHash, target, p));
      if (opts.cache && keys.length > 0) {
        const hits = await opts.cache.getMany(keys);
        const hit = hits.find((h) => h && h.segmentsHash === segmentsHash && h.texts.length === segments.length);
        if (hit) {
          return {
            variant: assemble({ ...story, language: from }, target, slots, hit.texts, hit.provider, hit.missingTerms),
            provider: hit.provider,
            cached: true,
            words: sourceWords,
            attempts: [],
            missingTerms: hit.missingTerms,
          };
        }
      }

      const protector = new Protector(terms, segments.map((s) => s.text).join('\n'));
      const protectedSegments = segments.map((s) => ({ ...s, text: protector.protect(s.text, s.format) }));
      const expected = protectedSegments.map((s) => protector.placeholdersIn(s.text));
      const routed = await opts.router.translate(protectedSegments, from, target, { signal: o.signal });
      const missing = new Set<string>();
      const texts = routed.texts.map((t, i) => {
        const r = protector.restore(t, expected[i] ?? []);
        r.missing.forEach((m) => missing.add(m));
        return r.text.trim();
      });
      const missingTerms = [...missing];
      if (opts.cache) {
        await opts.cache.set(translationCacheKey(prefix, story.contentHash, target, routed.provider), {
          provider: routed.provider,
          segmentsHash,
          texts,
          missingTerms,
          at: new Date().toISOString(),
        });
      }
      return {
        variant: assemble({ ...story, language: from }, target, slots, texts, routed.provider, missingTerms),
        provider: routed.provider,
        cached: false,
        words: sourceWords,
        attempts: routed.attempts,
        missingTerms,
      };
    },
  };
}
export type StoryTranslator = ReturnType<typeof createStoryTranslator>;
