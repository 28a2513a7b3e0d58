import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, findAll, findIn, text, toHtml, type XmlElement } from '../xml-dom';
import { bodyHtmlMapper } from '../xml-html';
import { absUrl, sourceLink, compact, fail, guarded, posInt, pubStatus, urgency } from './common';
import { normalizeDate } from '../dates';
import { providerSlug } from '../provider';
import type { RemoteRendition } from '@wire/schema';

/**
 * NITF 3.x (News Industry Text Format): a standalone document, or the body that NewsML-G2
 * `inlineXML` and NewsML 1.2 `DataContent` carry. Spec: https://iptc.org/std/NITF/.
 */

/** Images of NITF `<media media-type="image">` elements (reference, caption, producer credit). */
export function nitfImages(scope: XmlElement): DraftImage[] {
  const images: DraftImage[] = [];
  for (const media of findAll(scope, 'media')) {
    const type = (attr(media, 'media-type') ?? 'image').toLowerCase();
    if (type !== 'image' && type !== 'photo' && type !== 'graphic') continue;
    const refs = elements(media, 'media-reference');
    // A reference's link: the first that can be fetched, else the one given (finalize drops it, with a warning).
    const src = (r: XmlElement | undefined): string | undefined => {
      const given = r ? [attr(r, 'source'), attr(r, 'data'), attr(r, 'href')] : [];
      return given.map(absUrl).find(Boolean) ?? sourceLink(given.find((v) => v?.trim()));
    };
    // The largest reference that can be fetched is the original; NITF lists renditions as several references.
    const fetchable = (r: XmlElement): boolean => absUrl(src(r)) !== undefined;
    let best: XmlElement | undefined;
    for (const r of refs) {
      if (!best || (fetchable(r) && !fetchable(best)) || (fetchable(r) === fetchable(best) && (posInt(attr(r, 'width')) ?? 0) > (posInt(attr(best, 'width')) ?? 0))) best = r;
    }
    const caption = text(child(media, 'media-caption')) || undefined;
    const producer = text(child(media, 'media-producer')) || undefined;
    const renditions: RemoteRendition[] = [];
    for (const r of refs) {
      const href = src(r);
      if (href) renditions.push(compact({ name: attr(r, 'name') ?? (r === best ? 'original' : `rendition${renditions.length + 1}`), href, contentType: attr(r, 'mime-type'), width: posInt(attr(r, 'width')), height: posInt(attr(r, 'height')) }));
    }
    images.push(
      compact({
        type: type === 'graphic' ? ('graphic' as const) : undefined,
        caption,
        credit: producer,
        by: producer,
        alt: best ? attr(best, 'alternate-text') : undefined,
        sourceUrl: src(best),
        width: best ? posInt(attr(best, 'width')) : undefined,
        height: best ? posInt(attr(best, 'height')) : undefined,
        renditions: renditions.length > 1 ? renditions : undefined,
      }),
    );
  }
  return images;
}

/**
 * Everything one `<nitf>` element says, as a draft (no headline check: NewsML wrappers bring
 * their own headline). `format` is the caller's.
 */
export function nitfToDraft(nitf: XmlElement, format: string): DraftStory {
  const head = child(nitf, 'head');
  const body = child(nitf, 'body');
  const bodyHead = child(body, 'body.head');
  const content = child(body, 'body.content') ?? (nitf.local === 'body.content' ? nitf : undefined);
  const docdata = child(head, 'docdata');
  const draft: DraftStory = { format };

  draft.headline = text(find(bodyHead, 'hl1')) || text(child(bodyHead, 'hedline')) || childText(head, 'title');
  const hl2 = text(find(child(bodyHead, 'hedline'), 'hl2'));
  if (hl2) draft.subheadline = hl2;
  const title = childText(head, 'title');
  if (title) draft.title = title;
  const abstract = text(child(bodyHead, 'abstract'));
  if (abstract) draft.descriptions = [{ role: 'abstract', value: abstract }];

  // Each <person> of a byline is an author; <byttl> is the title ("AP Economics Writer"), and an
  // organisation named in it their affiliation.
  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const by of elements(bodyHead, 'byline')) {
    const persons = findAll(by, 'person').map((p) => text(p)).filter(Boolean);
    const byttl = text(find(by, 'byttl')) || undefined;
    const org = text(find(by, 'org')) || undefined;
    if (persons.length > 0) for (const name of persons) bylines.push(compact({ name, role: 'author', title: byttl, affiliation: org }));
    else {
      const t = text(by);
      if (t) bylines.push(t);
    }
  }
  if (bylines.length > 0) draft.bylines = bylines;

  const dateline = child(bodyHead, 'dateline');
  if (dateline) {
    const d = text(dateline);
    if (d) draft.dateline = d;
    const city = text(find(dateline, 'location', 'city')) || undefined;
    const country = text(find(dateline, 'country')) || undefined;
    if (city || country) draft.located = compact({ city, country, text: d || undefined });
  }

  const infoSources: NonNullable<DraftStory['infoSources']> = [];
  const distributor = text(child(bodyHead, 'distributor'));
  if (distributor) infoSources.push({ name: distributor, role: 'distributor' });

  const lang = attr(nitf, 'baselang') ?? attr(nitf, 'lang') ?? attr(body, 'lang') ?? attr(head, 'lang');
  if (lang) draft.language = lang;

  if (docdata) {
    const docId = child(docdata, 'doc-id');
    const idString = attr(docId, 'id-string');
    if (idString) draft.guid = idString;
    const regsrc = attr(docId, 'regsrc');
    if (regsrc) {
      infoSources.push({ name: regsrc, role: 'originator' });
      // The registered source of the document id is the feed's provider.
      draft.source = providerSlug(regsrc);
    }
    const v = posInt(attr(child(docdata, 'du-key'), 'version'));
    if (v !== undefined) draft.version = v;
    const u = urgency(attr(child(docdata, 'urgency'), 'ed-urg'));
    if (u !== undefined) draft.urgency = u;
    const issued = normalizeDate(attr(child(docdata, 'date.issue'), 'norm'));
    if (issued) draft.versionCreated = issued;
    const release = normalizeDate(attr(child(docdata, 'date.release'), 'norm'));
    if (release && issued && release > issued) draft.embargoedUntil = release;
    const status = pubStatus(attr(docdata, 'management-status'));
    if (status) draft.pubStatus = status;
    if (attr(docdata, 'management-status') === 'embargoed' && release) draft.embargoedUntil = release;
    const copyrightEl = child(docdata, 'doc.copyright');
    const copyright = attr(copyrightEl, 'holder');
    if (copyright) {
      infoSources.push({ name: copyright, role: 'source' });
      draft.copyrightHolder = copyright;
      const year = attr(copyrightEl, 'year');
      draft.copyrightNotice = `© ${year ? `${year} ` : ''}${copyright}`;
    }
    const rights = child(docdata, 'doc.rights');
    const limitations = attr(rights, 'limitations');
    if (limitations) draft.usageTerms = limitations;
    draft.copyrightHolder ??= attr(rights, 'owner');
    const notes = elements(docdata, 'ed-msg').map((m) => attr(m, 'info') ?? text(m)).filter((m): m is string => !!m && m.trim().length > 0);
    if (notes.length > 0) draft.ednotes = notes;
    const expire = normalizeDate(attr(child(docdata, 'date.expire'), 'norm'));
    if (expire) draft.expires = expire;
    for (const ev of elements(docdata, 'evloc')) {
      // The most specific part named: city, then county/district, then state/province, then country.
      const name = attr(ev, 'city') ?? attr(ev, 'county-dist') ?? attr(ev, 'state-prov') ?? attr(ev, 'iso-cc');
      if (name) (draft.places ??= []).push({ name });
    }
    // <identified-content>: the people, organisations and places the story is about.
    const identified = child(docdata, 'identified-content');
    for (const el of elements(identified)) {
      const name = text(el) || attr(el, 'value');
      if (!name) continue;
      const code = attr(el, 'idsrc') && attr(el, 'value') ? attr(el, 'value') : undefined;
      const concept = compact({ name, code, scheme: code ? attr(el, 'idsrc') : undefined });
      if (el.local === 'person') (draft.people ??= []).push(concept);
      else if (el.local === 'org') (draft.organisations ??= []).push(concept);
      else if (el.local === 'location' || el.local === 'city' || el.local === 'country' || el.local === 'region' || el.local === 'state') (draft.places ??= []).push(concept);
      else if (el.local === 'classifier') (draft.subjects ??= []).push(concept);
    }
    const keywords = findAll(child(docdata, 'key-list'), 'keyword').map((k) => attr(k, 'key') ?? text(k)).filter((k): k is string => !!k);
    if (keywords.length > 0) draft.keywords = keywords;
    if (find(docdata, 'correction')) draft.correction = true;
    const evloc = child(docdata, 'evloc');
    if (evloc && !draft.located) {
      const city = attr(evloc, 'city');
      const country = attr(evloc, 'iso-cc');
      if (city || country) draft.located = compact({ city, country });
    }
  }
  if (infoSources.length > 0) draft.infoSources = infoSources;

  // Subjects: the finest level named (detail, then matter, then type) with its code; IPTC's codes
  // (the default information provider) are Subject Codes, another provider's are its own scheme.
  const subjects: NonNullable<DraftStory['subjects']> = draft.subjects ?? [];
  const tobject = child(head, 'tobject');
  for (const s of findAll(tobject, 'tobject.subject')) {
    const code = attr(s, 'tobject.subject.refnum');
    const name = attr(s, 'tobject.subject.detail') ?? attr(s, 'tobject.subject.matter') ?? attr(s, 'tobject.subject.type') ?? code;
    const ipr = attr(s, 'tobject.subject.ipr');
    const scheme = !code ? undefined : !ipr || /^iptc$/i.test(ipr) ? 'iptc-subjectcode' : ipr.toLowerCase();
    if (name) subjects.push(compact({ code, name, scheme }));
  }
  if (subjects.length > 0) draft.subjects = subjects;
  // The kind of news object (News, Analysis, Feature …) and its properties are its genres.
  const genres = [attr(tobject, 'tobject.type'), ...elements(tobject, 'tobject.property').map((p) => attr(p, 'tobject.property.type'))]
    .filter((g): g is string => !!g)
    .map((name) => ({ name }));
  if (genres.length > 0) draft.genres = genres;

  if (content) {
    const html = toHtml(content.children, bodyHtmlMapper).trim();
    if (html) draft.bodyHtml = html;
    const images = nitfImages(content);
    if (images.length > 0) draft.images = images;
  }
  return draft;
}

/** Cheap content sniff: a `<nitf>` root that is not wrapped in a NewsML document. */
export function detect(textIn: string): boolean {
  const headPart = textIn.slice(0, 8192);
  if (!/<(?:[\w-]+:)?nitf[\s>/]/.test(headPart)) return false;
  return !/<(?:[\w-]+:)?(?:NewsML|newsItem|newsMessage|packageItem)[\s>]/.test(headPart);
}

/** Parses a NITF 3.x document into one draft story. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('NITF', () => {
    const doc = parseXml(input.text, { label: 'NITF', limits: input.limits });
    if (!doc.ok) return doc;
    const nitf = findIn(doc.value.roots, 'nitf');
    if (!nitf) return fail('WIRE_ERR_SCHEMA', 'document: no <nitf> element (NITF)');
    const draft = nitfToDraft(nitf, 'nitf');
    if (!draft.headline) return fail('WIRE_ERR_NO_HEADLINE', 'headline: missing (NITF hedline/hl1 and head/title)');
    return ok([draft]);
  });
}
