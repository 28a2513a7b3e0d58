import { cleanText } from '@wire/text';

/**
 * Text helpers of the normalizer. The text primitives themselves (plain text, escaping, the
 * sanitizer) live in `@wire/text`, shared with translation and dedupe; they are re-exported here
 * so the format parsers keep one import.
 */
export { cleanText, escapeText, toNfc } from '@wire/text';

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
