import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { findIn } from '../xml-dom';
import { cleanHtmlBody } from '../xml-html';
import { absUrl, checkItems, compact, fail, guarded, isRecord, nonNegInt, paragraphs, parseJson, posInt, pubStatus, str, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfToDraft } from './nitf';

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

function pictureOf(o: Obj): DraftImage | undefined {
  const renditions = entries(o.renditions);
  const main = renditions.find((r) => str(r.rel) === 'main' || /^main$/i.test(str(r.title) ?? '')) ?? obj(obj(o.renditions)?.main);
  let best = main && absUrl(main.href) ? main : undefined;
  if (!best) for (const r of renditions) if (absUrl(r.href) && /^image\//.test(str(r.mimetype) ?? 'image/') && (!best || (posInt(r.width) ?? 0) > (posInt(best.width) ?? 0))) best = r;
  const photographer = obj(o.photographer);
  const caption = str(o.description_caption) ?? str(o.caption) ?? str(o.description_summary) ?? str(o.summary) ?? str(o.headline);
  const credit = str(o.creditline) ?? str(photographer?.name) ?? str(arr(o.bylines).map(obj).find(Boolean)?.by);
  if (!best && !caption) return undefined;
  return compact({ caption, credit, sourceUrl: best ? absUrl(best.href) : undefined, width: best ? posInt(best.width) : undefined, height: best ? posInt(best.height) : undefined });
}

function itemToDraft(item: Obj, input: ParseInput): DraftStory {
  const draft: DraftStory = { format: 'ap-media-api' };
  const warnings: string[] = [];
  const altids = obj(item.altids);
  const guid = str(altids?.itemid) ?? str(item.uri);
  if (guid) draft.guid = guid;
  // AP numbers versions from 0; ours count from 1, so every AP version moves up by one.
  const v = nonNegInt(item.version);
  if (v !== undefined) draft.version = v + 1;
  const type = str(item.type)?.toLowerCase();
  if (type === 'text' || type === 'picture' || type === 'video' || type === 'audio' || type === 'composite') draft.type = type;
  else if (type === 'graphic') draft.type = 'picture';
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

  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const b of arr(item.bylines).map(obj)) {
    const by = str(b?.by);
    if (by) bylines.push(by);
  }
  if (bylines.length > 0) draft.bylines = bylines;
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
    if (name) subjects.push(compact({ code: str(s?.code), name, scheme: str(s?.scheme) }));
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
    if (html) draft.bodyHtml = cleanHtmlBody(html, draft.headline, input.limits).html;
    else {
      const textBody = str(item.body_text) ?? str(item.bodyText);
      if (textBody) draft.bodyText = paragraphs(textBody);
    }
  }

  const images: DraftImage[] = [...(draft.images ?? [])];
  if (draft.type === 'picture') {
    const p = pictureOf(item);
    if (p) images.unshift(p);
  }
  for (const a of entries(item.associations)) {
    const t = str(a.type)?.toLowerCase();
    if (t !== 'picture' && t !== 'graphic') continue;
    const p = pictureOf(a);
    if (p?.sourceUrl) images.push(p);
  }
  if (images.length > 0) draft.images = images;

  if (!draft.bodyHtml && !draft.bodyText) {
    const summary = str(item.description_caption) ?? str(item.summary) ?? str(item.description_summary) ?? extended;
    if (summary) draft.bodyText = paragraphs(summary);
    const href = str(obj(obj(item.renditions)?.nitf)?.href) ?? entries(item.renditions).map((r) => str(r.href)).find((h) => h && /format=nitf/i.test(h));
    if (draft.type === undefined || draft.type === 'text') {
      warnings.push(href ? `body: not embedded; fetch the NITF rendition ${href} (AP Media API)` : 'body: not embedded and no NITF rendition (AP Media API)');
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
      const d = itemToDraft(it, input);
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
