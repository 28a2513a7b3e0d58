import { cleanDecodedText, decodeAttributeEntities, escapeText } from '@wire/text';
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import { err, ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import { cleanText } from '../clean';
import { normalizeError, type NormalizeError } from '../errors';
import { bodyEmbeds, hasNoText } from './embeds';

export interface HtmlPageOptions {
  /** Known headline (from a JSONL line or an envelope); the page's own is used otherwise. */
  headline?: string;
  /** Force Mozilla Readability even when the page marks its article body (benchmarks, tests). */
  forceReadability?: boolean;
}

// Void elements and elements whose end tag HTML lets authors omit never count as nesting.
const NO_NESTING = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'thead', 'tbody', 'tfoot', 'colgroup', 'caption', 'rb', 'rt', 'rp', 'rtc']);

/**
 * `WIRE_ERR_TOO_DEEP` when elements nest deeper than allowed. Real pages nest a few dozen deep;
 * the DOM and Readability walk recursively, and the sanitizer's parser (htmlparser2) looks up its
 * stack of open elements at every tag, in time quadratic in the depth — so hostile nesting is
 * refused before parsing, in pages and in the HTML bodies of every other format alike. HTML gets
 * four times the document limit (`maxDepth`), as layout wraps copy in many containers. `what`
 * names the input in the message (`input`, `body (ninjs)`).
 */
export function checkHtmlDepth(html: string, maxDepth: number, what = 'input'): NormalizeError | undefined {
  const limit = maxDepth * 4;
  const TAG = /<(\/?)([A-Za-z][\w-]{0,30})(?:\s[^<>]{0,2000}?)?(\/?)>/g;
  let depth = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG.exec(html))) {
    const name = m[2]!.toLowerCase();
    if (NO_NESTING.has(name) || m[3]) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > limit) return normalizeError('WIRE_ERR_TOO_DEEP', { reason: `${what}: HTML elements nest deeper than ${limit}`, where: `offset ${m.index}`, limit });
  }
  return undefined;
}

/** Which extractor found the copy (for benchmarks and warnings). */
export type ExtractPath = 'article-body' | 'readability' | 'body';


// Elements whose content is never copy. Removed as text before parsing: cheaper than removing
// nodes, and script/style text can never leak into the body.
const DROP_ELEMENTS = ['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'embed', 'canvas', 'video', 'audio', 'map', 'select', 'textarea', 'button', 'nav', 'aside', 'footer', 'form', 'dialog'];
const CHROME_SELECTOR =
  'nav, aside, footer, form, dialog, [role="navigation"], [role="banner"], [role="contentinfo"], [role="complementary"], [role="search"], [aria-hidden="true"], [hidden]';
// class/id words of page furniture (whole words between separators, so "header-text" is not "head").
const CHROME_CLASS =
  /(?:^|[\s_-])(?:ads?|advert\w*|adslot|dfp|gpt|sponsor\w*|promo\w*|share|sharing|social|related|most-?(?:read|popular|viewed)|popular|trending|newsletter|subscri\w*|comments?|weather|breadcrumbs?|sidebar|widget|cookie\w*|outbrain|taboola|recommend\w*|navbar|nav|menu|masthead|paywall|modal|popup|footer|toolbar|tags|byline-share|author-bio|more-stories|read-more|skip-link)(?:$|[\s_-])/i;
const TRACKER_IMG = /(?:pixel|spacer|blank\.gif|logo|icon|avatar|badge|sprite|1x1|tracking|beacon)/i;

/** `parse` for the dispatcher: an HTML page → one draft story. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  const tooDeep = checkHtmlDepth(input.text, input.limits.maxDepth);
  if (tooDeep) return err(tooDeep);
  const { draft } = parseHtmlPage(input.text);
  if (!draft.headline) return err(normalizeError('WIRE_ERR_NO_HEADLINE', { reason: 'headline: no <h1>, og:title or <title> in the HTML page (html)' }));
  return ok([draft]);
}

/**
 * A scraped HTML page → a draft story. Our rules first (drop scripts and page furniture, lift
 * figures with their captions and source URLs, read the page metadata and JSON-LD), then the
 * article body: the element the page marks as such (`itemprop=articleBody`, a single `<article>`
 * with real paragraphs) or, failing that, Mozilla Readability on the cleaned document. The page
 * rules in `finalize` then remove chrome lines, doubled captions and the byline from the copy.
 */
export function parseHtmlPage(html: string, opts: HtmlPageOptions = {}): { draft: DraftStory; path: ExtractPath } {
  const jsonLd = readJsonLd(html);
  // Video and audio players of the article (iframes and <video> are dropped with the page's
  // scripts below): taken from the article element only, never the page's ads.
  const article = /<(article|main)\b[^>]*>([\s\S]*?)<\/\1\s*>/i.exec(html)?.[2];
  // Runs of <br> are paragraph breaks on old pages (Readability's _replaceBrs does the same), so
  // the paragraph-density finder sees their paragraphs too.
  const prepared = stripElements(html, DROP_ELEMENTS).replace(/(?:<br\s*\/?>\s*){2,}/gi, '</p><p>');
  let { document } = parseHTML(prepared);
  // Broken markup can leave linkedom without a root element (and `document.body` then throws):
  // parse it again inside a complete skeleton.
  if (!document.documentElement || !document.documentElement.querySelector('body')) {
    ({ document } = parseHTML(`<!DOCTYPE html><html><head></head><body>${prepared}</body></html>`));
  }
  const meta = readMeta(html);
  const base = meta.url ?? jsonLd.url;
  const warnings: string[] = [];

  for (const el of [...document.querySelectorAll(CHROME_SELECTOR)]) el.remove();
  for (const el of [...document.querySelectorAll('header')]) if (!el.closest('article')) el.remove();
  for (const el of [...document.querySelectorAll('[class], [id]')]) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'html' || tag === 'body' || tag === 'main' || tag === 'article') continue;
    const names = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    // A wrapper that happens to carry a furniture class but holds the copy stays.
    if (CHROME_CLASS.test(names) && !el.querySelector('h1, article, [itemprop="articleBody"]') && el.querySelectorAll('p').length < 4) el.remove();
  }

  const h1 = document.querySelector('article h1') ?? document.querySelector('h1');
  // Text here is decoded (the DOM and the attribute reader decode it); the draft gets it escaped, as finalize decodes once.
  const headline = (opts.headline !== undefined ? cleanText(opts.headline) : undefined) ?? (cleanDecodedText(h1?.textContent ?? '') || jsonLd.headline || meta.title || undefined);
  if (h1) h1.remove();

  const images = liftImages(document, base);
  if (article) for (const e of bodyEmbeds(article, base)) if (e.type === 'video' || e.type === 'audio') images.push(e);

  let path: ExtractPath = 'body';
  let root: { innerHTML: string } | null | undefined = opts.forceReadability ? undefined : articleBody(document);
  if (root) path = 'article-body';
  let readabilityByline: string | undefined;
  if (!root) {
    let article: ReturnType<Readability<unknown>['parse']> = null;
    try {
      article = new Readability<unknown>(document as never, { charThreshold: 200, serializer: (n) => n, disableJSONLD: true }).parse();
    } catch (e) {
      // Readability walks the DOM assuming a sane tree; on mangled markup it can throw. The page
      // body is still usable copy, so fall back to it and say so rather than fail the story.
      warnings.push(`html: readability failed (${e instanceof Error ? e.message : String(e)}); the whole page body was used`);
    }
    if (article?.content) {
      root = article.content as { innerHTML: string };
      path = 'readability';
      readabilityByline = article.byline ?? undefined;
    } else {
      root = document.body as { innerHTML: string } | null;
      warnings.push('html: no article found; the whole page body was used');
    }
  }

  const byline = jsonLd.author ?? meta.author ?? readabilityByline;
  const published = jsonLd.published ?? meta.published;
  const modified = jsonLd.modified ?? meta.modified;
  const site = meta.siteName ?? jsonLd.publisher;
  const bodyHtml = root?.innerHTML ?? '';
  // A post with no text but a picture is a picture item: the picture is the post.
  const pictureOnly = hasNoText(bodyHtml) && images[0] !== undefined && !images[0].type;
  if (pictureOnly) images[0] = { ...images[0]!, self: true };
  const draft: DraftStory = {
    format: 'html',
    ...(pictureOnly ? { type: 'picture' as const } : {}),
    ...(headline ? { headline: escapeText(headline) } : {}),
    bodyHtml: pictureOnly ? '' : bodyHtml,
    images: images.map(escapeImageText),
    ...(byline && !/^https?:/i.test(byline) ? { bylines: [escapeText(byline)] } : {}),
    ...(meta.lang ? { language: meta.lang } : {}),
    ...(modified || published ? { versionCreated: modified ?? published } : {}),
    ...(published ? { firstCreated: published } : {}),
    ...(site ? { infoSources: [{ name: escapeText(site), role: 'publisher' as const, ...(base && /^https?:\/\//.test(base) ? { uri: originOf(base) } : {}) }] } : {}),
    ...(base ? { altIds: [{ type: 'url', value: base }] } : {}),
    warnings,
  };
  return { draft, path };
}

type El = ReturnType<ReturnType<typeof parseHTML>['document']['querySelector']> & object;

function articleBody(document: ReturnType<typeof parseHTML>['document']): El | undefined {
  const marked = document.querySelector('[itemprop="articleBody"]');
  if (marked && substantial(marked)) return marked;
  const articles = [...document.querySelectorAll('article')];
  if (articles.length === 1 && substantial(articles[0]!)) return articles[0];
  return denseParagraphs(document);
}

/**
 * Readability's core idea, cheap: the element whose child paragraphs hold nearly all the page's
 * paragraph text is the article. Only an unambiguous winner is taken (≥ 4 paragraphs of copy and
 * ≥ 85% of all paragraph text, chrome already removed); anything less goes to Readability itself.
 */
function denseParagraphs(document: ReturnType<typeof parseHTML>['document']): El | undefined {
  const score = new Map<El, { text: number; paras: number }>();
  let total = 0;
  for (const p of document.querySelectorAll('p')) {
    const len = (p.textContent ?? '').trim().length;
    if (len < 25) continue;
    total += len;
    const parent = p.parentElement as El | null;
    if (!parent) continue;
    const s = score.get(parent) ?? { text: 0, paras: 0 };
    s.text += len;
    s.paras++;
    score.set(parent, s);
  }
  let best: El | undefined;
  let bestText = 0;
  let bestParas = 0;
  for (const [el, s] of score) {
    if (s.text > bestText) {
      best = el;
      bestText = s.text;
      bestParas = s.paras;
    }
  }
  return best && bestParas >= 4 && bestText >= 0.85 * total && bestText >= 400 ? best : undefined;
}

function substantial(el: El): boolean {
  let n = 0;
  for (const p of el.querySelectorAll('p')) if ((p.textContent ?? '').trim().length >= 80) n++;
  return n >= 3;
}

/** Figures (and captioned images) → images with caption, alt, source URL and size; removed from the page. */
function liftImages(document: ReturnType<typeof parseHTML>['document'], base: string | undefined): DraftImage[] {
  const out: DraftImage[] = [];
  const root = document.body ?? document;
  for (const fig of [...root.querySelectorAll('figure')]) {
    const img = fig.querySelector('img');
    const caption = cleanDecodedText(fig.querySelector('figcaption')?.textContent ?? '');
    const image = img ? imageOf(img, base) : undefined;
    if (image || caption) out.push({ ...(image ?? {}), ...(caption ? { caption } : {}) });
    fig.remove();
  }
  for (const img of [...root.querySelectorAll('img')]) {
    const image = imageOf(img, base);
    // A WordPress attachment (an upload of the post, `wp-image-N`) is the post's picture whatever its alt text.
    const attachment = /(?:^|\s)wp-image-\d+/.test(img.getAttribute('class') ?? '') || /\/wp-content\/uploads\//.test(image?.sourceUrl ?? '');
    if (image && ((image.alt?.length ?? 0) >= 30 || attachment)) out.push(image);
    img.remove();
  }
  return out;
}

/** An image's texts escaped for the draft (finalize decodes once). */
const escapeImageText = (i: DraftImage): DraftImage => ({ ...i, ...(i.caption ? { caption: escapeText(i.caption) } : {}), ...(i.alt ? { alt: escapeText(i.alt) } : {}) });

function imageOf(img: El, base: string | undefined): DraftImage | undefined {
  // Lazy-loading pages put a placeholder in src and the picture in data-src.
  const lazy = img.getAttribute('data-src') || img.getAttribute('data-lazy-src') || img.getAttribute('data-original');
  const raw = lazy || img.getAttribute('src') || (img.getAttribute('srcset') ?? '').split(/\s+/)[0] || '';
  const width = toInt(img.getAttribute('width'));
  const height = toInt(img.getAttribute('height'));
  if (TRACKER_IMG.test(raw) || (width !== undefined && width <= 50) || (height !== undefined && height <= 50)) return undefined;
  const alt = cleanDecodedText(img.getAttribute('alt') ?? '');
  const image: DraftImage = {};
  const data = /^data:(image\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/.exec(raw);
  if (data) image.embedded = { contentType: data[1]!, base64: data[2]!.replace(/\s+/g, '') };
  else {
    const url = resolveUrl(raw, base);
    if (url) image.sourceUrl = url;
  }
  if (alt) image.alt = alt;
  if (width) image.width = width;
  if (height) image.height = height;
  return image.sourceUrl || image.embedded || image.alt ? image : undefined;
}

function resolveUrl(raw: string, base: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = base ? new URL(raw, base) : new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    // A relative URL on a page that does not say where it lives cannot be fetched: no source URL.
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

const toInt = (v: string | null): number | undefined => {
  const n = v ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

interface PageMeta {
  title?: string;
  url?: string;
  author?: string;
  siteName?: string;
  lang?: string;
  published?: string;
  modified?: string;
  description?: string;
}

/** Page metadata from the raw `<head>` (and `<html lang>`), read with a tokenizer, not the DOM. */
function readMeta(html: string): PageMeta {
  const m: PageMeta = {};
  const headEnd = html.search(/<body[\s>]/i);
  const head = headEnd > 0 ? html.slice(0, headEnd) : html.slice(0, 20000);
  const TAG = /<(meta|link)\b([^>]{0,4000})>/gi;
  let t: RegExpExecArray | null;
  while ((t = TAG.exec(head))) {
    const attrs = attributes(t[2] ?? '');
    if (t[1]!.toLowerCase() === 'link') {
      if (/(^|\s)canonical(\s|$)/i.test(attrs.rel ?? '') && attrs.href && /^https?:\/\//i.test(attrs.href)) m.url = attrs.href;
      continue;
    }
    const key = (attrs.property ?? attrs.name ?? attrs.itemprop ?? '').toLowerCase();
    const content = cleanDecodedText(attrs.content ?? '');
    if (!key || !content) continue;
    if (key === 'og:title' || key === 'twitter:title') m.title ??= content;
    else if (key === 'og:url') m.url ??= content;
    else if (key === 'author' || key === 'article:author' || key === 'byl' || key === 'sailthru.author') m.author ??= content;
    else if (key === 'og:site_name' || key === 'application-name') m.siteName ??= content;
    else if (key === 'article:published_time' || key === 'datepublished' || key === 'pubdate' || key === 'date') m.published ??= content;
    else if (key === 'article:modified_time' || key === 'datemodified' || key === 'last-modified') m.modified ??= content;
    else if (key === 'description' || key === 'og:description') m.description ??= content;
  }
  // CMS templates declare the site's locale (`en-US`), not the story's: keep the language only,
  // except where the region or script changes the written language.
  const lang = /<html\b[^>]{0,2000}?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)/i.exec(head)?.[1];
  if (lang) m.lang = /^(zh|pt|sr)\b/i.test(lang) ? lang : lang.split(/[-_]/)[0];
  if (!m.title) {
    const raw = /<title[^>]{0,200}>([^<]{0,2000})<\/title>/i.exec(head)?.[1];
    const title = cleanText(raw ?? '');
    // "Headline | Site" / "Headline - Site": keep the longest part.
    if (title) m.title = title.split(/\s+[|–—-]\s+/).sort((a, b) => b.length - a.length)[0];
  }
  if (!m.published) {
    const time = /<time\b[^>]{0,500}?\bdatetime\s*=\s*["']([^"']+)["']/i.exec(html)?.[1];
    if (time) m.published = time;
  }
  return m;
}

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
  let a: RegExpExecArray | null;
  while ((a = ATTR.exec(s))) out[a[1]!.toLowerCase()] = decodeAttributeEntities(a[2] ?? a[3] ?? a[4] ?? '');
  return out;
}

interface JsonLdMeta {
  headline?: string;
  author?: string;
  published?: string;
  modified?: string;
  publisher?: string;
  url?: string;
}

/** schema.org NewsArticle/Article metadata from `<script type="application/ld+json">` blocks. */
function readJsonLd(html: string): JsonLdMeta {
  const out: JsonLdMeta = {};
  const re = /<script[^>]{1,500}?type\s*=\s*["']?application\/ld\+json["']?[^>]*>/gi;
  let guard = 0;
  while (re.exec(html) !== null && guard++ < 20) {
    const end = html.indexOf('</script', re.lastIndex);
    if (end < 0) break;
    let data: unknown;
    try {
      data = JSON.parse(html.slice(re.lastIndex, end));
    } catch {
      // Broken JSON-LD is common on real pages; the page still has its HTML metadata.
      continue;
    }
    const nodes: unknown[] = Array.isArray(data) ? data : [data];
    for (const n of nodes.flatMap((x) => (isObj(x) && Array.isArray(x['@graph']) ? (x['@graph'] as unknown[]) : [x]))) {
      if (!isObj(n)) continue;
      const type = Array.isArray(n['@type']) ? n['@type'].join(' ') : String(n['@type'] ?? '');
      if (!/Article|NewsArticle|Report|BlogPosting/.test(type)) continue;
      if (typeof n.headline === 'string') out.headline ??= cleanText(n.headline);
      const authors = (Array.isArray(n.author) ? n.author : [n.author]).map((a) => (typeof a === 'string' ? a : isObj(a) && typeof a.name === 'string' ? a.name : '')).filter(Boolean);
      if (authors.length) out.author ??= cleanText(authors.join(' and '));
      if (typeof n.datePublished === 'string') out.published ??= n.datePublished;
      if (typeof n.dateModified === 'string') out.modified ??= n.dateModified;
      if (isObj(n.publisher) && typeof n.publisher.name === 'string') out.publisher ??= cleanText(n.publisher.name);
      if (typeof n.url === 'string') out.url ??= n.url;
    }
  }
  return out;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Removes elements (with their content) by tag name in one linear pass; an element left open
 * runs to the end of the input, as a browser would treat it.
 */
function stripElements(html: string, names: string[]): string {
  const open = new RegExp(`<(${names.join('|')})(?=[\\s>/])`, 'gi');
  let out = '';
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = open.exec(html))) {
    out += html.slice(pos, m.index);
    const close = new RegExp(`</${m[1]}\\s*>`, 'gi');
    close.lastIndex = open.lastIndex;
    const c = close.exec(html);
    if (!c) return out;
    pos = close.lastIndex;
    open.lastIndex = pos;
  }
  out += html.slice(pos);
  return stripComments(out);
}

/** Removes `<!-- … -->` comments (conditional comments carry scripts) in one linear pass. */
function stripComments(html: string): string {
  let i = html.indexOf('<!--');
  if (i < 0) return html;
  let out = '';
  let pos = 0;
  while (i >= 0) {
    out += html.slice(pos, i);
    const end = html.indexOf('-->', i + 4);
    if (end < 0) return out;
    pos = end + 3;
    i = html.indexOf('<!--', pos);
  }
  return out + html.slice(pos);
}
