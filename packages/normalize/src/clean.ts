import { decodeHTML } from 'entities';

// C0 controls except TAB/LF/CR, DEL, C1 controls, zero-width and bidi marks that only ever appear
// in wire copy as transmission debris or copy-paste artefacts; soft hyphens break search.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
// Every Unicode space (NBSP, thin, ideographic …) becomes a plain space.
const SPACES = /[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
// NFC can only change text holding characters outside Latin (incl. Latin Extended, IPA and
// spacing modifiers), general punctuation and currency signs: none of those has a canonical
// decomposition or composes with a neighbour. Typographic quotes and dashes stay on the fast side.
// eslint-disable-next-line no-control-regex
export const MAY_NEED_NFC = /[^\u0000-\u02FF\u2010-\u206F\u20A0-\u20CF]/;
// Anything outside printable ASCII, doubled or edge whitespace, or a possible entity.
const CLEAN_ASCII_NEEDS_WORK = /[^\x20-\x7E]|\s\s|^\s|\s$|&/;
const ENTITY = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/;

/**
 * Text hygiene for one run of text (a headline, a paragraph, a caption): decodes HTML entities left
 * in the text, removes control and invisible characters, turns exotic spaces into spaces, collapses
 * whitespace (line breaks included) and trims; Unicode NFC. Typographic quotes and dashes are kept.
 *
 * @example cleanText('  Kim&nbsp;says \u2018hi\u2019\u0007 ') // 'Kim says ‘hi’'
 */
export function cleanText(input: string): string {
  let s = input;
  if (s.length === 0) return s;
  // Already clean printable ASCII (most headlines and many paragraphs): nothing to do.
  if (!CLEAN_ASCII_NEEDS_WORK.test(s)) return s;
  if (s.includes('&') && ENTITY.test(s)) s = decodeHTML(s);
  s = s.replace(INVISIBLE, '').replace(SPACES, ' ').replace(/\s+/g, ' ').trim();
  if (MAY_NEED_NFC.test(s)) s = s.normalize('NFC');
  return s;
}

/**
 * Splits plain text into cleaned paragraphs: a blank line (or a form feed) ends a paragraph; lines
 * inside one paragraph are joined with a space. Empty paragraphs are dropped.
 */
export function textToParagraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n[ \t\u00A0]*\n|\f/)) {
    const p = cleanText(block);
    if (p) out.push(p);
  }
  return out;
}

/** Splits plain text into cleaned, non-empty lines (blank lines dropped). */
export function textToLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const l = cleanText(line);
    if (l) out.push(l);
  }
  return out;
}

/** Escapes text for an HTML text node (quotes stay as typed, as sanitize-html leaves them). */
export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** Words in a text: whitespace-separated tokens holding a letter or digit; each CJK ideograph or kana counts as one. */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  let hasAlnum = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 0xa0 || c === 0x3000) {
      if (inWord && hasAlnum) n++;
      inWord = false;
      hasAlnum = false;
    } else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) {
      // CJK: one word per character, ending any Latin run before it.
      if (inWord && hasAlnum) n++;
      n++;
      inWord = false;
      hasAlnum = false;
    } else {
      inWord = true;
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && !(c >= 0x2000 && c <= 0x2bff))) hasAlnum = true;
    }
  }
  if (inWord && hasAlnum) n++;
  return n;
}
