import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, rawText, text, toHtml, type XmlElement } from '../xml-dom';
import { bodyHtmlMapper, mergeImages } from '../xml-html';
import { absUrl, sourceLink, checkItems, compact, fail, guarded, paragraphs, posInt } from './common';
import { normalizeDate } from '../dates';
import { escapeTextKeepingEntities, stripMarkup } from '@wire/text';
import { bodyEmbeds, hasNoText } from './embeds';
import { domainLabel, providerSlug } from '../provider';
import type { RemoteRendition } from '@wire/schema';

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

const stripTags = (s: string): string => stripMarkup(s).replace(/\s+/g, ' ').trim();

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
    const kind = medium === 'video' || type.startsWith('video/') ? 'video' : medium === 'audio' || type.startsWith('audio/') ? 'audio' : medium === 'image' || type.startsWith('image/') || (!medium && !type) ? 'picture' : undefined;
    if (!kind) return;
    const url = sourceLink(attr(m, 'url'));
    if (!url) return;
    // A media:group's description/title/credit apply to every size in it; an item's own
    // description is its body, never a caption.
    const caption = text(child(m, 'description')) || text(child(group, 'description')) || text(child(m, 'title')) || text(child(group, 'title')) || undefined;
    const credits = [...elements(m, 'credit'), ...elements(group, 'credit')];
    const photographer = credits.find((c) => /photographer|author|camera|creator/i.test(attr(c, 'role') ?? ''));
    const credit = text(credits.find((c) => c !== photographer) ?? photographer) || undefined;
    const rendition: RemoteRendition = compact({ name: 'original', href: url, contentType: type || undefined, width: posInt(attr(m, 'width')), height: posInt(attr(m, 'height')), sizeInBytes: posInt(attr(m, 'fileSize')), duration: posInt(attr(m, 'duration')) });
    images.push(
      compact({
        type: kind === 'picture' ? undefined : kind,
        caption,
        credit,
        by: photographer ? text(photographer) || undefined : undefined,
        sourceUrl: kind === 'picture' ? url : sourceLink(attr(child(m, 'thumbnail') ?? child(group, 'thumbnail'), 'url')),
        width: kind === 'picture' ? posInt(attr(m, 'width')) : undefined,
        height: kind === 'picture' ? posInt(attr(m, 'height')) : undefined,
        renditions: [rendition],
      }),
    );
  };
  for (const c of elements(item)) {
    if (c.local === 'content' && attr(c, 'url') !== undefined) fromMedia(c, undefined);
    else if (c.local === 'group') {
      // One picture in several sizes: one picture, the widest to fetch, every size a rendition.
      const before = images.length;
      for (const m of elements(c, 'content')) fromMedia(m, c);
      if (images.length - before > 1) {
        const group = images.splice(before);
        const widest = group.reduce((a, b) => ((b.width ?? 0) > (a.width ?? 0) ? b : a));
        const renditions = group.flatMap((g, i) => (g.renditions ?? []).map((r) => ({ ...r, name: g === widest ? 'original' : `${r.width ? `w${r.width}` : `size${i + 1}`}` })));
        images.push({ ...widest, renditions });
      }
    } else if (c.local === 'enclosure' || (c.local === 'link' && attr(c, 'rel') === 'enclosure')) {
      const type = (attr(c, 'type') ?? '').toLowerCase();
      const url = sourceLink(attr(c, 'url') ?? attr(c, 'href'));
      if (!url) continue;
      const length = posInt(attr(c, 'length'));
      if (type.startsWith('image/') || (!type && /\.(jpe?g|png|gif|webp)(\?|$)/i.test(url))) images.push({ sourceUrl: url, renditions: [compact({ name: 'original', href: url, contentType: type || undefined, sizeInBytes: length })] });
      else if (type.startsWith('video/') || type.startsWith('audio/')) images.push({ type: type.startsWith('video/') ? 'video' : 'audio', renditions: [compact({ name: 'original', href: url, contentType: type, sizeInBytes: length })] });
    }
  }
  if (images.length === 0) {
    const thumb = find(item, 'thumbnail');
    const url = sourceLink(attr(thumb, 'url'));
    if (url) images.push(compact({ sourceUrl: url, width: posInt(attr(thumb, 'width')), height: posInt(attr(thumb, 'height')) }));
  }
  return mergeImages([], images);
}

/** Namespaces whose elements are standard feed vocabulary, not a vendor's own. */
const STANDARD_PREFIXES = new Set(['', 'atom', 'media', 'georss', 'geo', 'gml', 'dc', 'dcterms', 'thr', 'app', 'xhtml', 'content', 'slash', 'wfw', 'sy', 'itunes', 'feedburner', 'rdf', 'xml', 'opensearch', 'wp', 'excerpt']);

const prefixOf = (el: XmlElement): string => (el.name.includes(':') ? el.name.slice(0, el.name.indexOf(':')).toLowerCase() : '');

/** The elements an agency adds to its feed entries in its own namespace. */
function vendorElements(entry: XmlElement): XmlElement[] {
  return elements(entry).filter((c) => !STANDARD_PREFIXES.has(prefixOf(c)));
}

/** A vendor's body element (`ntb:body`, `x:fulltext`, `y:body_html` …): the longest one, as HTML. */
function vendorBody(entry: XmlElement): string | undefined {
  let best: { html: string; length: number } | undefined;
  for (const v of vendorElements(entry)) {
    if (!/^(?:body|body[-_.]?(?:html|xhtml|text|content)|bodytext|fulltext|full[-_]?text|text|content|story|article|html)$/i.test(v.local)) continue;
    const html = htmlOf(v);
    if (!html) continue;
    const length = stripTags(html).length;
    if (!best || length > best.length) best = { html, length };
  }
  return best?.html;
}

/** The vendor's own tags, dates and language of an entry. */
function vendorMeta(entry: XmlElement): { keywords: string[]; created?: string; published?: string; modified?: string; language?: string; byline?: string } {
  const keywords: string[] = [];
  const out: { keywords: string[]; created?: string; published?: string; modified?: string; language?: string; byline?: string } = { keywords };
  for (const v of vendorElements(entry)) {
    const l = v.local.toLowerCase();
    if (/^(?:tags?|keywords?|categor(?:y|ies)|subjects?|topics?)$/.test(l)) {
      const parts = elements(v).length > 0 ? elements(v).map((e) => attr(e, 'label') ?? attr(e, 'term') ?? text(e)) : (attr(v, 'label') ?? attr(v, 'term') ?? text(v)).split(/\s*[,;|]\s*/);
      for (const p of parts) if (p) keywords.push(p);
    } else if (/^(?:created|contentcreated|datecreated)$/.test(l)) out.created ??= text(v);
    else if (/^(?:published|issued|pubdate|date|firstcreated|firstpublished|datepublished)$/.test(l)) out.published ??= text(v);
    else if (/^(?:modified|updated|versioncreated|lastmodified|changed|datemodified)$/.test(l)) out.modified ??= text(v);
    else if (/^(?:language|lang)$/.test(l)) out.language ??= text(v) || attr(v, 'value');
    else if (/^(?:byline|author|creator|by)$/.test(l)) out.byline ??= text(child(v, 'name') ?? v) || undefined;
  }
  return out;
}

/** A GeoRSS point (`<georss:point>lat lon</georss:point>`, W3C `geo:lat`/`geo:long`) as a place. */
function geoPlace(item: XmlElement): NonNullable<DraftStory['places']>[number] | undefined {
  const point = childText(item, 'point');
  const [lat, lon] = point ? point.split(/[\s,]+/).map(Number) : [Number(childText(item, 'lat')), Number(childText(item, 'long'))];
  if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  if (!point && !childText(item, 'lat')) return undefined;
  return { name: childText(item, 'featureName') ?? `${lat} ${lon}`, geo: { lat, lon } };
}

/**
 * In-body pictures and embeds become media of the story, and a post with no text but a picture is
 * a picture item whose picture is the post itself.
 */
function withEmbeds(draft: DraftStory, base: string | undefined): void {
  const embeds = draft.bodyHtml ? bodyEmbeds(draft.bodyHtml, base) : [];
  if (embeds.length > 0) draft.images = mergeImages(draft.images ?? [], embeds);
  const first = draft.images?.[0];
  if (first && (draft.type ?? 'text') === 'text' && hasNoText(draft.bodyHtml) && !draft.bodyText?.length) {
    draft.type = first.type ?? 'picture';
    draft.images = [{ ...first, self: true }, ...(draft.images ?? []).slice(1)];
    delete draft.bodyHtml;
  }
}

/** `email@example.com (Jane Roe)` → Jane Roe with that e-mail; `Jane Roe` → Jane Roe. */
function rssAuthor(raw: string): string | { name: string; email?: string } {
  const m = /^\s*([^\s()<>]+@[^\s()<>]+)\s*\(([^)]+)\)\s*$/.exec(raw);
  if (m) return { name: (m[2] as string).trim(), email: m[1] as string };
  return raw;
}

function rssItem(item: XmlElement, channel: { title?: string; link?: string; language?: string; rights?: string }): DraftStory {
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
  const encoded = htmlOf(child(item, 'encoded'));
  const description = htmlOf(child(item, 'description'));
  const body = encoded ?? description;
  if (body) draft.bodyHtml = body;
  // With a full text in content:encoded, the description is the item's summary.
  if (encoded && description && stripTags(description)) draft.descriptions = [{ role: 'summary', value: stripTags(description) }];
  const images = imagesOf(item);
  if (images.length > 0) draft.images = images;
  const rights = childText(item, 'rights') ?? childText(item, 'copyright') ?? channel.rights;
  if (rights) draft.copyrightNotice = rights;
  const place = geoPlace(item);
  if (place) draft.places = [place];
  withEmbeds(draft, absUrl(childText(item, 'link')) ?? channel.link);
  const sources: NonNullable<DraftStory['infoSources']> = [];
  const source = child(item, 'source');
  if (source && text(source)) sources.push(compact({ name: text(source), role: 'source' as const, uri: attr(source, 'url') }));
  if (channel.title) sources.push(compact({ name: channel.title, role: 'publisher' as const, uri: channel.link }));
  if (sources.length > 0) draft.infoSources = sources;
  // The channel is the feed: its site names the provider of every item.
  const provider = channel.link ? domainLabel(new URL(channel.link).hostname) : providerSlug(channel.title);
  if (provider) draft.source = provider;
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

function atomEntry(entry: XmlElement, feed: { title?: string; link?: string; language?: string; authors: DraftStory['bylines']; rights?: string; id?: string }): DraftStory {
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
  const vendor = vendorMeta(entry);
  for (const [field, raw] of [['versionCreated', vendor.modified], ['firstCreated', vendor.published], ['contentCreated', vendor.created]] as const) {
    if (!raw || draft[field]) continue;
    const iso = normalizeDate(raw);
    if (iso) draft[field] = iso;
    else warnings.push(`${field}: unreadable vendor date "${raw}" (Atom)`);
  }
  draft.versionCreated ??= draft.firstCreated;
  const content = child(entry, 'content');
  const lang = attr(content, 'lang') ?? attr(entry, 'lang') ?? vendor.language ?? feed.language;
  if (lang) draft.language = lang;
  const authors: Array<{ name: string; email?: string }> = [];
  for (const a of elements(entry, 'author')) {
    const name = childText(a, 'name');
    const email = childText(a, 'email');
    if (name) authors.push(email ? { name, email } : { name });
  }
  if (authors.length > 0) draft.bylines = authors;
  else if (vendor.byline) draft.bylines = [vendor.byline];
  else if (feed.authors?.length) draft.bylines = feed.authors;
  const categories = [...elements(entry, 'category').map((c) => attr(c, 'label') ?? attr(c, 'term') ?? ''), ...vendor.keywords].filter(Boolean);
  if (categories.length > 0) draft.keywords = [...new Set(categories)];
  // atom:content may be a placeholder ("Read more …", empty) when the agency puts the text in
  // its own body element: the longer of the two is the body.
  const atomBody = content && !attr(content, 'src') ? htmlOf(content) : undefined;
  const vendorHtml = vendorBody(entry);
  const summary = htmlOf(child(entry, 'summary'));
  const body = vendorHtml && stripTags(vendorHtml).length > stripTags(atomBody ?? '').length ? vendorHtml : (atomBody ?? summary);
  if (vendorHtml && body === vendorHtml && atomBody) warnings.push('body: atom:content is a placeholder; the vendor body element was used (Atom)');
  if (body) draft.bodyHtml = body;
  if (summary && body !== summary && stripTags(summary)) draft.descriptions = [{ role: 'summary', value: stripTags(summary) }];
  const images = imagesOf(entry);
  if (images.length > 0) draft.images = images;
  const rights = childText(entry, 'rights') ?? feed.rights;
  const sources: NonNullable<DraftStory['infoSources']> = [];
  const source = child(entry, 'source');
  const sourceTitle = titleOf(child(source, 'title'));
  if (sourceTitle) sources.push({ name: sourceTitle, role: 'source' });
  if (feed.title) sources.push(compact({ name: feed.title, role: 'publisher' as const, uri: feed.link }));
  if (sources.length > 0) draft.infoSources = sources;
  if (rights) draft.copyrightNotice = rights;
  const place = geoPlace(entry);
  if (place) draft.places = [place];
  withEmbeds(draft, absUrl(attr(alternate, 'href')) ?? feed.link);
  const provider = feed.link ? domainLabel(new URL(feed.link).hostname) : providerSlug(feed.title);
  if (provider) draft.source = provider;
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/**
 * WordPress exports (WXR) list each uploaded picture as an item of `wp:post_type` attachment with
 * its `wp:attachment_url` and the post it belongs to (`wp:post_parent`): it becomes a picture of
 * that post, not a story; an attachment whose post is not in the feed stands as a picture item.
 */
function wordpressAttachments(items: XmlElement[], drafts: DraftStory[]): DraftStory[] {
  const postId = (i: XmlElement): string | undefined => childText(i, 'post_id');
  const byId = new Map<string, DraftStory>();
  items.forEach((i, k) => {
    const id = postId(i);
    if (id) byId.set(id, drafts[k] as DraftStory);
  });
  const out: DraftStory[] = [];
  items.forEach((i, k) => {
    const d = drafts[k] as DraftStory;
    const url = sourceLink(childText(i, 'attachment_url'));
    if (childText(i, 'post_type') !== 'attachment' || !url) {
      out.push(d);
      return;
    }
    const excerpt = elements(i, 'encoded').find((e) => /^excerpt:/i.test(e.name));
    const picture: DraftImage = compact({ sourceUrl: url, headline: d.headline, caption: (excerpt ? text(excerpt) : '') || undefined, renditions: [{ name: 'original', href: url }] });
    const parent = byId.get(childText(i, 'post_parent') ?? '');
    if (parent && parent !== d) parent.images = mergeImages(parent.images ?? [], [picture]);
    else {
      d.type = 'picture';
      d.images = [{ ...picture, self: true }];
      delete d.bodyHtml;
      out.push(d);
    }
  });
  // A post whose only content is now its attached picture is a picture item.
  for (const d of out) {
    if ((d.type ?? 'text') === 'text' && hasNoText(d.bodyHtml) && d.images?.[0]) {
      d.type = d.images[0].type ?? 'picture';
      d.images = [{ ...d.images[0], self: true }, ...d.images.slice(1)];
      delete d.bodyHtml;
    }
  }
  return out;
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
      const feed = compact({ title: titleOf(child(root, 'title')), link: absUrl(attr(alternate, 'href')), language: attr(root, 'lang'), authors: feedAuthors, rights: childText(root, 'rights') });
      drafts = entries.map((e) => atomEntry(e, feed));
    } else {
      label = 'RSS';
      const channel = child(root, 'channel');
      // RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
      const items = [...elements(channel, 'item'), ...elements(root, 'item')];
      const many = checkItems(items.length, input.limits, 'RSS channel');
      if (!many.ok) return many;
      const info = compact({ title: childText(channel, 'title'), link: absUrl(childText(channel, 'link')), language: childText(channel, 'language'), rights: childText(channel, 'copyright') ?? childText(channel, 'rights') });
      drafts = wordpressAttachments(items, items.map((i) => rssItem(i, info)));
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
