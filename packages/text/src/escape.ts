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

/** A named reference other than the five XML ones: what an XML parser leaves undecoded (`&nbsp;`, `&eacute;`). */
const HTML_ONLY_ENTITY_AT_START = /^(?!(?:amp|lt|gt|quot|apos);)[a-zA-Z][a-zA-Z0-9]{0,31};/;

/**
 * Escapes text that an XML parser decoded, for an HTML text node, but leaves the named references
 * XML does not know (`&nbsp;`, `&eacute;`, which the parser left as they were) for the HTML parser
 * after it to decode, once. `&lt;`, `&amp;` or `&#60;` in such text were written `&amp;lt;` …: they
 * are text, and are escaped.
 *
 * @example escapeTextKeepingEntities('R&D &nbsp;<x> &lt;b&gt;') // 'R&amp;D &nbsp;&lt;x&gt; &amp;lt;b&amp;gt;'
 */
export function escapeTextKeepingEntities(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    // Between ampersands there is no `&` left, so escaping a run only escapes `<`, `>` and NBSP.
    out += escapeText(text.slice(from, i)) + (HTML_ONLY_ENTITY_AT_START.test(text.slice(i + 1, i + 42)) ? '&' : '&amp;');
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
