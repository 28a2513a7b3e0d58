import { DecodingMode, decodeHTML, decodeHTMLAttribute, escapeAttribute as entitiesEscapeAttribute, escapeText as entitiesEscapeText } from 'entities';

/**
 * HTML character references, both ways — the one place the pipeline escapes or decodes them, all
 * through the `entities` package (the WHATWG serialization and decoding tables).
 */

const TEXT_SPECIAL = /[&<>\u00A0]/;
const ATTRIBUTE_SPECIAL = /[&"\u00A0]/;

/**
 * Escapes text for an HTML text node: `&`, `<`, `>` and NBSP, as the HTML serializer does. Quotes
 * stay as typed (they need no escaping between tags).
 *
 * @example escapeText('AT&T <b>') // 'AT&amp;T &lt;b&gt;'
 */
export function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? entitiesEscapeText(text) : text;
}

/** Escapes text for a double-quoted HTML attribute value: `&`, `"` and NBSP. */
export function escapeAttribute(text: string): string {
  return ATTRIBUTE_SPECIAL.test(text) ? entitiesEscapeAttribute(text) : text;
}

const ENTITY_AT_START = /^(?:[a-zA-Z][a-zA-Z0-9]{0,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});/;

/**
 * Escapes text for an HTML text node but leaves character references that are already there
 * (`&nbsp;`, `&#8217;`) as they are: for text that an XML layer decoded only in part (it knows the
 * five XML entities, not HTML's), so the HTML parser after it decodes the rest once.
 *
 * @example escapeTextKeepingEntities('R&D &nbsp;<x>') // 'R&amp;D &nbsp;&lt;x&gt;'
 */
export function escapeTextKeepingEntities(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    // Between ampersands there is no `&` left, so escaping a run only escapes `<`, `>` and NBSP.
    out += escapeText(text.slice(from, i)) + (ENTITY_AT_START.test(text.slice(i + 1, i + 42)) ? '&' : '&amp;');
    from = i + 1;
  }
  return out + escapeText(text.slice(from));
}

/**
 * Decodes the character references in a text, once (`&amp;lt;` → `&lt;`, `AT&amp;T` → `AT&T`).
 * Only references closed by `;` count: wire text is not a browser page, and `&copy 2024` or
 * `R&Dnot` read as typed.
 */
export function decodeEntities(text: string): string {
  return text.includes('&') ? decodeHTML(text, DecodingMode.Strict) : text;
}

/** Decodes the character references in an attribute value as an HTML parser does, once. */
export function decodeAttributeEntities(value: string): string {
  return value.includes('&') ? decodeHTMLAttribute(value) : value;
}
