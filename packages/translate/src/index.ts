/**
 * @wire/translate — machine translation of canonical stories into language variants.
 *
 * A `Translator` per provider (Apertium APY, LibreTranslate, DeepL, Amazon Translate), a router
 * that picks providers per language pair with a fallback order and pivots through a third
 * language when no pair is direct, name/glossary protection, a cache keyed by (source content
 * hash, language, provider), and the story translator that builds the variant `CanonicalStory`.
 */
export * from './errors';
export * from './languages';
export { toSegments, type Segment, type TextFormat, type TranslateOptions, type ProviderLimits, type Translator } from './translator';
export { planBatches, splitLongText, translateInBatches, type Batch } from './chunk';
export { buildProtectedTerms, findNames, Protector, type GlossaryEntry, type ProtectedTerm } from './protect';
export { splitBlocks } from './html';
export {
  createTranslationRouter,
  parseRoutes,
  noTranslatorReason,
  DEFAULT_PIVOTS,
  type TranslationRouter,
  type TranslationRouterOptions,
  type TranslationRoutes,
  type Attempt,
  type RoutedTranslation,
} from './router';
export {
  createRedisTranslationCache,
  createMemoryTranslationCache,
  translationCacheKey,
  type CachedTranslation,
  type TranslationCache,
  type RedisCacheClient,
} from './cache';
export { createStoryTranslator, canceledVariant, variantUri, storyContentHash, type StoryTranslation, type StoryTranslator, type StoryTranslatorOptions } from './story';
export { createApertiumTranslator, type ApertiumOptions } from './adapters/apertium';
export { createLibreTranslateTranslator, type LibreTranslateOptions } from './adapters/libretranslate';
export { createDeepLTranslator, type DeepLOptions } from './adapters/deepl';
export { createAmazonTranslator, type AmazonTranslateOptions } from './adapters/amazon';
