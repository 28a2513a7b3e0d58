import { decodeHTML } from 'entities';

// C0 controls except TAB/LF/CR, DEL, C1 controls, zero-width and bidi marks that only ever appear
// in wire copy as transmission debris or copy-paste artefacts; soft hyphens break search.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
// Every Unicode space (NBSP, thin, ideographic …) becomes a plain space.
const SPACES = /[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
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
  if (s.includes('&') && ENTITY.test(s)) s = decodeHTML(s);
  s = s.replace(INVISIBLE, '').replace(SPACES, ' ').replace(/\s+/g, ' ').trim();
  // NFC only when needed: the check is much cheaper than the conversion on ASCII copy.
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007F]/.test(s)) s = s.normalize('NFC');
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

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** Words in a text: runs of letters/digits; each CJK ideograph or kana counts as a word. */
export function countWords(text: string): number {
  let n = 0;
  const cjk = text.match(/[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/g);
  if (cjk) n += cjk.length;
  const words = text.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}'’.-]*/gu);
  if (words) n += cjk ? words.filter((w) => !/^[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+$/.test(w)).length : words.length;
  return n;
}
