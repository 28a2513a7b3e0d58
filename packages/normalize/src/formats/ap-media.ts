import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { findIn } from '../xml-dom';
import { cleanHtmlBody, mergeImages } from '../xml-html';
import { bodyEmbeds } from './embeds';
import { absUrl, sourceLink, checkItems, compact, fail, guarded, isRecord, nonNegInt, paragraphs, parseJson, posInt, pubStatus, str, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfToDraft } from './nitf';
import { providerSlug } from '../provider';
import { itemType } from './concepts';
import type { RemoteRendition, Subject } from '@wire/schema';

/**
 * AP Media API JSON (api.ap.org/media/v, api_version 2): a single item
 * (`{"api_version":"2","data":{"item":{…}}}`) or a feed/search page
 * (`{"data":{"items":[{"item":{…}}, …]}}`), one story per item. AP delivers story text as a
 * separate NITF rendition; when the NITF (or HTML) is embedded in the item we use it, otherwise the
 * story keeps the summary and a warning names the rendition href to fetch.
 */

type Obj = Record<string, unknown>;

/** Cheap content sniff: AP's envelope (`api_version`, or `data.item` / `data.items`). */
export function detect(textIn: string): boolean {
  const t = textIn.slice(0, 8192).replace(/^[\uFEFF\s]+/, '');
  if (t[0] !== '{') return false;
  return /"api_version"\s*:/.test(t) || /"data"\s*:\s*\{\s*"(?:item|items|current_item_count|next_page|updated|query|page_template|meta)"/.test(t);
}

const obj = (v: unknown): Obj | undefined => (isRecord(v) ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** AP keeps renditions/associations as name → object maps (sometimes arrays). */
const entries = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? Object.values(v).filter(isRecord) : []);

/** An embedded NITF document string, wherever the integration put it. */
function embeddedNitf(item: Obj): string | undefined {
  const renditions = obj(item.renditions);
  const candidates = [item.nitf, item.body_nitf, item.bodyNitf, obj(renditions?.nitf)?.value, obj(renditions?.nitf)?.content, obj(renditions?.nitf)?.body];
  for (const c of candidates) if (typeof c === 'string' && /<(?:\w+:)?nitf[\s>]/.test(c)) return c;
  return undefined;
}

/** Every rendition with an href (AP keeps them as a name → object map; links are judged in finalize). */
function renditionsOf(o: Obj): RemoteRendition[] {
  const map = obj(o.renditions);
  const list: Obj[] = map ? Object.entries(map).filter(([, v]) => isRecord(v)).map(([k, v]) => ({ name: k, ...(v as Obj) })) : entries(o.renditions);
  const out: RemoteRendition[] = [];
  for (const r of list) {
    const href = sourceLink(r.href);
    if (!href) continue;
    const duration = typeof r.duration === 'number' && r.duration >= 0 ? r.duration : undefined;
    out.push(compact({ name: str(r.name) ?? str(r.rel) ?? `rendition${out.length + 1}`, href, contentType: str(r.mimetype), width: posInt(r.width), height: posInt(r.height), sizeInBytes: posInt(r.sizeinbytes), duration }));
  }
  return out;
}

/** A picture, graphic or video (the item itself, or an association): caption, credit, photographer, renditions. */
function pictureOf(o: Obj, type?: DraftImage['type']): DraftImage | undefined {
  const renditions = entries(o.renditions);
  const main = renditions.find((r) => str(r.rel) === 'main' || /^main$/i.test(str(r.title) ?? '')) ?? obj(obj(o.renditions)?.main);
  const still = type === undefined || type === 'picture' || type === 'graphic';
  let best = still && main && absUrl(main.href) ? main : undefined;
  if (!best && still) for (const r of renditions) if (absUrl(r.href) && /^image\//.test(str(r.mimetype) ?? 'image/') && (!best || (posInt(r.width) ?? 0) > (posInt(best.width) ?? 0))) best = r;
  const photographer = obj(o.photographer);
  const caption = str(o.description_caption) ?? str(o.caption) ?? str(o.description_summary) ?? str(o.summary) ?? str(o.headline);
  const by = str(photographer?.name) ?? str(arr(o.bylines).map(obj).find(Boolean)?.by);
  const credit = str(o.creditline) ?? by;
  const all = renditionsOf(o);
  if (!best && !caption && all.length === 0) return undefined;
  const altids = obj(o.altids);
  return compact({
    type: type && type !== 'picture' ? type : undefined,
    uri: str(altids?.itemid) ?? str(o.uri),
    headline: str(o.headline),
    caption,
    credit,
    by,
    sourceUrl: best ? absUrl(best.href) : undefined,
    width: best ? posInt(best.width) : undefined,
    height: best ? posInt(best.height) : undefined,
    renditions: all,
  });
}

/** AP concept lists (`subject`, `places`, `organizations`, `persons`, `audiences`) → concepts. */
function conceptsOf(list: unknown[], scheme?: string): Array<Subject & { geo?: { lat: number; lon: number }; symbols?: Array<{ ticker: string; exchange?: string }> }> {
  const out: Array<Subject & { geo?: { lat: number; lon: number }; symbols?: Array<{ ticker: string; exchange?: string }> }> = [];
  for (const c of list.map(obj)) {
    const name = str(c?.name);
    if (!c || !name) continue;
    const geo = obj(c.geometry_geojson) ?? obj(c.geojson);
    const coords = Array.isArray(geo?.coordinates) ? (geo.coordinates as unknown[]) : undefined;
    const [lon, lat] = coords ?? [];
    const symbols = arr(c.symbols)
      .map(obj)
      .filter((x): x is Obj => !!x && !!str(x.ticker))
      .map((x) => compact({ ticker: str(x.ticker) as string, exchange: str(x.exchange) }));
    out.push(
      compact({
        name,
        code: str(c.code),
        scheme: str(c.code) ? (str(c.scheme) ?? scheme) : undefined,
        geo: typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : undefined,
        symbols: symbols.length > 0 ? symbols : undefined,
      }),
    );
  }
  return out;
}

/** AP products (`{id, name}`) an item or a feed page is delivered under. */
function productsOf(list: unknown[]): NonNullable<DraftStory['services']> {
  const out: NonNullable<DraftStory['services']> = [];
  for (const p of list.map(obj)) {
    const code = str(p?.id) ?? str(p?.code);
    const name = str(p?.name) ?? code;
    if (name) out.push(compact({ name, code, scheme: 'approduct', kind: 'product' as const }));
  }
  return out;
}

function itemToDraft(item: Obj, input: ParseInput, pageProducts: unknown[] = []): DraftStory {
  const draft: DraftStory = { format: 'ap-media-api' };
  const warnings: string[] = [];
  const altids = obj(item.altids);
  const guid = str(altids?.itemid) ?? str(item.uri);
  if (guid) draft.guid = guid;
  // AP numbers versions from 0; ours count from 1, so every AP version moves up by one.
  const v = nonNegInt(item.version);
  if (v !== undefined) draft.version = v + 1;
  const type = itemType(str(item.type));
  if (type) draft.type = type;
  // The AP Media API is AP's feed: its provider names the namespace, whoever the item's source is.
  draft.source = providerSlug(str(item.provider)) || 'ap';
  for (const [field, key] of [['versionCreated', 'versioncreated'], ['firstCreated', 'firstcreated'], ['embargoedUntil', 'embargoed']] as const) {
    const raw = item[key];
    if (raw === undefined || raw === null || raw === '') continue;
    const iso = normalizeDate(raw);
    if (iso) draft[field] = iso;
    else warnings.push(`${key}: unreadable date ${JSON.stringify(raw)} (AP Media API)`);
  }
  const status = pubStatus(item.pubstatus);
  if (status) draft.pubStatus = status;
  const types = arr(item.editorialtypes).map(str).filter((s): s is string => !!s).map((s) => s.toLowerCase());
  if (types.some((t) => t === 'kill' || t === 'elimination' || t === 'withdrawal')) draft.pubStatus = 'canceled';
  else if (types.includes('withhold')) draft.pubStatus = 'withheld';
  if (types.includes('correction')) draft.correction = true;
  const u = urgency(item.urgency);
  if (u !== undefined) draft.urgency = u;
  const lang = str(item.language);
  if (lang) draft.language = lang;
  draft.headline = str(item.headline) ?? str(item.title);
  const extended = str(item.headline_extended);
  if (extended && extended !== draft.headline) draft.subheadline = extended;
  const slug = str(item.slugline) ?? str(item.title);
  if (slug) draft.slugline = slug;
  const title = str(item.title);
  if (title) draft.title = title;
  const descriptions: NonNullable<DraftStory['descriptions']> = [];
  for (const [role, key] of [['summary', 'summary'], ['summary', 'description_summary']] as const) if (str(item[key])) descriptions.push({ role, value: str(item[key]) as string });
  if (descriptions.length > 0) draft.descriptions = descriptions;
  const notice = str(item.copyrightnotice);
  if (notice) draft.copyrightNotice = notice;
  const terms = str(item.usageterms);
  if (terms) draft.usageTerms = terms;
  const ednotes = arr(item.ednote).concat(str(item.ednote) ? [item.ednote] : []).map(str).filter((n): n is string => !!n);
  if (ednotes.length > 0) draft.ednotes = ednotes;

  // Bylines as AP structures them: the name (`parametric`), its title; photographer, caption
  // writer, producer and editor with their roles.
  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const b of arr(item.bylines).map(obj)) {
    const by = str(b?.by);
    const name = str(b?.parametric) ?? by?.replace(/^by\s+/i, '');
    if (name) bylines.push(compact({ name, role: 'author', title: str(b?.title) }));
  }
  for (const role of ['photographer', 'captionwriter', 'producer', 'editor'] as const) {
    const p = obj(item[role]);
    const name = str(p?.name);
    if (name) bylines.push(compact({ name, role, title: str(p?.title) }));
  }
  if (bylines.length > 0) draft.bylines = bylines;
  const places = conceptsOf(arr(item.places), 'apgeography');
  if (places.length > 0) draft.places = places;
  const organisations = conceptsOf(arr(item.organizations).concat(arr(item.organisations)), 'apcompany');
  if (organisations.length > 0) draft.organisations = organisations;
  const people = conceptsOf(arr(item.persons).concat(arr(item.people)), 'apperson');
  if (people.length > 0) draft.people = people;
  const genres = conceptsOf(arr(item.genre).concat(arr(item.genres)));
  if (genres.length > 0) draft.genres = genres;
  const products = productsOf(arr(item.products).concat(pageProducts));
  if (products.length > 0) draft.services = products;
  const located = str(item.located);
  const where = obj(item.datelinelocation);
  if (located || where) draft.located = compact({ city: str(where?.city), country: str(where?.countryname) ?? str(where?.countrycode), text: located });

  const infoSources: NonNullable<DraftStory['infoSources']> = [];
  for (const s of arr(item.infosource).concat(arr(item.infosources)).map(obj)) {
    const name = str(s?.name);
    if (name && !infoSources.some((x) => x.name === name)) infoSources.push({ name, role: 'source' });
  }
  const provider = str(item.provider);
  if (provider && !infoSources.some((x) => x.name === provider)) infoSources.push({ name: provider, role: 'distributor' });
  if (infoSources.length > 0) draft.infoSources = infoSources;

  const subjects: NonNullable<DraftStory['subjects']> = [];
  for (const s of arr(item.subject).map(obj)) {
    const name = str(s?.name);
    if (name) subjects.push(compact({ code: str(s?.code), name, scheme: str(s?.scheme) ?? (str(s?.code) ? 'apsubject' : undefined) }));
  }
  if (subjects.length > 0) draft.subjects = subjects;
  const keywords = arr(item.keywords).map(str).filter((k): k is string => !!k);
  if (keywords.length > 0) draft.keywords = keywords;
  const altIds: NonNullable<DraftStory['altIds']> = [];
  if (altids) for (const [k, val] of Object.entries(altids)) if (str(val)) altIds.push({ type: k, value: str(val) as string });
  if (altIds.length > 0) draft.altIds = altIds;

  // Body: embedded NITF, then HTML / plain text, then (with a warning) the summary.
  const nitfText = embeddedNitf(item);
  if (nitfText) {
    const doc = parseXml(nitfText, { label: 'AP NITF rendition', limits: input.limits });
    const nitf = doc.ok ? findIn(doc.value.roots, 'nitf') : undefined;
    if (nitf) {
      const inner = nitfToDraft(nitf, draft.format);
      if (inner.bodyHtml) draft.bodyHtml = inner.bodyHtml;
      draft.headline ??= inner.headline;
      draft.bylines ??= inner.bylines;
      draft.dateline ??= inner.dateline;
      if (inner.images?.length) draft.images = inner.images;
    } else if (!doc.ok) warnings.push(`body: embedded NITF skipped: ${doc.error.message} (AP Media API)`);
  }
  if (!draft.bodyHtml) {
    const html = str(item.body_html) ?? str(item.bodyHtml);
    if (html) {
      const cleaned = cleanHtmlBody(html, draft.headline, input.limits);
      draft.bodyHtml = cleaned.html;
      const embeds = mergeImages(cleaned.images, bodyEmbeds(html));
      if (embeds.length > 0) draft.images = mergeImages(draft.images ?? [], embeds);
    }
    else {
      const textBody = str(item.body_text) ?? str(item.bodyText);
      if (textBody) draft.bodyText = paragraphs(textBody);
    }
  }

  const images: DraftImage[] = [...(draft.images ?? [])];
  const media = draft.type === 'picture' || draft.type === 'graphic' || draft.type === 'video' || draft.type === 'audio';
  if (media) {
    // The item is its own media: at the top level, not an association nor a body.
    const p = pictureOf(item, draft.type as DraftImage['type']);
    if (p) images.unshift({ ...p, self: true });
  }
  const members: NonNullable<DraftStory['members']> = [];
  for (const a of entries(item.associations)) {
    const t = itemType(str(a.type));
    if (t === 'picture' || t === 'graphic' || t === 'video' || t === 'audio') {
      const p = pictureOf(a, t);
      if (p?.sourceUrl || p?.renditions?.length) images.push(p);
    } else {
      const guid = str(obj(a.altids)?.itemid) ?? str(a.uri);
      if (guid) members.push(compact({ guid, type: t, headline: str(a.headline) }));
    }
  }
  if (images.length > 0) draft.images = images;
  if (members.length > 0) draft.members = members;

  if (!draft.bodyHtml && !draft.bodyText && !media) {
    const summary = str(item.summary) ?? str(item.description_summary) ?? extended;
    if (summary) draft.bodyText = paragraphs(summary);
    const href = str(obj(obj(item.renditions)?.nitf)?.href) ?? entries(item.renditions).map((r) => str(r.href)).find((h) => h && /format=nitf/i.test(h));
    if (draft.type === undefined || draft.type === 'text') {
      warnings.push(href ? `body: not embedded; fetch the NITF rendition ${href} (AP Media API)` : 'body: not embedded and no NITF rendition (AP Media API)');
      // The renditions are where the text is: kept, so a partner can fetch it.
      const linked = renditionsOf(item);
      if (linked.length > 0) draft.renditions = linked;
    }
  }
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/** Parses an AP Media API item or feed page into one draft per item. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('AP Media API', () => {
    const json = parseJson(input, 'AP Media API');
    if (!json.ok) return json;
    const root = obj(json.value);
    const data = obj(root?.data);
    if (!data) return fail('WIRE_ERR_SCHEMA', 'document: no "data" object (AP Media API)');
    let raw: unknown[];
    if (isRecord(data.item)) raw = [data.item];
    else if (Array.isArray(data.items)) raw = data.items.map((w) => (isRecord(w) && isRecord(w.item) ? w.item : w));
    else return fail('WIRE_ERR_SCHEMA', 'document: neither data.item nor data.items[] (AP Media API)');
    const many = checkItems(raw.length, input.limits, 'AP Media API page');
    if (!many.ok) return many;
    if (raw.length === 0) return fail('WIRE_ERR_EMPTY', 'input: AP Media API page holds no items (data.items is empty)');
    const out: DraftStory[] = [];
    const skipped: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      const it = raw[i];
      if (!isRecord(it)) return fail('WIRE_ERR_SCHEMA', `document: data.items[${i}] is not an object (AP Media API)`);
      const d = itemToDraft(it, input, arr(obj(data.meta)?.products));
      if (d.headline) out.push(d);
      else skipped.push(d.guid ?? `#${i}`);
    }
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', `headline: missing (AP Media API item.headline${skipped.length > 1 ? ` of ${skipped.length} items` : ''})`);
    if (skipped.length > 0) {
      const first = out[0] as DraftStory;
      first.warnings = [...(first.warnings ?? []), `items skipped without headline: ${skipped.join(', ')} (AP Media API)`];
    }
    return ok(out);
  });
}
