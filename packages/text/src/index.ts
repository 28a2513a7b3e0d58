/**
 * @wire/text — safe text for every story the pipeline emits. Pure: no I/O.
 *
 * One module per primitive: HTML character references (`entities`), plain text (markup removed,
 * entities decoded exactly once, hygiene), the one HTML sanitizer, URI scheme checks, and the
 * last pass over a finished story (`secureStory`) that applies them field by field.
 */
export { escapeText, escapeAttribute, escapeTextKeepingEntities, decodeEntities, decodeAttributeEntities } from './escape';
export { cleanText, cleanDecodedText, tidyText, stripMarkup, toNfc, MAX_MARK_RUN } from './plain';
export { sanitizeHtml, BLOCK_TAGS, INLINE_TAGS, type DroppedLink } from './sanitize';
export { checkUri, checkIdentifier, checkEmail, effectiveScheme, LINK_SCHEMES, CONTACT_SCHEMES, type UriCheck, type UriUse } from './uri';
export { secureStory } from './secure';
