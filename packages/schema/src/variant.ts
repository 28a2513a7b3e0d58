import { createHash } from 'node:crypto';
import type { CanonicalStory } from './story';

/**
 * A BCP 47 tag in its usual case: `EN_us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW`.
 */
export function normalizeLanguageTag(tag: string): string {
  const parts = tag.trim().replace(/_/g, '-').split('-').filter(Boolean);
  const [lang = '', ...rest] = parts;
  const out = [lang.toLowerCase()];
  for (const p of rest) out.push(p.length === 2 ? p.toUpperCase() : p.length === 4 ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p.toLowerCase());
  return out.join('-');
}

/** sha256 of headline + body paragraphs, one per line: the formula every story's contentHash uses. */
export function storyContentHash(headline: string, body: readonly string[]): string {
  return createHash('sha256').update(`${headline}\n${body.join('\n')}`).digest('hex');
}

/**
 * The uri of a story's variant in `language`: the source uri plus the language.
 * @example variantUri('urn:wire:yonhap:AEN2023', 'es') // 'urn:wire:yonhap:AEN2023:lang:es'
 */
export function variantUri(sourceUri: string, language: string): string {
  return `${sourceUri}:lang:${normalizeLanguageTag(language)}`;
}

/** The fields every language variant of `story` shares: identity, link to its source, language. */
export function variantIdentity(story: CanonicalStory, to: string): CanonicalStory {
  const lang = normalizeLanguageTag(to);
  return {
    ...story,
    uri: variantUri(story.uri, lang),
    guid: `${story.guid}:lang:${lang}`,
    language: lang,
    translationOf: { uri: story.uri, version: story.version, language: story.language },
    altIds: [...story.altIds.filter((a) => a.type !== 'translationOf'), { type: 'translationOf', value: story.uri }],
  };
}

/**
 * The variant of a killed story in `to`: same identity as its translated variants,
 * `pubStatus: canceled`, no text of the withdrawn story. Needs no translation, so routing can
 * send it at once to partners that got the translation.
 */
export function canceledVariant(story: CanonicalStory, to: string): CanonicalStory {
  return {
    ...variantIdentity(story, to),
    pubStatus: 'canceled',
    body: [],
    bodyHtml: '',
    images: [],
    contentHash: storyContentHash(story.headline, []),
    wordCount: 0,
  };
}
