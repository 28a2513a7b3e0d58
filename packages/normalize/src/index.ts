/**
 * @wire/normalize — every wire format and scraped pages into one canonical story; ninjs 3.1 out.
 * Pure: no Kafka, Redis, S3 or HTTP. Nothing here throws on bad input; failures are typed results.
 */
export { normalize, storyFromFields, type NormalizeOptions, type StoryFields } from './normalize';
export { detectFormat, FORMATS, type FormatId, type DetectHints } from './detect';
export { toNinjs, type NinjsOptions } from './ninjs';
export { cleanText, textToParagraphs, countWords } from './clean';
export { htmlToBlocks } from './blocks';
export { decodeInput, repairMojibake } from './decode';
export { finalize, type Envelope } from './finalize';
export { parseByline } from './byline';
export { splitCredit } from './credit';
export { extractDateline } from './dateline';
export { detectLanguage } from './language';
export { NormalizeError, normalizeError, isNormalizeError, NormalizeErrors, type NormalizeErrorCode } from './errors';
export { DEFAULT_LIMITS, type DraftStory, type DraftImage, type NormalizeLimits, type ParseInput } from './draft';
