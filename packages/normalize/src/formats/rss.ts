import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, rawText, text, toHtml, type XmlElement } from '../xml-dom';
import { bodyHtmlMapper, mergeImages } from '../xml-html';
import { absUrl, checkItems, compact, fail, guarded, paragraphs, posInt } from './common';
import { normalizeDate } from '../dates';
import { escapeTextKeepingEntities } from '@wire/text';

/**
 * RSS 2.0 (and RSS 0.9x/1.0) and Atom 1.0 feeds: one story per `item`/`entry`. Bodies come from
 * `content:encoded` / Atom `content`, else the description/summary; pictures from Media RSS
 * (`media:content`, `media:thumbnail`, `media:group`) and image enclosures. Namespace prefixes are
 * matched by local name, so feeds that forget to declare them still parse.
 */

/** Cheap content sniff: an `<rss>`, RSS 1.0 `<rdf:RDF>` or Atom `<feed>` root. */
export function detect(textIn: string): boolean {
  const head = textIn.slice(0, 8192);
  return /<(?:[\w-]+:)?rss[\s>]/.test(head) || /<(?:[\w-]+:)?feed[\s>]/.test(head) || (/<(?:[\w-]+:)?RDF[\s>]/.test(head) && /purl\.org\/rss/.test(head));
}

const stripTags = (s: string): string => s.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();

/** An RSS/Atom text construct: escaped HTML (the RSS norm), CDATA HTML, XHTML children or plain text. */
function htmlOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  const type = (attr(el, 'type') ?? '').toLowerCase();
  if (type === 'xhtml' || (elements(el).length > 0 && !type)) {
    const div = child(el, 'div') ?? el;
    const html = toHtml(div.children, bodyHtmlMapper).trim();
    return html || undefined;
  }
  const raw = rawText(el).trim();
  if (!raw) return undefined;
  if (type === 'text' || !/<[a-zA-Z/!][^>]*>/.test(raw)) {
    // Escape, but leave entity references (`&nbsp;` left literal by the XML layer) for the cleaner.
    return paragraphs(raw).map((p) => `<p>${escapeTextKeepingEntities(p)}</p>`).join('') || undefined;
  }
  return raw;
}

/** A plain-text title (Atom titles may be HTML). */
function titleOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  const type = (attr(el, 'type') ?? '').toLowerCase();
  const t = type === 'html' || type === 'xhtml' || elements(el).length > 0 ? stripTags(type === 'xhtml' ? toHtml(el.children) : rawText(el)) : text(el);
  return t || undefined;
}

/** Media RSS pictures and image enclosures of an item/entry. */
function imagesOf(item: XmlElement): DraftImage[] {
  const images: DraftImage[] = [];
  const fromMedia = (m: XmlElement, group: XmlElement | undefined): void => {
    const medium = (attr(m, 'medium') ?? '').toLowerCase();
    const type = (attr(m, 'type') ?? '').toLowerCase();
    if (medium && medium !== 'image') return;
    if (!medium && type && !type.startsWith('image/')) return;
    const url = absUrl(attr(m, 'url'));
    if (!url) return;
    // A media:group's description/title/credit apply to every size in it; an item's own
    // description is its body, never a caption.
    const caption = text(child(m, 'description')) || text(child(group, 'description')) || text(child(m, 'title')) || text(child(group, 'title')) || undefined;
    const credit = text(child(m, 'credit')) || text(child(group, 'credit')) || undefined;
    images.push(compact({ caption, credit, sourceUrl: url, width: posInt(attr(m, 'width')), height: posInt(attr(m, 'height')) }));
  };
  for (const c of elements(item)) {
    if (c.local === 'content' && attr(c, 'url') !== undefined) fromMedia(c, undefined);
    else if (c.local === 'group') {
      // One picture in several sizes: keep the widest.
      const before = images.length;
      for (const m of elements(c, 'content')) fromMedia(m, c);
      if (images.length - before > 1) {
        const group = images.splice(before);
        images.push(group.reduce((a, b) => ((b.width ?? 0) > (a.width ?? 0) ? b : a)));
      }
    } else if (c.local === 'enclosure' || (c.local === 'link' && attr(c, 'rel') === 'enclosure')) {
      const type = (attr(c, 'type') ?? '').toLowerCase();
      const url = absUrl(attr(c, 'url') ?? attr(c, 'href'));
      if (url && (type.startsWith('image/') || (!type && /\.(jpe?g|png|gif|webp)(\?|$)/i.test(url)))) images.push({ sourceUrl: url });
    }
  }
  if (images.length === 0) {
    const thumb = find(item, 'thumbnail');
    const url = absUrl(attr(thumb, 'url'));
    if (url) images.push(compact({ sourceUrl: url, width: posInt(attr(thumb, 'width')), height: posInt(attr(thumb, 'height')) }));
  }
  return mergeImages([], images);
}

/** `email@example.com (Jane Roe)` → Jane Roe with that e-mail; `Jane Roe` → Jane Roe. */
function rssAuthor(raw: string): string | { name: string; email?: string } {
  const m = /^\s*([^\s()<>]+@[^\s()<>]+)\s*\(([^)]+)\)\s*$/.exec(raw);
  if (m) return { name: (m[2] as string).trim(), email: m[1] as string };
  return raw;
}

function rssItem(item: XmlElement, channel: { title?: string; link?: string; language?: string }): DraftStory {
  const draft: DraftStory = { format: 'rss' };
  const warnings: string[] = [];
  const headline = titleOf(child(item, 'title'));
  if (headline) draft.headline = headline;
  const guid = childText(item, 'guid') ?? childText(item, 'link') ?? attr(item, 'about');
  if (guid) draft.guid = guid;
  const rawDate = childText(item, 'pubDate') ?? childText(item, 'date') ?? childText(item, 'updated');
  if (rawDate) {
    const iso = normalizeDate(rawDate);
    if (iso) draft.versionCreated = iso;
    else warnings.push(`pubDate: unreadable date "${rawDate}" (RSS)`);
  }
  const lang = childText(item, 'language') ?? channel.language;
  if (lang) draft.language = lang;
  const authors = [...elements(item, 'creator'), ...elements(item, 'author')].map((a) => text(a)).filter(Boolean);
  if (authors.length > 0) draft.bylines = authors.map(rssAuthor);
  const categories = elements(item, 'category', 'subject').map((c) => text(c)).filter(Boolean);
  if (categories.length > 0) draft.keywords = categories;
  const body = htmlOf(child(item, 'encoded')) ?? htmlOf(child(item, 'description'));
  if (body) draft.bodyHtml = body;
  const images = imagesOf(item);
  if (images.length > 0) draft.images = images;
  const sources: NonNullable<DraftStory['infoSources']> = [];
  const source = child(item, 'source');
  if (source && text(source)) sources.push(compact({ name: text(source), role: 'source' as const, uri: attr(source, 'url') }));
  if (channel.title) sources.push(compact({ name: channel.title, role: 'publisher' as const, uri: channel.link }));
  if (sources.length > 0) draft.infoSources = sources;
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

function atomEntry(entry: XmlElement, feed: { title?: string; link?: string; language?: string; authors: DraftStory['bylines'] }): DraftStory {
  const draft: DraftStory = { format: 'atom' };
  const warnings: string[] = [];
  const headline = titleOf(child(entry, 'title'));
  if (headline) draft.headline = headline;
  const alternate = elements(entry, 'link').find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const guid = childText(entry, 'id') ?? attr(alternate, 'href');
  if (guid) draft.guid = guid;
  for (const [field, name] of [['versionCreated', 'updated'], ['firstCreated', 'published']] as const) {
    const raw = childText(entry, name);
    if (!raw) continue;
    const iso = normalizeDate(raw);
    if (iso) draft[field] = iso;
    else warnings.push(`${name}: unreadable date "${raw}" (Atom)`);
  }
  draft.versionCreated ??= draft.firstCreated;
  const lang = attr(entry, 'lang') ?? feed.language;
  if (lang) draft.language = lang;
  const authors: Array<{ name: string; email?: string }> = [];
  for (const a of elements(entry, 'author')) {
    const name = childText(a, 'name');
    const email = childText(a, 'email');
    if (name) authors.push(email ? { name, email } : { name });
  }
  if (authors.length > 0) draft.bylines = authors;
  else if (feed.authors?.length) draft.bylines = feed.authors;
  const categories = elements(entry, 'category').map((c) => attr(c, 'label') ?? attr(c, 'term') ?? '').filter(Boolean);
  if (categories.length > 0) draft.keywords = categories;
  const content = child(entry, 'content');
  const body = (content && !attr(content, 'src') ? htmlOf(content) : undefined) ?? htmlOf(child(entry, 'summary'));
  if (body) draft.bodyHtml = body;
  const images = imagesOf(entry);
  if (images.length > 0) draft.images = images;
  const rights = childText(entry, 'rights');
  const sources: NonNullable<DraftStory['infoSources']> = [];
  const source = child(entry, 'source');
  const sourceTitle = titleOf(child(source, 'title'));
  if (sourceTitle) sources.push({ name: sourceTitle, role: 'source' });
  if (feed.title) sources.push(compact({ name: feed.title, role: 'publisher' as const, uri: feed.link }));
  if (sources.length > 0) draft.infoSources = sources;
  if (rights) warnings.push(`rights: ${rights} (Atom)`);
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/** Parses an RSS or Atom feed into one draft per item/entry (items without a title are skipped with a warning). */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('RSS/Atom', () => {
    const doc = parseXml(input.text, { label: 'RSS/Atom', limits: input.limits });
    if (!doc.ok) return doc;
    const root = doc.value.roots.find((r) => r.local === 'rss' || r.local === 'feed' || r.local === 'RDF' || r.local === 'entry');
    if (!root) return fail('WIRE_ERR_SCHEMA', 'document: no <rss>, <feed> or <rdf:RDF> root (RSS/Atom)');
    let drafts: DraftStory[];
    let label: string;
    if (root.local === 'feed' || root.local === 'entry') {
      label = 'Atom';
      const entries = root.local === 'entry' ? [root] : elements(root, 'entry');
      const many = checkItems(entries.length, input.limits, 'Atom feed');
      if (!many.ok) return many;
      const feedAuthors = elements(root, 'author')
        .map((a) => childText(a, 'name'))
        .filter((n): n is string => !!n)
        .map((name) => ({ name }));
      const alternate = elements(root, 'link').find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
      const feed = compact({ title: titleOf(child(root, 'title')), link: absUrl(attr(alternate, 'href')), language: attr(root, 'lang'), authors: feedAuthors });
      drafts = entries.map((e) => atomEntry(e, feed));
    } else {
      label = 'RSS';
      const channel = child(root, 'channel');
      // RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
      const items = [...elements(channel, 'item'), ...elements(root, 'item')];
      const many = checkItems(items.length, input.limits, 'RSS channel');
      if (!many.ok) return many;
      const info = compact({ title: childText(channel, 'title'), link: absUrl(childText(channel, 'link')), language: childText(channel, 'language') });
      drafts = items.map((i) => rssItem(i, info));
    }
    if (drafts.length === 0) return fail('WIRE_ERR_EMPTY', `input: ${label} feed holds no ${label === 'RSS' ? 'item' : 'entry'}`);
    const out = drafts.filter((d) => d.headline);
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', `headline: missing (${label} ${label === 'RSS' ? 'item/title' : 'entry/title'} of every item)`);
    if (out.length < drafts.length) {
      const first = out[0] as DraftStory;
      first.warnings = [...(first.warnings ?? []), `${drafts.length - out.length} item(s) without title skipped (${label})`];
    }
    return ok(out);
  });
}
