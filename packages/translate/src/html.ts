/** Top-level blocks of a sanitized story body (escaping, plain text and the sanitizer itself are `@wire/text`'s). */

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
