/** Just enough HTML handling for sanitized story bodies: top-level blocks, text content, escaping. */

const VOID = /^(br|img|hr|wbr|input|meta|link|source|col|area|base|embed|param|track)$/i;

/**
 * Split sanitized HTML into its top-level elements (and top-level text runs), so each paragraph
 * travels as one segment and the paragraph structure survives translation.
 * @example splitBlocks('<p>a</p><p>b <b>c</b></p>') // ['<p>a</p>', '<p>b <b>c</b></p>']
 */
export function splitBlocks(html: string): string[] {
  const blocks: string[] = [];
  let depth = 0;
  let start = 0;
  const re = /<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>|<!--[\s\S]*?-->/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    if (!m[2]) continue; // comment
    const closing = m[1] === '/';
    const selfClosing = m[3] === '/' || VOID.test(m[2]);
    if (depth === 0 && !closing && m.index > start) {
      const text = html.slice(start, m.index);
      if (text.trim()) blocks.push(text.trim());
      start = m.index;
    }
    if (closing) depth = Math.max(0, depth - 1);
    else if (!selfClosing) depth++;
    if (depth === 0) {
      const block = html.slice(start, re.lastIndex);
      if (block.trim()) blocks.push(block.trim());
      start = re.lastIndex;
    }
  }
  const tail = html.slice(start);
  if (tail.trim()) blocks.push(tail.trim());
  return blocks;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Text content of an HTML fragment: tags dropped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(cp) ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escape text for HTML element content. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
