import { DEFAULT_LIMITS, type DraftImage, type NormalizeLimits } from './draft';
import { parseXml } from './xml';
import { attr, find, findAll, text, toHtml, type HtmlMapper, type XmlElement, type XmlNode } from './xml-dom';
import { sourceLink, compact, posInt } from './formats/common';

/**
 * Inline XHTML bodies (NewsML-G2 inlineXML, NewsML 1.2 DataContent, ninjs/AP HTML bodies that are
 * well-formed): pictures leave the text and become images, and so do the agency's own repeat of
 * the headline and TT-style vignette/source lines (`div.dat`). Structural wrappers are unwrapped.
 */

/** NITF/XHTML inline enrichment that keeps only its text. */
const INLINE = new Set([
  'person', 'org', 'location', 'chron', 'money', 'num', 'classifier', 'event', 'function', 'object.title', 'virtloc',
  'copyrite', 'pronounce', 'alt-code', 'lang', 'postaddr', 'addressee', 'care.of', 'delivery.point', 'delivery.office',
  'region', 'country', 'postcode', 'city', 'frac', 'frac-num', 'frac-den', 'sub-point', 'nitf-col', 'nitf-colgroup',
  'nitf-table', 'nitf-table-metadata', 'nitf-table-summary', 'block', 'body.content', 'span', 'div', 'section',
  'article', 'html', 'body', 'font', 'center',
]);
const DROP = new Set(['media', 'fn', 'note', 'ed-msg', 'tagline', 'head', 'title', 'script', 'style', 'bibliography', 'byline', 'dateline', 'distributor', 'series', 'ednote', 'figure', 'iframe', 'object', 'noscript']);
const RENAME: Record<string, string> = { hl1: 'h1', hl2: 'h2', bq: 'blockquote', credit: 'cite' };

/** The element map shared by NITF and XHTML bodies. */
export const bodyHtmlMapper: HtmlMapper = (el) => {
  const l = el.local;
  if (DROP.has(l)) return 'drop';
  if (l === 'div' && /(^|\s)(dat|byline|caption)(\s|$)/.test(attr(el, 'class') ?? '')) return 'drop';
  if (INLINE.has(l)) return 'unwrap';
  return RENAME[l];
};

/** Maps like `bodyHtmlMapper`, and also drops an `h1` that only repeats the headline. */
function mapperWithHeadline(headline: string | undefined): HtmlMapper {
  return (el) => (el.local === 'h1' && headline !== undefined && text(el) === headline ? 'drop' : bodyHtmlMapper(el));
}

/** `<figure><img src alt/><figcaption/></figure>` → images (a `.byline`/`.credit` or `<cite>` inside is the credit). */
function figureImages(scope: XmlElement): DraftImage[] {
  return findAll(scope, 'figure').map((fig) => {
    const img = find(fig, 'img');
    const creditEl = findAll(fig, 'div', 'span', 'small', 'cite', 'p').find((e) => e.local === 'cite' || /byline|credit|photographer/i.test(attr(e, 'class') ?? ''));
    return compact({
      caption: text(find(fig, 'figcaption')) || undefined,
      credit: creditEl ? text(creditEl) || undefined : undefined,
      alt: attr(img, 'alt') || undefined,
      sourceUrl: sourceLink(attr(img, 'src')),
      width: posInt(attr(img, 'width')),
      height: posInt(attr(img, 'height')),
    });
  });
}

/** Body nodes of an XHTML document or fragment → HTML and its figure images. */
export function xhtmlNodesToBody(nodes: XmlNode[], headline: string | undefined): { html: string; images: DraftImage[] } {
  const holder: XmlElement = { name: '#body', local: '#body', attrs: Object.create(null) as Record<string, string>, children: nodes, pos: 0 };
  const body = find(holder, 'body') ?? holder;
  return { html: toHtml(body.children, mapperWithHeadline(headline)).trim(), images: figureImages(body) };
}

/**
 * Cleans an HTML body string when it is well-formed XML (most agency HTML is XHTML); otherwise
 * returns it unchanged for the shared HTML cleaning step. Never throws.
 */
export function cleanHtmlBody(html: string, headline: string | undefined, limits: NormalizeLimits): { html: string; images: DraftImage[] } {
  if (!html.includes('<')) return { html, images: [] };
  const doc = parseXml(`<x>${html}</x>`, { label: 'HTML body', limits: { ...limits, maxDepth: limits.maxDepth + 1 } });
  if (!doc.ok) return { html, images: [] };
  return xhtmlNodesToBody(doc.value.roots[0]?.children ?? [], headline);
}

/**
 * Adds `extra` images to `primary`, folding each into an existing one with the same caption, alt
 * text or URL (the body's `<figure>` and the item's picture association are one picture).
 * `primary` fields win and `extra` fills the gaps, unless `extraWins` (a picture item's own
 * rendition and caption beat the thumbnail shown inline in the text). Folding compares every
 * pair, so it stops at `DEFAULT_LIMITS.maxImages`: later extras are added as they are, and
 * normalize keeps no more than that many per item anyway.
 */
export function mergeImages(primary: DraftImage[], extra: DraftImage[], extraWins = false): DraftImage[] {
  const out = primary.map((i) => ({ ...i }));
  const foldable = Math.max(0, DEFAULT_LIMITS.maxImages - out.length);
  for (const [n, e] of extra.entries()) {
    const same = n >= foldable || out.length >= DEFAULT_LIMITS.maxImages ? undefined : out.find(
      (p) =>
        (p.caption !== undefined && (p.caption === e.caption || p.caption === e.alt)) ||
        (p.sourceUrl !== undefined && p.sourceUrl === e.sourceUrl),
    );
    if (same) {
      for (const k of Object.keys(e) as Array<keyof DraftImage>) {
        if (same[k] === undefined || (extraWins && k !== 'credit' && k !== 'alt')) (same as Record<string, unknown>)[k] = e[k];
      }
    } else out.push({ ...e });
  }
  return out;
}
