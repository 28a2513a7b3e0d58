import { BLOCK_TAGS, cleanDecodedText, decodeEntities, INLINE_TAGS, sanitizeHtml, type DroppedLink } from '@wire/text';
import { cleanText, escapeText, toNfc } from './clean';

/** One paragraph-level unit of a body: its clean text and its sanitized inline HTML. */
export interface Block {
  tag: 'p' | 'h' | 'li' | 'quote' | 'pre';
  /** `ul`/`ol` for list items. */
  list?: 'ul' | 'ol';
  text: string;
  html: string;
}

/**
 * Untrusted HTML → blocks, one per paragraph, through the one sanitizer (links it drops are
 * reported to `onDroppedLink`). Every block-level boundary (and two or more `<br>` in a row)
 * ends a paragraph; a single `<br>` is a line break inside it; text outside any `<p>` becomes its
 * own paragraph.
 */
export function htmlToBlocks(html: string, onDroppedLink?: (link: DroppedLink) => void): Block[] {
  const clean = sanitizeHtml(html, onDroppedLink);
  const blocks: Block[] = [];
  let text = '';
  let inner = '';
  let tag = 'p' as Block['tag'];
  const listStack: Array<'ul' | 'ol'> = [];
  const open: string[] = [];
  const flush = (): void => {
    // The text is decoded already: markup it spells out (`&lt;b&gt;`) is removed, nothing decoded again.
    // A <br> inside a paragraph is a line break: kept as "\n" in the text and <br> in the HTML.
    const t = text.includes('\n') ? text.split('\n').map(cleanDecodedText).filter(Boolean).join('\n') : cleanDecodedText(text);
    if (t) {
      const b: Block = { tag, text: t, html: tidyInline(inner, open) };
      if (tag === 'li') b.list = listStack[listStack.length - 1] ?? 'ul';
      blocks.push(b);
    }
    text = '';
    inner = '';
    // Inline elements do not span paragraphs: tidyInline closed them.
    open.length = 0;
  };
  // sanitize-html's output is well-formed and escapes every "<" in text, and its only attribute
  // is a[href]: a tag-or-text tokenizer is exact on it, and much cheaper than a second parser.
  const TOKEN = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"]*")*)\s*\/?>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(clean))) {
    if (m[4] !== undefined) {
      const raw = m[4];
      const decoded = decodeEntities(raw);
      text += decoded;
      inner += escapeText(decoded);
      continue;
    }
    const name = m[2]!;
    if (name === 'br') {
      if (m[1]) continue;
      // Two or more in a row end the paragraph (old markup's paragraph break); one is a line break.
      const next = /^\s*<br\s*\/?>/.exec(clean.slice(TOKEN.lastIndex));
      if (next) {
        TOKEN.lastIndex += next[0].length;
        while (true) {
          const more = /^\s*<br\s*\/?>/.exec(clean.slice(TOKEN.lastIndex, TOKEN.lastIndex + 64));
          if (!more) break;
          TOKEN.lastIndex += more[0].length;
        }
        flush();
      } else if (cleanDecodedText(text)) {
        text += '\n';
        inner += '<br>';
      }
      continue;
    }
    if (!m[1]) {
      if (name === 'ul' || name === 'ol') {
        flush();
        listStack.push(name);
      } else if (BLOCK_TAGS.has(name)) {
        flush();
        tag = name === 'li' ? 'li' : name === 'blockquote' ? 'quote' : name === 'pre' ? 'pre' : /^h\d$/.test(name) ? 'h' : tag === 'li' || tag === 'quote' ? tag : 'p';
      } else if (INLINE_TAGS.has(name)) {
        if (name === 'a') {
          const href = /href="([^"]*)"/.exec(m[3] ?? '')?.[1];
          if (!href) continue;
          inner += `<a href="${href}">`;
        } else inner += `<${name}>`;
        open.push(name);
      }
    } else if (name === 'ul' || name === 'ol') {
      flush();
      listStack.pop();
      tag = 'p';
    } else if (BLOCK_TAGS.has(name)) {
      flush();
      if (name === 'li' || name === 'blockquote' || name === 'pre' || /^h\d$/.test(name)) tag = listStack.length > 0 && name !== 'li' ? 'li' : 'p';
    } else if (INLINE_TAGS.has(name)) {
      const i = open.lastIndexOf(name);
      if (i >= 0) {
        open.splice(i, 1);
        inner += `</${name}>`;
      }
    }
  }
  flush();
  return blocks;
}

/** Collapses whitespace in inline HTML and closes tags left open at a paragraph break. */
function tidyInline(html: string, open: string[]): string {
  let s = html;
  for (let i = open.length - 1; i >= 0; i--) s += `</${open[i]}>`;
  s = cleanInline(s);
  // Drop empty inline elements (e.g. an <a> that only wrapped an image), and line breaks that end
  // the paragraph or follow one another.
  return s
    .replace(/<(a|b|strong|i|em|u|sub|sup|q|cite|abbr|code|small|s)(?: [^>]*)?>\s*<\/\1>/g, '')
    .replace(/(?:\s*<br>)+\s*$/, '')
    .replace(/(<br>\s*){2,}/g, '<br>')
    .trim();
}

function cleanInline(s: string): string {
  // Same hygiene as tidyText, but entities are already escaped and must stay so (an escaped NBSP is a space).
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF]/g, '').replace(/(?:[\s\u00A0\u2000-\u200A\u202F\u205F\u3000]|&nbsp;)+/g, ' ');
  return toNfc(t);
}

/** Plain-text paragraphs → blocks. */
export function textToBlocks(paragraphs: string[]): Block[] {
  const out: Block[] = [];
  for (const p of paragraphs) {
    const t = cleanText(p);
    if (t) out.push({ tag: 'p', text: t, html: escapeText(t) });
  }
  return out;
}

/** Blocks → body HTML: one `<p>` per paragraph, list items inside their list. */
export function renderBlocks(blocks: Block[]): string {
  let out = '';
  let list: 'ul' | 'ol' | undefined;
  for (const b of blocks) {
    if (b.tag === 'li') {
      if (list !== b.list) {
        if (list) out += `</${list}>`;
        list = b.list ?? 'ul';
        out += `<${list}>`;
      }
      out += `<li>${b.html}</li>`;
      continue;
    }
    if (list) {
      out += `</${list}>`;
      list = undefined;
    }
    out += b.tag === 'h' ? `<h2>${b.html}</h2>` : b.tag === 'quote' ? `<blockquote><p>${b.html}</p></blockquote>` : b.tag === 'pre' ? `<pre>${b.html}</pre>` : `<p>${b.html}</p>`;
  }
  if (list) out += `</${list}>`;
  return out;
}
