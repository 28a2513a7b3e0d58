/**
 * Leftover HTML in a story's body (a scraped page, an agency's markup) read as lines of text, for
 * the copy-line pass. Entities are decoded by `@wire/text`'s `decodeEntities`, the one decoder.
 * `@wire/text`'s `stripMarkup` does not fit here: it turns block tags into spaces (this pass needs
 * line breaks, one line per block) and keeps ticker brackets as text (which the tokenizer drops).
 */
import { decodeEntities } from '@wire/text';

/** A tag that marks a block as HTML, not text with angle brackets in it. */
export const HTML_TAG = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|span|a|section|article|header|footer|nav|aside|main|figure|figcaption|table|tr|td|html|body|head|title|script|style|img)\b[^>]*>/i;

/** Plain text of leftover HTML: scripts/styles/heads dropped, block tags as line breaks, entities decoded. */
export function htmlToLines(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head|nav|footer|aside|noscript|form)\b[\s\S]*?<\/\1>/gi, '\n')
      .replace(/<\/?(?:p|div|br|li|ul|ol|h[1-6]|section|article|header|main|figure|figcaption|table|tr|td|blockquote)\b[^>]*>/gi, '\n')
      .replace(/<[^>]+>/g, ' '),
  );
}
