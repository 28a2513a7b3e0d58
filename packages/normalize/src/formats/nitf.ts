import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, findAll, findIn, text, toHtml, type XmlElement } from '../xml-dom';
import { bodyHtmlMapper } from '../xml-html';
import { absUrl, compact, fail, guarded, posInt, pubStatus, urgency } from './common';
import { normalizeDate } from '../dates';

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
    // The largest reference is the original; NITF lists renditions as several references.
    let best: XmlElement | undefined;
    for (const r of refs) {
      if (!best || (posInt(attr(r, 'width')) ?? 0) > (posInt(attr(best, 'width')) ?? 0)) best = r;
    }
    const caption = text(child(media, 'media-caption')) || undefined;
    const credit = text(child(media, 'media-producer')) || undefined;
    const src = best ? absUrl(attr(best, 'source')) ?? absUrl(attr(best, 'data')) ?? absUrl(attr(best, 'href')) : undefined;
    images.push(
      compact({
        caption,
        credit,
        alt: best ? attr(best, 'alternate-text') : undefined,
        sourceUrl: src,
        width: best ? posInt(attr(best, 'width')) : undefined,
        height: best ? posInt(attr(best, 'height')) : undefined,
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

  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const by of elements(bodyHead, 'byline')) {
    const persons = findAll(by, 'person').map((p) => text(p)).filter(Boolean);
    const role = text(find(by, 'byttl')) || undefined;
    if (persons.length > 0) for (const name of persons) bylines.push(compact({ name, role }));
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
    if (regsrc) infoSources.push({ name: regsrc, role: 'originator' });
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
    const copyright = attr(child(docdata, 'doc.copyright'), 'holder');
    if (copyright) infoSources.push({ name: copyright, role: 'source' });
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

  const subjects: NonNullable<DraftStory['subjects']> = [];
  for (const s of findAll(child(head, 'tobject'), 'tobject.subject')) {
    const code = attr(s, 'tobject.subject.refnum');
    const name = attr(s, 'tobject.subject.matter') ?? attr(s, 'tobject.subject.type') ?? attr(s, 'tobject.subject.detail') ?? code;
    if (name) subjects.push(compact({ code, name, scheme: code ? 'iptc-subjectcode' : undefined }));
  }
  if (subjects.length > 0) draft.subjects = subjects;

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
