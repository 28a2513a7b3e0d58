import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, findAll, text, type XmlElement } from '../xml-dom';
import { mergeImages, xhtmlNodesToBody } from '../xml-html';
import { absUrl, sourceLink, checkItems, compact, fail, guarded, nonNegInt, paragraphs, posInt, pubStatus, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfToDraft } from './nitf';
import { domainLabel, providerSlug } from '../provider';

/**
 * IPTC NewsML 1.x (https://iptc.org/std/NewsML/1.2/): a `NewsML` envelope with one or more
 * `NewsItem`s, each a tree of `NewsComponent`s whose roles say what they hold (main text, photo,
 * caption, sub-headline, style sheet…). One story per NewsItem: the text components make the body,
 * photo components its images.
 */

const fn = (el: XmlElement | undefined): string | undefined => attr(el, 'FormalName')?.trim() || undefined;

/** Roles whose content is not the story text. */
const NON_BODY_ROLES = /^(stylesheet|style|logo|headline|subheadline|contact|contacts|caption|photo|picture|image|graphic|video|audio|thumbnail|preview|advertisement|metadata)$/i;
const PICTURE_ROLES = /^(photo|picture|image|graphic|mainpicture|main picture)$/i;

/** Cheap content sniff: a NewsML 1.x root (G2 messages also use `NewsML`-like names, but not this root). */
export function detect(textIn: string): boolean {
  const head = textIn.slice(0, 8192);
  return /<(?:[\w-]+:)?NewsML[\s>]/.test(head) && !/iptc\.org\/std\/nar\/2006/.test(head);
}

function roleOf(component: XmlElement): string {
  return fn(child(component, 'Role')) ?? '';
}

/** A ContentItem's kind from MediaType / MimeType / Format. */
function contentKind(item: XmlElement): 'text' | 'picture' | 'other' {
  const media = (fn(child(item, 'MediaType')) ?? '').toLowerCase();
  const mime = (fn(child(item, 'MimeType')) ?? '').toLowerCase();
  const format = (fn(child(item, 'Format')) ?? '').toLowerCase();
  if (media === 'photo' || media === 'image' || media === 'graphic' || mime.startsWith('image/')) return 'picture';
  if (mime.includes('css') || format === 'css') return 'other';
  if (media === 'text' || mime.startsWith('text/') || mime.includes('xml') || /nitf|xhtml|html|text/.test(format)) return 'text';
  if (child(item, 'DataContent')) return 'text';
  return 'other';
}

/** The largest rendition among a component's picture ContentItems. */
function pictureOf(component: XmlElement, caption: string | undefined, credit: string | undefined): DraftImage | undefined {
  let best: { href: string; w?: number; h?: number } | undefined;
  for (const item of findAll(component, 'ContentItem')) {
    if (contentKind(item) !== 'picture') continue;
    const href = sourceLink(attr(item, 'Href'));
    if (!href) continue;
    let w: number | undefined;
    let h: number | undefined;
    for (const p of findAll(child(item, 'Characteristics'), 'Property')) {
      const name = (fn(p) ?? '').toLowerCase();
      if (name === 'pixelwidth' || name === 'width') w = posInt(attr(p, 'Value'));
      if (name === 'pixelheight' || name === 'height') h = posInt(attr(p, 'Value'));
    }
    // A rendition that can be fetched wins over one that cannot (whose link finalize drops, with a warning).
    const fetchable = absUrl(href) !== undefined;
    if (!best || (fetchable && !absUrl(best.href)) || (fetchable === (absUrl(best.href) !== undefined) && (w ?? 0) > (best.w ?? 0))) best = { href, w, h };
  }
  if (!best && !caption) return undefined;
  return compact({ caption, credit, sourceUrl: best?.href, width: best?.w, height: best?.h });
}

interface Collected {
  html: string[];
  text: string[];
  images: DraftImage[];
  subheadline?: string;
  nitf?: DraftStory;
}

/** Walks the component tree gathering body parts and pictures in document order. */
function walk(component: XmlElement, acc: Collected, headline: string | undefined): void {
  const role = roleOf(component);
  const lines = child(component, 'NewsLines');
  if (PICTURE_ROLES.test(role) || (!role && elements(component, 'ContentItem').some((i) => contentKind(i) === 'picture') && !elements(component, 'ContentItem').some((i) => contentKind(i) === 'text'))) {
    const captionItem = findAll(component, 'NewsComponent').find((c) => /caption/i.test(roleOf(c)));
    const caption = childText(lines, 'HeadLine') ?? childText(lines, 'CaptionLine') ?? (captionItem ? text(find(captionItem, 'DataContent')) || undefined : undefined);
    const credit = childText(lines, 'CreditLine') ?? childText(lines, 'ByLine');
    const pic = pictureOf(component, caption, credit);
    if (pic) acc.images.push(pic);
    return;
  }
  if (/^subheadline$/i.test(role)) {
    const t = text(find(component, 'DataContent'));
    if (t) acc.subheadline ??= t;
    return;
  }
  if (!NON_BODY_ROLES.test(role)) {
    for (const item of elements(component, 'ContentItem')) {
      if (contentKind(item) !== 'text') continue;
      const data = child(item, 'DataContent');
      if (!data) continue;
      const nitf = find(data, 'nitf');
      if (nitf) {
        const inner = nitfToDraft(nitf, 'newsml-1.2');
        acc.nitf ??= inner;
        if (inner.bodyHtml) acc.html.push(inner.bodyHtml);
        if (inner.images) for (const image of inner.images) acc.images.push(image);
        continue;
      }
      if (elements(data).length > 0) {
        const { html, images } = xhtmlNodesToBody(data.children, headline);
        if (html) acc.html.push(html);
        for (const image of images) acc.images.push(image);
      } else {
        const raw = data.children.map((c) => (typeof c === 'string' ? c : 'cdata' in c ? c.cdata : '')).join('');
        // A CDATA or escaped HTML body stays HTML; anything else is plain text.
        if (/<\/?(p|div|br|h\d|ul|ol|table)\b/i.test(raw)) acc.html.push(raw.trim());
        else for (const p of paragraphs(raw)) acc.text.push(p);
      }
    }
  }
  for (const c of elements(component, 'NewsComponent')) walk(c, acc, headline);
}

function itemToDraft(item: XmlElement, envelope: XmlElement | undefined): DraftStory {
  const draft: DraftStory = { format: 'newsml-1.2' };
  const warnings: string[] = [];
  const id = child(item, 'Identification', 'NewsIdentifier');
  const publicId = childText(id, 'PublicIdentifier');
  const parts = [childText(id, 'ProviderId'), childText(id, 'DateId'), childText(id, 'NewsItemId')];
  const guid = publicId ?? (parts.every(Boolean) ? parts.join(':') : childText(id, 'NewsItemId'));
  if (guid) draft.guid = guid;
  // PublicIdentifier ends with the revision; a stable story guid drops it so versions share one uri.
  const revision = nonNegInt(childText(id, 'RevisionId'));
  if (revision !== undefined) {
    draft.version = Math.max(1, revision);
    if (publicId && publicId.endsWith(`:${childText(id, 'RevisionId')}`) && parts.every(Boolean)) draft.guid = `urn:newsml:${parts.join(':')}`;
  }
  const providerId = childText(id, 'ProviderId');
  const nameLabel = childText(child(item, 'Identification'), 'NameLabel');
  if (nameLabel) draft.title = nameLabel;

  const mgmt = child(item, 'NewsManagement');
  const date = (name: string, raw: string | undefined): string | undefined => {
    if (!raw) return undefined;
    const iso = normalizeDate(raw);
    if (!iso) warnings.push(`${name}: unreadable date "${raw}" (NewsML 1.2 NewsManagement)`);
    return iso;
  };
  const created = date('ThisRevisionCreated', childText(mgmt, 'ThisRevisionCreated'));
  if (created) draft.versionCreated = created;
  const first = date('FirstCreated', childText(mgmt, 'FirstCreated'));
  if (first) draft.firstCreated = first;
  const statusName = fn(child(mgmt, 'Status'));
  const status = pubStatus(statusName);
  if (status) draft.pubStatus = status;
  const willChange = date('StatusWillChange', childText(child(mgmt, 'StatusWillChange'), 'DateAndTime'));
  if (willChange && (status === 'withheld' || /embargo/i.test(statusName ?? ''))) draft.embargoedUntil = willChange;
  const u = urgency(fn(child(mgmt, 'Urgency')) ?? fn(child(envelope, 'Priority')));
  if (u !== undefined) draft.urgency = u;
  for (const ins of elements(mgmt, 'Instruction')) if (/rectif|correct/i.test(fn(ins) ?? '')) draft.correction = true;

  const top = child(item, 'NewsComponent');
  const allComponents: XmlElement[] = [];
  const collectComponents = (c: XmlElement): void => {
    allComponents.push(c);
    for (const sub of elements(c, 'NewsComponent')) collectComponents(sub);
  };
  if (top) collectComponents(top);
  const textComponents = allComponents.filter((c) => !PICTURE_ROLES.test(roleOf(c)));
  const firstLine = (name: string): string | undefined => {
    for (const c of textComponents) {
      const v = childText(child(c, 'NewsLines'), name);
      if (v) return v;
    }
    return undefined;
  };
  draft.headline = firstLine('HeadLine');
  const sub = firstLine('SubHeadLine');
  const byline = firstLine('ByLine');
  const dateline = firstLine('DateLine');
  if (dateline) draft.dateline = dateline;
  const slug = firstLine('SlugLine') ?? childText(child(item, 'Identification'), 'NameLabel');
  if (slug) draft.slugline = slug;

  const descriptive = textComponents.map((c) => child(c, 'DescriptiveMetadata')).filter((d): d is XmlElement => d !== undefined);
  const lang = descriptive.map((d) => fn(child(d, 'Language'))).find(Boolean) ?? attr(item, 'lang');
  if (lang) draft.language = lang;

  const subjects: NonNullable<DraftStory['subjects']> = [];
  const keywords: string[] = [];
  const people: NonNullable<DraftStory['people']> = [];
  const genres: NonNullable<DraftStory['genres']> = [];
  for (const d of descriptive) {
    for (const sc of elements(d, 'SubjectCode')) {
      // Every level (Subject, SubjectMatter, SubjectDetail) as given: the finer ones are kept.
      for (const s of elements(sc)) {
        const code = fn(s);
        if (!code || subjects.some((x) => x.code === code)) continue;
        // A code from another vocabulary than IPTC's keeps that vocabulary's name as its scheme.
        const vocabulary = attr(s, 'Vocabulary') ?? attr(s, 'Scheme');
        const scheme = vocabulary && !/iptc/i.test(vocabulary) ? vocabulary : /^\d{8}$/.test(code) ? 'iptc-subjectcode' : providerId ? providerSlug(providerId) : 'subject';
        subjects.push({ code, name: code, scheme });
      }
    }
    for (const g of elements(d, 'Genre')) {
      const name = fn(g);
      if (name && !genres.some((x) => x.name === name)) genres.push({ name });
    }
    for (const p of elements(d, 'Property')) {
      if (!/^keyword$/i.test(fn(p) ?? '') || !attr(p, 'Value')) continue;
      const role = attr(p, 'Role') ?? '';
      // A keyword naming a person shown or mentioned is a person the story is about.
      if (/person/i.test(role)) people.push({ name: attr(p, 'Value') as string });
      else if (!role) keywords.push(attr(p, 'Value') as string);
    }
    const loc = child(d, 'Location');
    if (loc && !draft.located) {
      const prop = (name: string): string | undefined => elements(loc, 'Property').find((p) => fn(p)?.toLowerCase() === name)?.attrs.Value;
      const city = prop('city');
      const country = prop('country');
      if (city || country) draft.located = compact({ city, country, text: dateline });
    }
  }
  if (subjects.length) draft.subjects = subjects;
  if (keywords.length) draft.keywords = keywords;
  if (people.length) draft.people = people;
  if (genres.length) draft.genres = genres;

  // News lines: rights, keywords, and the lines meant for the desk (advisories) as editorial notes.
  const lines = textComponents.map((c) => child(c, 'NewsLines')).filter((l): l is XmlElement => l !== undefined);
  const line = (name: string): string | undefined => lines.map((l) => childText(l, name)).find(Boolean);
  const copyrightLine = line('CopyrightLine');
  if (copyrightLine) draft.copyrightNotice = copyrightLine;
  const rightsLine = line('RightsLine');
  if (rightsLine) draft.usageTerms = rightsLine;
  for (const l of lines) for (const k of elements(l, 'KeywordLine')) if (text(k)) (draft.keywords ??= []).push(text(k));
  const ednotes = lines.flatMap((l) => elements(l, 'NewsLine')).map((nl) => ({ type: fn(child(nl, 'NewsLineType')) ?? '', value: childText(nl, 'NewsLineText') }));
  const notes = ednotes.filter((n) => n.value && /advisory|editor|note|product|instruction/i.test(n.type)).map((n) => n.value as string);
  if (notes.length) draft.ednotes = notes;
  // Rights metadata: the copyright holder (and year), the usage terms.
  const rightsMeta = allComponents.map((c) => child(c, 'RightsMetadata')).find(Boolean);
  const copyrightHolder = fn(child(rightsMeta, 'Copyright', 'CopyrightHolder')) ?? childText(child(rightsMeta, 'Copyright'), 'CopyrightHolder');
  if (copyrightHolder) draft.copyrightHolder = copyrightHolder;
  const usage = childText(child(rightsMeta, 'UsageRights'), 'UsageType') ?? childText(child(rightsMeta, 'UsageRights'), 'Limitations');
  if (usage) draft.usageTerms ??= usage;
  // The envelope's news service and products the item was sent under.
  const services: NonNullable<DraftStory['services']> = [];
  for (const sv of elements(envelope, 'NewsService')) if (fn(sv)) services.push({ name: fn(sv) as string, code: fn(sv), scheme: 'newsservice', kind: 'service' });
  for (const pr of elements(envelope, 'NewsProduct')) if (fn(pr)) services.push({ name: fn(pr) as string, code: fn(pr), scheme: 'newsproduct', kind: 'product' });
  if (services.length) draft.services = services;

  const infoSources: NonNullable<DraftStory['infoSources']> = [];
  const admin = top ? child(top, 'AdministrativeMetadata') : undefined;
  const provider = fn(child(admin, 'Provider', 'Party')) ?? providerId;
  if (provider) infoSources.push({ name: provider, role: 'distributor' });
  // The provider's id (`afp.com`) names the feed; the party name is its display.
  const feed = provider ? providerSlug(provider) : providerId ? domainLabel(providerId) : undefined;
  if (feed) draft.source = feed;
  for (const s of elements(admin, 'Source')) {
    const name = fn(child(s, 'Party'));
    if (name && !infoSources.some((x) => x.name === name)) infoSources.push({ name, role: 'source' });
  }
  if (infoSources.length) draft.infoSources = infoSources;
  const creator = fn(child(admin, 'Creator', 'Party'));
  if (byline) draft.bylines = [byline];
  else if (creator) draft.bylines = [creator];

  if (top) {
    const acc: Collected = { html: [], text: [], images: [] };
    walk(top, acc, draft.headline);
    if (acc.html.length > 0) draft.bodyHtml = acc.html.join('\n');
    else if (acc.text.length > 0) draft.bodyText = acc.text;
    if (acc.images.length > 0) draft.images = mergeImages([], acc.images);
    const subheadline = sub ?? acc.subheadline;
    if (subheadline) draft.subheadline = subheadline;
    if (acc.nitf) {
      draft.headline ??= acc.nitf.headline;
      draft.bylines ??= acc.nitf.bylines;
      draft.dateline ??= acc.nitf.dateline;
    }
  }
  if (warnings.length) draft.warnings = warnings;
  return draft;
}

/** Parses NewsML 1.x into one draft per NewsItem. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('NewsML 1.2', () => {
    const doc = parseXml(input.text, { label: 'NewsML 1.2', limits: input.limits });
    if (!doc.ok) return doc;
    const root = doc.value.roots.find((r) => r.local === 'NewsML') ?? doc.value.roots.find((r) => r.local === 'NewsItem');
    if (!root) return fail('WIRE_ERR_SCHEMA', 'document: no <NewsML> or <NewsItem> root (NewsML 1.2)');
    const items = root.local === 'NewsItem' ? [root] : elements(root, 'NewsItem');
    if (items.length === 0) return fail('WIRE_ERR_SCHEMA', 'document: <NewsML> holds no NewsItem (NewsML 1.2)');
    const many = checkItems(items.length, input.limits, 'NewsML 1.2 document');
    if (!many.ok) return many;
    const envelope = child(root, 'NewsEnvelope');
    const out: DraftStory[] = [];
    const skipped: string[] = [];
    items.forEach((item, i) => {
      const d = itemToDraft(item, envelope);
      if (d.headline) out.push(d);
      else skipped.push(d.guid ?? `#${i}`);
    });
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', `headline: missing (NewsML 1.2 NewsLines/HeadLine${skipped.length ? ` of ${skipped.slice(0, 3).join(', ')}` : ''})`);
    if (skipped.length > 0) {
      const firstDraft = out[0] as DraftStory;
      firstDraft.warnings = [...(firstDraft.warnings ?? []), `items skipped without headline: ${skipped.join(', ')} (NewsML 1.2)`];
    }
    return ok(out);
  });
}
