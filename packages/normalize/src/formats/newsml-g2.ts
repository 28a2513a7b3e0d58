import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, findAll, text, type XmlElement } from '../xml-dom';
import { absUrl, sourceLink, checkItems, compact, fail, guarded, nonNegInt, paragraphs, posInt, pubStatus, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfImages, nitfToDraft } from './nitf';
import { mergeImages, xhtmlNodesToBody } from '../xml-html';
import { domainLabel, providerOfUri, providerSlug } from '../provider';
import { conceptKind, itemType as kindOf, nameIn, splitQcode } from './concepts';
import type { RemoteRendition, Subject } from '@wire/schema';

/**
 * IPTC NewsML-G2 (https://iptc.org/std/NewsML-G2/): a single `newsItem` or `packageItem`, or a
 * `newsMessage` whose `itemSet` carries several. Each text/picture/video/audio newsItem becomes a
 * story; pictures that a package (or the text itself) attaches to a text item fold into that
 * story as images instead of standing alone.
 */

const ITEM_ROOTS = ['newsItem', 'packageItem', 'newsMessage', 'conceptItem', 'knowledgeItem', 'planningItem'];

/** Cheap content sniff: a NewsML-G2 item or message element near the top. */
export function detect(textIn: string): boolean {
  return /<(?:[\w-]+:)?(?:newsItem|packageItem|newsMessage)[\s>]/.test(textIn.slice(0, 8192));
}

/** `ninat:picture` → `picture`. */
function itemType(el: XmlElement): DraftStory['type'] {
  return kindOf(attr(child(el, 'itemMeta', 'itemClass'), 'qcode')) ?? (el.local === 'packageItem' ? 'composite' : 'text');
}

/** The name of a G2 concept (`<x><name>…</name></x>`, in the story's language), else its literal/qcode. */
function conceptName(el: XmlElement | undefined, language?: string): string | undefined {
  if (!el) return undefined;
  const names = elements(el, 'name')
    .map((n) => ({ lang: attr(n, 'lang'), value: text(n) }))
    .filter((n) => n.value);
  return nameIn(names, language) ?? attr(el, 'literal') ?? (elements(el).length === 0 ? text(el) || undefined : undefined);
}

/** What the `assert` elements of an item say about concepts (names, geo positions, tickers), by qcode. */
type Asserts = Map<string, XmlElement>;

/** A G2 concept element (subject, genre, service, located …) → a concept; names from an `assert` when the element has none. */
function conceptOf(el: XmlElement, asserts: Asserts, language: string | undefined): (Subject & { geo?: { lat: number; lon: number }; symbols?: Array<{ ticker: string; exchange?: string }> }) | undefined {
  const qcode = attr(el, 'qcode');
  const asserted = qcode ? asserts.get(qcode) : undefined;
  const { scheme, code } = splitQcode(qcode);
  const name = conceptName(el, language) ?? conceptName(asserted, language) ?? code ?? attr(el, 'uri');
  if (!name) return undefined;
  const pos = find(el, 'position') ?? find(asserted, 'position');
  const lat = Number(attr(pos, 'latitude'));
  const lon = Number(attr(pos, 'longitude'));
  const symbols = [...findAll(el, 'hasInstrument'), ...findAll(asserted, 'hasInstrument')]
    .map((i) => attr(i, 'symbol'))
    .filter((x): x is string => !!x)
    .map((sym) => (sym.includes(':') ? { exchange: sym.slice(0, sym.indexOf(':')), ticker: sym.slice(sym.indexOf(':') + 1) } : { ticker: sym }));
  return compact({
    name,
    code,
    scheme,
    uri: attr(el, 'uri'),
    geo: pos && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : undefined,
    symbols: symbols.length > 0 ? symbols : undefined,
  });
}

/** Every `remoteContent` rendition of an item (name, href, type, size, dimensions, duration). */
function renditionsOf(contentSet: XmlElement | undefined): RemoteRendition[] {
  const out: RemoteRendition[] = [];
  for (const r of elements(contentSet, 'remoteContent')) {
    const href = sourceLink(attr(r, 'href'));
    if (!href) continue;
    const rendition = attr(r, 'rendition');
    const duration = Number(attr(r, 'duration'));
    out.push(
      compact({
        name: rendition ? rendition.slice(rendition.lastIndexOf(':') + 1) : `rendition${out.length + 1}`,
        href,
        contentType: attr(r, 'contenttype'),
        width: posInt(attr(r, 'width')),
        height: posInt(attr(r, 'height')),
        sizeInBytes: posInt(attr(r, 'size')),
        duration: Number.isFinite(duration) && duration >= 0 && attr(r, 'duration') !== undefined ? (/^(?:ms|msec)/i.test(attr(r, 'durationunit') ?? '') ? duration / 1000 : duration) : undefined,
      }),
    );
  }
  return out;
}

/** The provider of an item: its `provider` qcode code, name or uri, as a uri namespace. */
function providerOf(itemMeta: XmlElement | undefined): string | undefined {
  const provider = child(itemMeta, 'provider');
  if (!provider) return undefined;
  const code = splitQcode(attr(provider, 'qcode')).code;
  return providerSlug(code ?? attr(provider, 'literal') ?? childText(provider, 'name')) || providerOfUri(attr(provider, 'uri'));
}

/** Prefer an element without role or with a main role among repeated ones (headline, description). */
function byRole(list: XmlElement[], ...roles: string[]): XmlElement | undefined {
  for (const r of roles) {
    const hit = list.find((e) => (attr(e, 'role') ?? '').toLowerCase().endsWith(r));
    if (hit) return hit;
  }
  return undefined;
}

/** The best rendition of a picture: `rnd:highRes`/`rnd:print`/`rnd:original`, else the widest. */
function bestRemote(contentSet: XmlElement | undefined): XmlElement | undefined {
  const remotes = elements(contentSet, 'remoteContent').filter((r) => attr(r, 'href') ?? attr(r, 'residref'));
  const preferred = remotes.find((r) => /(highres|print|original|main)$/i.test(attr(r, 'rendition') ?? ''));
  if (preferred) return preferred;
  let best: XmlElement | undefined;
  for (const r of remotes) if (!best || (posInt(attr(r, 'width')) ?? 0) > (posInt(attr(best, 'width')) ?? 0)) best = r;
  return best;
}

/** Body of an `inlineXML`: NITF, XHTML (`<html><body>`), or any other markup kept as HTML. */
function inlineBody(inline: XmlElement, draft: DraftStory): void {
  const nitf = find(inline, 'nitf') ?? (child(inline, 'body.content') ? inline : undefined);
  if (nitf) {
    const inner = nitfToDraft(nitf, draft.format);
    if (inner.bodyHtml) draft.bodyHtml = inner.bodyHtml;
    if (inner.images?.length) draft.images = mergeImages(draft.images ?? [], inner.images);
    // The wrapper's metadata wins; the NITF fills what it lacks.
    draft.headline ??= inner.headline;
    draft.subheadline ??= inner.subheadline;
    draft.bylines ??= inner.bylines;
    draft.dateline ??= inner.dateline;
    draft.language ??= inner.language;
    return;
  }
  const { html, images } = xhtmlNodesToBody(inline.children, draft.headline);
  if (html) draft.bodyHtml = html;
  const media = nitfImages(inline);
  if (images.length || media.length) draft.images = mergeImages(draft.images ?? [], [...images, ...media]);
}

/** One newsItem (or packageItem) → a draft, plus the guid it is known by. */
function itemToDraft(item: XmlElement, message: MessageInfo = {}): DraftStory {
  const draft: DraftStory = { format: 'newsml-g2' };
  const itemMeta = child(item, 'itemMeta');
  const contentMeta = child(item, 'contentMeta');
  const rights = child(item, 'rightsInfo');
  const contentSet = child(item, 'contentSet');
  const warnings: string[] = [];

  const guid = attr(item, 'guid');
  if (guid) draft.guid = guid;
  const version = nonNegInt(attr(item, 'version'));
  if (version !== undefined) draft.version = Math.max(1, version);
  draft.type = itemType(item);
  const lang = attr(contentMeta && child(contentMeta, 'language'), 'tag') ?? attr(item, 'lang');
  if (lang) draft.language = lang;
  const source = providerOf(itemMeta) ?? message.source;
  if (source) draft.source = source;
  const asserts: Asserts = new Map();
  for (const a of elements(item, 'assert')) {
    const q = attr(a, 'qcode');
    if (q) asserts.set(q, a);
  }

  const dateField = (name: string, value: string | undefined): string | undefined => {
    if (!value) return undefined;
    const iso = normalizeDate(value);
    if (!iso) warnings.push(`${name}: unreadable date "${value}" (NewsML-G2 itemMeta)`);
    return iso;
  };
  const vc = dateField('versionCreated', childText(itemMeta, 'versionCreated'));
  if (vc) draft.versionCreated = vc;
  const fc = dateField('firstCreated', childText(itemMeta, 'firstCreated') ?? childText(contentMeta, 'contentCreated'));
  if (fc) draft.firstCreated = fc;
  const cc = dateField('contentCreated', childText(contentMeta, 'contentCreated'));
  if (cc) draft.contentCreated = cc;
  const expires = dateField('expires', childText(itemMeta, 'expires'));
  if (expires) draft.expires = expires;
  const emb = dateField('embargoed', childText(itemMeta, 'embargoed'));
  if (emb) draft.embargoedUntil = emb;
  const title = childText(itemMeta, 'title');
  if (title) draft.title = title;
  const ednotes = elements(itemMeta, 'edNote').map((n) => text(n)).filter(Boolean);
  if (ednotes.length > 0) draft.ednotes = ednotes;
  const services = elements(itemMeta, 'service')
    .map((svc) => conceptOf(svc, asserts, draft.language))
    .filter((x) => x !== undefined)
    .map((x) => ({ ...x, kind: 'service' as const }));
  if (services.length > 0) draft.services = services;
  // Rights: the holder, the notice and the usage terms as the agency states them.
  const holderEl = child(rights, 'copyrightHolder');
  const holderName = conceptName(holderEl) ?? attr(holderEl, 'uri');
  if (holderName) draft.copyrightHolder = holderName;
  const notice = childText(rights, 'copyrightNotice');
  if (notice) draft.copyrightNotice = notice;
  const terms = childText(rights, 'usageTerms');
  if (terms) draft.usageTerms = terms;
  const status = pubStatus(attr(child(itemMeta, 'pubStatus'), 'qcode') ?? childText(itemMeta, 'pubStatus'));
  if (status) draft.pubStatus = status;
  for (const signal of elements(itemMeta, 'signal')) {
    if (/correction/i.test(attr(signal, 'qcode') ?? '')) draft.correction = true;
  }

  const u = urgency(childText(contentMeta, 'urgency'));
  if (u !== undefined) draft.urgency = u;
  const headlines = elements(contentMeta, 'headline');
  const headline = text(byRole(headlines, 'main', 'headline') ?? headlines.find((h) => !attr(h, 'role')) ?? headlines[0]);
  draft.headline = headline || title || undefined;
  const sub = byRole(headlines, 'sub', 'subheadline', 'subhead');
  if (sub && text(sub)) draft.subheadline = text(sub);
  const slug = childText(contentMeta, 'slugline');
  if (slug) draft.slugline = slug;
  const dateline = childText(contentMeta, 'dateline');
  if (dateline) draft.dateline = dateline;

  const located = child(contentMeta, 'located');
  if (located) {
    const city = conceptName(located, draft.language);
    const country = findAll(located, 'broader')
      .filter((b) => /country/i.test(attr(b, 'type') ?? '') || /^iso3166/i.test(attr(b, 'qcode') ?? ''))
      .map((b) => conceptName(b, draft.language))[0];
    draft.located = compact({ city, country, text: dateline });
  }

  // Bylines: the display `by` and every creator and contributor with its role.
  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const by of elements(contentMeta, 'by')) if (text(by)) bylines.push(text(by));
  for (const c of [...elements(contentMeta, 'creator'), ...elements(contentMeta, 'contributor')]) {
    const name = elements(c, 'name').map((n) => text(n)).find(Boolean) ?? attr(c, 'literal');
    if (!name) continue;
    const role = attr(c, 'role');
    const email = findAll(c, 'email').map((e) => text(e)).find(Boolean);
    bylines.push(compact({ name, role: role ? role.slice(role.lastIndexOf(':') + 1) : c.local === 'creator' ? 'author' : 'contributor', email, uri: sourceLink(attr(c, 'uri')) }));
  }
  if (bylines.length > 0) draft.bylines = bylines;

  const infoSources: NonNullable<DraftStory['infoSources']> = [];
  const provider = child(itemMeta, 'provider');
  const providerName = childText(provider, 'name') ?? attr(provider, 'literal') ?? attr(provider, 'qcode')?.replace(/^nprov:|^providercode:/i, '');
  if (providerName) infoSources.push(compact({ name: providerName, role: 'distributor' as const, uri: attr(provider, 'uri') }));
  for (const s of elements(contentMeta, 'infoSource')) {
    const name = conceptName(s) ?? attr(s, 'qcode') ?? attr(s, 'uri');
    if (!name) continue;
    const role = (attr(s, 'role') ?? '').toLowerCase();
    const mapped = role.includes('origin') ? 'originator' : role.includes('publish') ? 'publisher' : role.includes('distrib') ? 'distributor' : 'source';
    infoSources.push(compact({ name, role: mapped as 'originator' | 'publisher' | 'distributor' | 'source', uri: attr(s, 'uri') }));
  }
  const holder = childText(child(rights, 'copyrightHolder'), 'name');
  if (holder && !infoSources.some((s) => s.name === holder)) infoSources.push({ name: holder, role: 'source' });
  // The hops an item took: who created the content is its originator, the others handled it.
  for (const hop of findAll(child(item, 'hopHistory'), 'hop')) {
    const party = child(hop, 'party');
    const name = conceptName(party) ?? splitQcode(attr(party, 'qcode')).code;
    if (!name || infoSources.some((s) => s.name === name)) continue;
    const created = elements(hop, 'action').some((a) => /created$/i.test(attr(a, 'qcode') ?? '') && /content$/i.test(attr(a, 'target') ?? ''));
    infoSources.push({ name, role: created ? 'originator' : 'source' });
  }
  // A text's credit line names the agency the copy is credited to (pictures keep it as their credit).
  const creditline = childText(contentMeta, 'creditline');
  if (creditline && itemType(item) === 'text' && !infoSources.some((s) => s.name === creditline)) infoSources.push({ name: creditline, role: 'source' });
  if (infoSources.length > 0) draft.infoSources = infoSources;

  // Subjects by their concept type: places, organisations and people have their own lists.
  for (const s of elements(contentMeta, 'subject')) {
    const c = conceptOf(s, asserts, draft.language);
    if (!c) continue;
    const kind = conceptKind(attr(s, 'type'), c.scheme);
    if (kind === 'place') (draft.places ??= []).push(c);
    else if (kind === 'organisation') (draft.organisations ??= []).push(c);
    else if (kind === 'person') (draft.people ??= []).push(c);
    else {
      const { geo: _g, symbols: _s, ...subject } = c;
      (draft.subjects ??= []).push(subject);
    }
  }
  const genres = elements(contentMeta, 'genre')
    .map((g) => conceptOf(g, asserts, draft.language))
    .filter((x) => x !== undefined)
    .map(({ geo: _g, symbols: _s, ...g }) => g);
  if (genres.length > 0) draft.genres = genres;
  const keywords = elements(contentMeta, 'keyword').map((k) => text(k)).filter((k) => k.length > 0);
  if (keywords.length > 0) draft.keywords = keywords;

  const altIds: NonNullable<DraftStory['altIds']> = [];
  for (const a of elements(itemMeta, 'altId').concat(elements(contentMeta, 'altId'))) {
    const value = text(a);
    if (value) altIds.push({ type: attr(a, 'type') ?? 'altId', value });
  }
  if (altIds.length > 0) draft.altIds = altIds;

  const descriptions = elements(contentMeta, 'description');
  const media = draft.type === 'picture' || draft.type === 'graphic' || draft.type === 'video' || draft.type === 'audio';
  const captionEl = byRole(descriptions, 'caption') ?? (media ? descriptions[0] : undefined);
  const caption = text(captionEl) || undefined;
  const credit = childText(contentMeta, 'creditline') ?? holder;
  // A text's summary or abstract (and any description that is not the media's caption).
  const described = descriptions
    .filter((d) => d !== captionEl || !media)
    .map((d) => compact({ role: (attr(d, 'role') ?? '').slice((attr(d, 'role') ?? '').lastIndexOf(':') + 1) || undefined, value: text(d) }))
    .filter((d) => d.value);
  if (described.length > 0) draft.descriptions = described;

  for (const inline of elements(contentSet, 'inlineXML')) {
    inlineBody(inline, draft);
    if (draft.bodyHtml) break;
  }
  if (!draft.bodyHtml) {
    for (const data of elements(contentSet, 'inlineData')) {
      const ct = (attr(data, 'contenttype') ?? 'text/plain').toLowerCase();
      const raw = text(data);
      if (!raw) continue;
      if (ct.includes('html')) draft.bodyHtml = raw;
      else draft.bodyText = paragraphs(data.children.map((c) => (typeof c === 'string' ? c : 'cdata' in c ? c.cdata : text(c))).join(''));
      break;
    }
  }

  if (!draft.bodyHtml && !draft.bodyText && (draft.type === 'text' || draft.type === undefined)) {
    const remote = elements(contentSet, 'remoteContent').map((r) => attr(r, 'href')).find(Boolean);
    if (remote) warnings.push(`body: only by reference, fetch ${remote} (NewsML-G2 remoteContent)`);
    // The link is the text's rendition: kept, so a partner can fetch the body.
    const linked = renditionsOf(contentSet);
    if (linked.length > 0) draft.renditions = linked;
  }
  if (media) {
    // Visual items often come without a headline (AFP video, some photo feeds): a short title from
    // the description keeps them usable, flagged for ops.
    if (!draft.headline && caption) {
      draft.headline = titleFrom(caption);
      warnings.push('headline: none in contentMeta, derived from the description (NewsML-G2)');
    }
    const still = draft.type === 'picture' || draft.type === 'graphic';
    const best = still ? bestRemote(contentSet) : undefined;
    const photographer = elements(contentMeta, 'creator').find((c) => /photo|camera|creator|author/i.test(attr(c, 'role') ?? 'creator'));
    // The item's own media: caption, credit, photographer and every rendition, at the top level.
    const image: DraftImage = compact({
      type: draft.type === 'picture' ? undefined : (draft.type as DraftImage['type']),
      self: true,
      caption,
      credit,
      by: photographer ? (elements(photographer, 'name').map((n) => text(n)).find(Boolean) ?? attr(photographer, 'literal')) : undefined,
      sourceUrl: best ? absUrl(attr(best, 'href')) : undefined,
      width: best ? posInt(attr(best, 'width')) : undefined,
      height: best ? posInt(attr(best, 'height')) : undefined,
      renditions: renditionsOf(contentSet),
    });
    draft.images = [image, ...(draft.images ?? [])];
    if (!draft.headline) draft.metadataOnly = true;
  } else if (!draft.bodyHtml && !draft.bodyText) {
    const summary = text(byRole(descriptions, 'summary', 'abstract') ?? descriptions[0]);
    if (summary) {
      draft.bodyText = [summary];
      warnings.push('body: none in contentSet, using contentMeta description (NewsML-G2)');
    } else if (!draft.headline) draft.metadataOnly = true;
  }
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/** The first sentence of a description, at most ~100 characters, cut at a word. */
function titleFrom(description: string): string {
  const t = description.replace(/^[\s\-–—•]+/, '');
  const sentence = /^(.{20,}?[.!?])(\s|$)/.exec(t)?.[1] ?? t;
  if (sentence.length <= 100) return sentence;
  const cut = sentence.slice(0, 100);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 60)).replace(/[\s\-–—,;:]+$/, '')}…`;
}

/** What a newsMessage header says that applies to each item in it. */
interface MessageInfo {
  /** The sender's organisation, for items that name no provider. */
  source?: string;
  transmitId?: string;
}

/**
 * A packageItem → a composite story whose members are its item references, in group order (the
 * group's role kept): the package's structure, as ninjs associations.
 */
function packageToDraft(pkg: XmlElement, message: MessageInfo): DraftStory {
  const draft = itemToDraft(pkg, message);
  draft.type = 'composite';
  const members: NonNullable<DraftStory['members']> = [];
  for (const ref of findAll(pkg, 'itemRef')) {
    const guid = attr(ref, 'residref') ?? attr(ref, 'href');
    if (!guid) continue;
    let group: XmlElement | undefined;
    for (const g of findAll(pkg, 'group')) if (elements(g, 'itemRef').includes(ref)) group = g;
    const role = attr(group, 'role');
    members.push(compact({ guid, type: kindOf(attr(child(ref, 'itemClass'), 'qcode')), headline: childText(ref, 'title'), group: role ? role.slice(role.lastIndexOf(':') + 1) : undefined }));
  }
  if (members.length > 0) draft.members = members;
  // A package is its structure: without a headline or text of its own it is still converted.
  if (!draft.headline && !draft.bodyHtml && !draft.bodyText) draft.metadataOnly = true;
  if (!draft.guid) {
    // No guid of its own: the message that carried it, else its members, name it.
    const id = message.transmitId ?? (members.length > 0 ? `package:${members.map((m) => m.guid).join('|')}` : undefined);
    if (id) {
      draft.guid = id;
      (draft.warnings ??= []).push('guid: the packageItem has none; named after its message or members (NewsML-G2)');
    }
  }
  return draft;
}

/** Parses NewsML-G2: one draft per text/picture/video/audio item (pictures of a package fold into its text). */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('NewsML-G2', () => {
    const doc = parseXml(input.text, { label: 'NewsML-G2', limits: input.limits });
    if (!doc.ok) return doc;
    const newsItems: XmlElement[] = [];
    const packages: XmlElement[] = [];
    const header = doc.value.roots.map((r) => (r.local === 'newsMessage' ? child(r, 'header') : undefined)).find(Boolean);
    const sender = childText(header, 'sender');
    const message: MessageInfo = compact({
      source: sender ? (sender.includes('.') ? domainLabel(sender) : providerSlug(sender)) : undefined,
      transmitId: childText(header, 'transmitId'),
    });
    const collect = (el: XmlElement): void => {
      if (el.local === 'newsItem') newsItems.push(el);
      else if (el.local === 'packageItem') packages.push(el);
      else if (el.local === 'newsMessage' || el.local === 'itemSet') for (const c of elements(el)) collect(c);
    };
    for (const r of doc.value.roots) collect(r);
    if (newsItems.length === 0 && packages.length === 0) {
      const root = doc.value.roots[0];
      const what = root && ITEM_ROOTS.includes(root.local) ? `<${root.local}> carries no news content` : 'no newsItem, packageItem or newsMessage';
      return fail('WIRE_ERR_SCHEMA', `document: ${what} (NewsML-G2)`);
    }
    const many = checkItems(newsItems.length + packages.length, input.limits, 'NewsML-G2 message');
    if (!many.ok) return many;

    const drafts = newsItems.map((item) => itemToDraft(item, message));
    const byGuid = new Map<string, DraftStory>();
    for (const d of drafts) if (d.guid) byGuid.set(d.guid, d);
    const folded = new Set<DraftStory>();

    /** Folds picture items into a text item's images (the item's own rendition and caption win). */
    const fold = (main: DraftStory, pictures: DraftStory[]): void => {
      for (const m of pictures) {
        if (m === main || m.type !== 'picture' || folded.has(m)) continue;
        const own = m.images?.[0];
        if (!own) continue;
        // In the text it is an association, no longer the item itself.
        const { self: _self, ...img } = own;
        main.images = mergeImages(main.images ?? [], [img], true);
        folded.add(m);
      }
    };
    for (const pkg of packages) {
      const refs = findAll(pkg, 'itemRef').map((r) => byGuid.get(attr(r, 'residref') ?? ''));
      const members = refs.filter((d): d is DraftStory => d !== undefined);
      // The package itself, with its structure; a text member also carries its pictures.
      drafts.push(packageToDraft(pkg, message));
      const main = members.find((d) => d.type === 'text' && !d.metadataOnly);
      if (main) fold(main, members);
    }
    // Without a package, a text item may link its pictures itself (itemMeta/link residref, or the
    // picture guid in its inline XHTML, as TT's data-uri does).
    newsItems.forEach((item, i) => {
      const main = drafts[i] as DraftStory;
      if (main.type !== 'text') return;
      const ids = new Set<string>();
      for (const l of findAll(child(item, 'itemMeta'), 'link')) {
        const ref = attr(l, 'residref') ?? attr(l, 'href');
        if (ref) ids.add(ref);
      }
      for (const img of findAll(child(item, 'contentSet'), 'img')) {
        for (const k of ['data-uri', 'data-residref', 'data-guid']) {
          const v = img.attrs[k];
          if (v) ids.add(v);
        }
      }
      const linked = [...ids].map((id) => byGuid.get(id)).filter((d): d is DraftStory => d !== undefined);
      if (linked.length > 0) fold(main, linked);
    });

    const out: DraftStory[] = [];
    const skipped: string[] = [];
    for (const d of drafts) {
      if (folded.has(d)) continue;
      if (!d.headline && !d.metadataOnly) {
        skipped.push(d.guid ?? '(no guid)');
        continue;
      }
      out.push(d);
    }
    if (out.length === 0) {
      const which = skipped.length > 0 ? ` (NewsML-G2 contentMeta/headline of ${skipped.slice(0, 3).join(', ')})` : ' (NewsML-G2 contentMeta/headline)';
      return fail('WIRE_ERR_NO_HEADLINE', `headline: missing${which}`);
    }
    if (skipped.length > 0) {
      const first = out[0] as DraftStory;
      first.warnings = [...(first.warnings ?? []), `items skipped without headline: ${skipped.join(', ')} (NewsML-G2)`];
    }
    return ok(out);
  });
}
