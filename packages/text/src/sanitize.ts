import sanitize from 'sanitize-html';
import { checkUri, LINK_SCHEMES } from './uri';

/**
 * The one HTML sanitizer: every HTML field the pipeline emits (a story body from any format, what
 * a translation engine sends back) passes it. An allow list on a real HTML parser (sanitize-html
 * on htmlparser2): paragraph-level structure, lists, emphasis and links; no script, style, event
 * attribute, image, frame, form or foreign (SVG, MathML) content; links only to absolute http(s)
 * or urn URIs (`checkUri`).
 */

/** Elements that end a paragraph. */
export const BLOCK_TAGS: ReadonlySet<string> = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'blockquote', 'pre', 'tr', 'td', 'th', 'dd', 'dt', 'br', 'hr']);
/** Inline elements kept inside a paragraph. */
export const INLINE_TAGS: ReadonlySet<string> = new Set(['a', 'b', 'strong', 'i', 'em', 'u', 'sub', 'sup', 'q', 'cite', 'abbr', 'code', 'small', 's']);

/** Their text is code or chrome, never copy: dropped with everything inside. */
const NON_TEXT_TAGS = [
  'script', 'style', 'textarea', 'option', 'noscript', 'noembed', 'noframes', 'xmp', 'template', 'iframe', 'svg', 'object', 'embed',
  'head', 'title', 'button', 'select', 'nav', 'figure', 'figcaption', 'math',
];

/** Layout containers end paragraphs: their text must not run into the next block's. */
const CONTAINERS_AS_PARAGRAPHS: Record<string, string> = {
  div: 'p', section: 'p', article: 'p', main: 'p', header: 'p', center: 'p', address: 'p', caption: 'p', summary: 'p', details: 'p',
};

const BODY: sanitize.IOptions = {
  allowedTags: [...BLOCK_TAGS, ...INLINE_TAGS, 'ul', 'ol', 'table', 'thead', 'tbody', 'dl'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: [...LINK_SCHEMES],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: CONTAINERS_AS_PARAGRAPHS,
  nonTextTags: NON_TEXT_TAGS,
  parser: { decodeEntities: true },
};

// A "<" that does not start a bare lower-case allowed tag (attributes, comments, other tags, a
// stray "<" in text): such input needs the parser.
const NEEDS_PARSER = /<(?!\/?(?:p|br|b|i|em|strong|u|sub|sup|h[1-6]|ul|ol|li|blockquote)\s*\/?>)/;

/** A link the sanitizer removed from a body, and why. */
export interface DroppedLink {
  /** The URI scheme, or `undefined` for a relative or unreadable reference. */
  scheme: string | undefined;
  reason: string;
}

/**
 * Sanitizes untrusted HTML into the body subset (see the module comment). A link whose href is
 * not an allowed absolute URI keeps its text and loses the link; `onDroppedLink` hears of each.
 * Markup made only of bare allowed tags (`<p>`, `<b>`, `<li>` …) is already in the subset and is
 * returned as it is.
 *
 * @example sanitizeHtml('<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>') // '<p>Hi <a>there</a></p>'
 */
export function sanitizeHtml(html: string, onDroppedLink?: (link: DroppedLink) => void): string {
  if (!NEEDS_PARSER.test(html)) return html;
  const options: sanitize.IOptions = {
    ...BODY,
    transformTags: {
      ...CONTAINERS_AS_PARAGRAPHS,
      a: (tagName, attribs) => {
        if (attribs.href === undefined) return { tagName, attribs };
        const checked = checkUri(attribs.href, 'link');
        if (checked.ok) return { tagName, attribs: { ...attribs, href: checked.uri } };
        onDroppedLink?.({ scheme: checked.scheme, reason: checked.reason });
        const { href: _dropped, ...rest } = attribs;
        return { tagName, attribs: rest };
      },
    },
  };
  return sanitize(html, options);
}
