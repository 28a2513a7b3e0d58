import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { findIn } from '../xml-dom';
import { absUrl, sourceLink, checkItems, compact, fail, guarded, isRecord, nonNegInt, paragraphs, parseJson, posInt, pubStatus, str, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfToDraft } from './nitf';
import { cleanHtmlBody, mergeImages } from '../xml-html';
import { providerOfUri } from '../provider';
import { conceptKind, itemType } from './concepts';
import { bodyEmbeds } from './embeds';
import type { RemoteRendition, Subject } from '@wire/schema';

/**
 * IPTC ninjs 1.x, 2.x and 3.x (https://iptc.org/std/ninjs/). 1.x/2.x spell names in lower case
 * (`versioncreated`, `body_html`, `headline`), 3.x in camelCase (`versionCreated`, `bodies[]`,
 * `headlines[]`); real feeds mix them, so every lookup accepts both. A top-level array (a
 * collection) yields one story per object.
 */

type Obj = Record<string, unknown>;

/** The spellings `get` tries per field name (the names are our constants, so this stays small). */
const SPELLINGS = new Map<string, string[]>();

/** `get(o, 'versionCreated')` also finds `versioncreated` (and `version_created`). */
function get(o: Obj, name: string): unknown {
  let spellings = SPELLINGS.get(name);
  if (!spellings) {
    spellings = [...new Set([name, name.toLowerCase(), name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])];
    SPELLINGS.set(name, spellings);
  }
  // Own properties only: a document must not reach Object.prototype through a field name.
  for (const k of spellings) if (Object.hasOwn(o, k)) return o[k];
  return undefined;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** ninjs 1.x keeps associations/renditions as a name → object map; 2.x+ as an array. */
const values = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? Object.entries(v).map(([k, x]) => (isRecord(x) ? { name: k, ...x } : {})) : []);

/**
 * AP ninjs uris carry per-request query tokens (`?qt=…&et=…`) that change with every download and
 * version; the story id is the path. Other uris are kept as given.
 */
function stableGuid(uri: string): string {
  const m = /^https?:\/\/[^/?#]*\bap\.org\/[^?#]*/i.exec(uri);
  return m ? m[0] : uri;
}

/** The value of the entry whose role is one of `roles` (first match by order of `roles`), else the first. */
function byRole(entries: Obj[], roles: string[], fallbackFirst = true): Obj | undefined {
  for (const r of roles) {
    const hit = entries.find((e) => str(e.role)?.toLowerCase() === r);
    if (hit) return hit;
  }
  return fallbackFirst ? entries[0] : undefined;
}

/** The largest rendition (by width, then size) of an association or picture item. */
function bestRendition(o: Obj): Obj | undefined {
  const rs = values(get(o, 'renditions')).filter((r) => absUrl(r.href));
  const images = rs.filter((r) => /^image\//i.test(str(get(r, 'contentType')) ?? str(get(r, 'mimetype')) ?? 'image/'));
  const pool = images.length > 0 ? images : rs;
  const main = pool.find((r) => /^(main|original|highres|hires|baseImage)$/i.test(str(r.name) ?? ''));
  if (main) return main;
  let best: Obj | undefined;
  for (const r of pool) if (!best || (posInt(r.width) ?? 0) > (posInt(best.width) ?? 0)) best = r;
  return best;
}

/** Every rendition of an item or association that has an href (judged in finalize, with the story's other links). */
function renditionsOf(o: Obj): RemoteRendition[] {
  const out: RemoteRendition[] = [];
  for (const r of values(get(o, 'renditions'))) {
    const href = sourceLink(r.href);
    if (!href) continue;
    const duration = typeof r.duration === 'number' && r.duration >= 0 ? r.duration : undefined;
    out.push(
      compact({
        name: str(r.name) ?? str(r.rel) ?? str(r.title) ?? `rendition${out.length + 1}`,
        href,
        contentType: str(get(r, 'contentType')) ?? str(get(r, 'mimetype')),
        width: posInt(r.width),
        height: posInt(r.height),
        sizeInBytes: posInt(get(r, 'sizeInBytes')),
        // AP gives video durations in milliseconds when they exceed any real length in seconds.
        duration: duration !== undefined && duration > 86_400 ? duration / 1000 : duration,
      }),
    );
  }
  return out;
}

/**
 * A picture, graphic or video (an association, or the item itself): caption from ninjs 2+
 * `descriptions[]` or 1.x `description_text`, photographer from `by`/`byline`/people, credit
 * from a creditline description or `copyrightHolder`, and every rendition.
 */
function pictureOf(o: Obj, type?: DraftImage['type']): DraftImage {
  const descriptions = values(get(o, 'descriptions'));
  const captionEntry = byRole(descriptions, ['caption', 'text', 'summary', 'description'], false) ?? descriptions.find((d) => !d.role);
  const creditEntry = byRole(descriptions, ['creditline', 'credit'], false);
  const photographer = values(get(o, 'people')).find((p) => /photo|camera|creator|author|byline/i.test(str(p.rel) ?? str(p.role) ?? ''));
  const by = str(get(o, 'by')) ?? str(get(o, 'byline')) ?? str(photographer?.name);
  const best = type === undefined || type === 'picture' || type === 'graphic' ? bestRendition(o) : undefined;
  const uri = str(get(o, 'uri'));
  return compact({
    type: type && type !== 'picture' ? type : undefined,
    uri: uri ? stableGuid(uri) : undefined,
    headline: str(get(o, 'headline')) ?? str(byRole(values(get(o, 'headlines')), ['main'])?.value),
    caption: str(captionEntry?.value) ?? str(get(o, 'descriptionText')) ?? str(get(o, 'description')) ?? str(get(o, 'headline')),
    credit: str(creditEntry?.value) ?? str(get(o, 'copyrightHolder')) ?? by,
    by,
    alt: str(get(o, 'altText')),
    sourceUrl: best ? absUrl(best.href) : undefined,
    width: best ? posInt(best.width) : undefined,
    height: best ? posInt(best.height) : undefined,
    renditions: renditionsOf(o),
  });
}

/** ninjs concept lists (`subjects`, `places`, 1.x `place` …) → concepts, geoJSON points kept. */
function conceptsOf(list: Obj[]): Array<Subject & { geo?: { lat: number; lon: number } }> {
  const out: Array<Subject & { geo?: { lat: number; lon: number } }> = [];
  for (const c of list) {
    const s = subjectOf(c);
    if (!s) continue;
    const geo = get(c, 'geoJSON') ?? c.geojson;
    const coords = isRecord(geo) && str(geo.type)?.toLowerCase() === 'point' && Array.isArray(geo.coordinates) ? geo.coordinates : undefined;
    const [lon, lat] = coords ?? [];
    out.push(typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { ...s, geo: { lat, lon } } : s);
  }
  return out;
}

/** A ninjs `name`/`literal`/`uri` concept → subject (1.x `scheme` + `code` too). */
function subjectOf(s: Obj): Subject | undefined {
  const uri = sourceLink(s.uri);
  // A concept sent as a bare uri is named from its vocabulary (in finalize) or by the uri itself.
  const name = str(s.name) ?? str(s.literal) ?? str(s.code) ?? uri;
  if (!name) return undefined;
  return compact({ code: str(s.literal) ?? str(s.code), name, scheme: str(s.scheme), uri });
}

/** Body as HTML, or plain text, from whichever body fields this ninjs version carries. */
function bodyOf(o: Obj, draft: DraftStory, input: ParseInput): void {
  const bodies = values(get(o, 'bodies'));
  const type = (b: Obj): string => (str(get(b, 'contentType')) ?? str(b.contenttype) ?? '').toLowerCase();
  const html = bodies.find((b) => /html/.test(type(b)) && str(b.value)) ?? bodies.find((b) => /^html/i.test(str(b.role) ?? '') && str(b.value));
  const htmlValue = str(html?.value) ?? str(get(o, 'bodyHtml')) ?? str(get(o, 'bodyXhtml'));
  if (htmlValue) {
    const cleaned = cleanHtmlBody(htmlValue, draft.headline, input.limits);
    if (cleaned.html) draft.bodyHtml = cleaned.html;
    // Figures, bare in-body pictures and video embeds are media of the story.
    const embedded = mergeImages(cleaned.images, bodyEmbeds(htmlValue));
    if (embedded.length > 0) draft.images = mergeImages(draft.images ?? [], embedded);
    if (cleaned.html) return;
  }
  const nitfBody = bodies.find((b) => /nitf|xml/.test(type(b)) || /nitf/i.test(str(b.role) ?? ''));
  const nitfValue = str(nitfBody?.value);
  if (nitfValue) {
    const doc = parseXml(nitfValue, { label: 'ninjs NITF body', limits: input.limits });
    const nitf = doc.ok ? findIn(doc.value.roots, 'nitf') : undefined;
    if (nitf) {
      const inner = nitfToDraft(nitf, draft.format);
      if (inner.bodyHtml) {
        draft.bodyHtml = inner.bodyHtml;
        draft.headline ??= inner.headline;
        return;
      }
    } else if (!doc.ok) (draft.warnings ??= []).push(`body: NITF body skipped: ${doc.error.message} (ninjs bodies)`);
  }
  const plain = bodies.find((b) => /text\/plain/.test(type(b)) || str(b.role) === 'text') ?? bodies.find((b) => str(b.value));
  const textValue = str(plain?.value) ?? str(get(o, 'bodyText'));
  if (textValue) draft.bodyText = paragraphs(textValue);
}

function itemToDraft(o: Obj, format: string, input: ParseInput): DraftStory {
  const draft: DraftStory = { format };
  const warnings: string[] = [];
  const uri = str(get(o, 'uri')) ?? str(get(o, 'guid'));
  if (uri) draft.guid = stableGuid(uri);
  // ninjs versions are strings ("1"); ours count from 1. AP numbers from 0, so AP versions move
  // up by one (as in the AP Media API parser) and v0/v1 never collide.
  const version = nonNegInt(get(o, 'version'));
  if (version !== undefined) draft.version = uri && /^https?:\/\/[^/]*\bap\.org\//i.test(uri) ? version + 1 : Math.max(1, version);
  const rawType = str(get(o, 'type'));
  const type = itemType(rawType);
  if (type) draft.type = type;
  else if (rawType) warnings.push(`type: "${rawType.slice(0, 40)}" is not an item kind; read as text (ninjs)`);
  const provider = providerOfUri(uri);
  if (provider) draft.source = provider;

  for (const [field, key] of [
    ['versionCreated', 'versionCreated'],
    ['firstCreated', 'firstCreated'],
    ['contentCreated', 'contentCreated'],
    ['expires', 'expires'],
    ['embargoedUntil', 'embargoed'],
  ] as const) {
    const raw = get(o, key) ?? (key === 'embargoed' ? get(o, 'embargoedUntil') : undefined);
    if (raw === undefined || raw === null || raw === '') continue;
    const iso = normalizeDate(raw);
    if (iso) draft[field] = iso;
    else warnings.push(`${key}: unreadable date ${JSON.stringify(raw)} (ninjs)`);
  }
  const status = pubStatus(get(o, 'pubStatus'));
  if (status) draft.pubStatus = status;
  const u = urgency(get(o, 'urgency'));
  if (u !== undefined) draft.urgency = u;
  const lang = str(get(o, 'language'));
  if (lang) draft.language = lang;

  const headlines = values(get(o, 'headlines'));
  draft.headline = str(get(o, 'headline')) ?? str(byRole(headlines, ['main', 'headline', 'title'])?.value) ?? str(get(o, 'title'));
  const sub = byRole(headlines, ['sub', 'subheadline', 'subhead'], false);
  if (str(sub?.value)) draft.subheadline = str(sub?.value);
  const slug = str(get(o, 'slugline'));
  if (slug) draft.slugline = slug;
  const title = str(get(o, 'title'));
  if (title) draft.title = title;

  // The display byline, and every person credited with the content (with the role the feed gives);
  // the people the story is about go to `people`.
  const by = str(get(o, 'by')) ?? str(get(o, 'byline'));
  const bylines: NonNullable<DraftStory['bylines']> = by ? [by] : [];
  const mentioned: Subject[] = [];
  for (const p of values(get(o, 'people')).concat(values(get(o, 'person')))) {
    const rel = (str(p.rel) ?? str(p.role) ?? '').toLowerCase();
    const name = str(p.name);
    if (!name) continue;
    if (/author|creator|byline|writer|reporter|photographer|camera|editor|producer|contributor|correspondent/.test(rel)) {
      const email = values(get(p, 'contactInfo')).find((c) => str(c.type) === 'email');
      const role = /author|creator|byline|writer|reporter/.test(rel) ? 'author' : rel.split(/[:/#]/).pop();
      bylines.push(compact({ name, role, email: str(email?.value), uri: sourceLink(p.uri) }));
    } else {
      const s = subjectOf(p);
      if (s) mentioned.push(s);
    }
  }
  if (bylines.length > 0) draft.bylines = bylines;
  if (mentioned.length > 0) draft.people = mentioned;
  const organisations = conceptsOf(values(get(o, 'organisations')).concat(values(get(o, 'organisation'))));
  if (organisations.length > 0) draft.organisations = organisations;
  const places = conceptsOf(values(get(o, 'places')).concat(values(get(o, 'place'))));
  if (places.length > 0) draft.places = places;
  const genres = conceptsOf(values(get(o, 'genres')).concat(values(get(o, 'genre'))));
  if (genres.length > 0) draft.genres = genres;
  for (const [field, key] of [['copyrightHolder', 'copyrightHolder'], ['copyrightNotice', 'copyrightNotice'], ['usageTerms', 'usageTerms']] as const) {
    const v = str(get(o, key));
    if (v) draft[field] = v;
  }
  const ednotes = list(get(o, 'edNote')).map(str).filter((n): n is string => n !== undefined);
  if (ednotes.length > 0) draft.ednotes = ednotes;

  const located = get(o, 'located');
  if (typeof located === 'string' && located.trim()) draft.located = { text: located.trim() };
  else if (isRecord(located) && str(located.name)) draft.located = { text: str(located.name) };

  const infoSources: NonNullable<DraftStory['infoSources']> = [];
  for (const s of values(get(o, 'infoSources'))) {
    const name = str(s.name) ?? str(s.literal) ?? str(s.uri);
    if (!name) continue;
    const role = (str(s.role) ?? '').toLowerCase();
    const mapped = role.includes('origin') ? 'originator' : role.includes('publish') ? 'publisher' : role.includes('distrib') ? 'distributor' : 'source';
    infoSources.push(compact({ name, role: mapped as 'originator' | 'publisher' | 'distributor' | 'source', uri: str(s.uri) }));
  }
  const holder = str(get(o, 'copyrightHolder'));
  if (holder && !infoSources.some((s) => s.name === holder)) infoSources.push({ name: holder, role: 'source' });
  if (infoSources.length > 0) draft.infoSources = infoSources;

  // Subjects; a subject list that names places, organisations or people by their scheme sorts them.
  for (const s of conceptsOf(values(get(o, 'subjects')).concat(values(get(o, 'subject'))))) {
    const kind = conceptKind(undefined, s.scheme);
    const bucket = kind === 'place' ? (draft.places ??= []) : kind === 'organisation' ? (draft.organisations ??= []) : kind === 'person' ? (draft.people ??= []) : (draft.subjects ??= []);
    bucket.push(s);
  }
  const keywords = list(get(o, 'keywords')).map(str).filter((k): k is string => k !== undefined);
  if (keywords.length > 0) draft.keywords = keywords;

  const altIds: NonNullable<DraftStory['altIds']> = [];
  const rawAlt = get(o, 'altIds');
  if (Array.isArray(rawAlt)) {
    for (const a of rawAlt.filter(isRecord)) {
      const value = str(a.value);
      if (value) altIds.push({ type: str(a.role) ?? str(a.type) ?? 'altId', value });
    }
  } else if (isRecord(rawAlt)) {
    for (const [k, v] of Object.entries(rawAlt)) if (str(v)) altIds.push({ type: k, value: str(v) as string });
  }
  if (altIds.length > 0) draft.altIds = altIds;

  const images: DraftImage[] = [];
  const media = draft.type === 'picture' || draft.type === 'graphic' || draft.type === 'video' || draft.type === 'audio';
  // A picture, graphic, video or audio item is its own media: caption, photographer, renditions.
  if (media) images.push({ ...pictureOf(o, draft.type as DraftImage['type']), self: true });
  const members: NonNullable<DraftStory['members']> = [];
  for (const a of values(get(o, 'associations'))) {
    const t = itemType(str(a.type)) ?? (bestRendition(a) ? 'picture' : undefined);
    if (t === 'picture' || t === 'graphic' || t === 'video' || t === 'audio') images.push(pictureOf(a, t));
    else if (str(get(a, 'uri'))) {
      // A text or other item associated with this one (a package's parts): kept as a member.
      const guid = stableGuid(str(get(a, 'uri')) as string);
      members.push(compact({ guid, type: t, headline: str(get(a, 'headline')) ?? str(byRole(values(get(a, 'headlines')), ['main'])?.value), group: str(a.rel) ?? str(a.name) }));
    }
  }
  if (images.length > 0) draft.images = images;
  if (members.length > 0) draft.members = members;
  // After the associations, so a <figure> in the body folds into its association.
  bodyOf(o, draft, input);

  // Descriptions: a text's abstract/summary; a media item's caption is its picture's, not its body.
  const descriptions = values(get(o, 'descriptions'));
  const selfCaption = media ? images[0]?.caption : undefined;
  const described = descriptions
    .filter((d) => str(d.value) && !/^(creditline|credit)$/i.test(str(d.role) ?? '') && str(d.value) !== selfCaption)
    .map((d) => compact({ role: normalizeRole(str(d.role)), value: str(d.value) as string }));
  const plainDescription = str(get(o, 'descriptionText')) ?? str(get(o, 'description'));
  if (plainDescription && plainDescription !== selfCaption) described.push({ role: 'summary', value: plainDescription });
  if (described.length > 0) draft.descriptions = described;

  if (!draft.bodyHtml && !draft.bodyText && !media) {
    // Event and planning items carry their text as descriptions.
    const d = byRole(descriptions, ['text', 'summary', 'description', 'caption']);
    const v = str(d?.value) ?? plainDescription;
    if (v) draft.bodyText = paragraphs(v);
    else {
      const xhtml = str(get(o, 'descriptionXhtml')) ?? str(get(o, 'descriptionHtml'));
      if (xhtml) draft.bodyHtml = xhtml;
    }
  }
  if (!draft.headline && (media || draft.type === 'composite')) draft.metadataOnly = true;
  // A text's own renditions (its body by reference, other formats of it) are kept.
  if (!media) {
    const own = renditionsOf(o);
    if (own.length > 0) draft.renditions = own;
  }
  if (!draft.bodyHtml && draft.bodyText?.length === 0) delete draft.bodyText;
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/** A description role without its scheme prefix (`drol:summary` → `summary`). */
function normalizeRole(role: string | undefined): string | undefined {
  return role ? role.slice(role.lastIndexOf(':') + 1).toLowerCase() : undefined;
}

/** Which ninjs generation a document follows (format id `ninjs-1`/`ninjs-2`/`ninjs-3`). */
function generation(o: Obj): 1 | 2 | 3 {
  const std = isRecord(o.standard) ? str(o.standard.version) : undefined;
  if (std) return std.startsWith('3') ? 3 : std.startsWith('2') ? 2 : 1;
  // ninjs 3 is camelCase throughout; 1.x and 2.x names are all lower case.
  const camel = (x: unknown): boolean => isRecord(x) && Object.keys(x).some((k) => /[a-z][A-Z]/.test(k));
  if (camel(o) || values(o.bodies).some(camel) || values(o.descriptions).some(camel)) return 3;
  if ('headlines' in o || 'bodies' in o || 'descriptions' in o) return 2;
  return 1;
}

/** Cheap content sniff: a JSON object (or array of objects) with ninjs field names, not an AP envelope. */
export function detect(textIn: string): boolean {
  const t = textIn.slice(0, 8192).replace(/^[\uFEFF\s]+/, '');
  if (t[0] !== '{' && t[0] !== '[') return false;
  if (/"api_version"\s*:|"data"\s*:\s*\{/.test(t)) return false;
  return /"(?:uri|headlines?|body_html|body_text|bodies|versioncreated|versionCreated|pubstatus|pubStatus|associations|renditions)"\s*:/.test(t);
}

/** The items of a collection or search-result envelope, or undefined when the object is not one. */
function envelopeItems(o: Obj): unknown[] | undefined {
  for (const k of ['items', 'item', 'results', 'hits']) {
    const v = o[k];
    if (Array.isArray(v) && Object.hasOwn(o, k)) return v;
  }
  return undefined;
}

/** Parses a ninjs document (or a collection array) into one draft per item. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('ninjs', () => {
    const json = parseJson(input, 'ninjs');
    if (!json.ok) return json;
    const value = json.value;
    // A bare array is a collection; feeds and search APIs wrap one as {"items": [...]} or as a
    // result page {"total", "limit", "offset", "item": [...]}.
    const items = Array.isArray(value) ? value : isRecord(value) && !('uri' in value) ? (envelopeItems(value) ?? [value]) : [value];
    const many = checkItems(items.length, input.limits, 'ninjs collection');
    if (!many.ok) return many;
    const out: DraftStory[] = [];
    const skipped: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const o = items[i];
      if (!isRecord(o)) return fail('WIRE_ERR_SCHEMA', `document: ninjs item ${i} is ${Array.isArray(o) ? 'an array' : typeof o}, not an object`);
      const d = itemToDraft(o, `ninjs-${generation(o)}`, input);
      if (!d.headline && !d.metadataOnly) {
        skipped.push(d.guid ?? `#${i}`);
        continue;
      }
      out.push(d);
    }
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', `headline: missing (ninjs headline/headlines[]/title${skipped.length > 1 ? ` of ${skipped.length} items` : ''})`);
    if (skipped.length > 0) {
      const first = out[0] as DraftStory;
      first.warnings = [...(first.warnings ?? []), `items skipped without headline: ${skipped.join(', ')} (ninjs)`];
    }
    return ok(out);
  });
}
