import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, elements, text, type XmlElement } from '../xml-dom';
import { cleanHtmlBody } from '../xml-html';
import { sourceLink, checkItems, compact, fail, guarded, nonNegInt, paragraphs, posInt, pubStatus, urgency } from './common';
import { bodyEmbeds } from './embeds';
import { normalizeDate } from '../dates';
import { stripMarkup } from '@wire/text';

/**
 * Ritzau's RBNews XML (the Danish agency's news API, a .NET data-contract serialization): one
 * `RBNews` element per story, or a list of them. The body is HTML escaped into `<content>`; the
 * author is `byLine` with `byLineEmail`; `town` is where the story was filed; the publish date is
 * Copenhagen local time without a zone; a story sent without a headline (`i:nil="true"`) takes the
 * first sentence of its body.
 */

const ITEM = /^(?:RBNews|News|NewsItem|NewsMessage|RBNewsItem)$/;

/** Children of an item by lower-cased local name (fields are camelCase, sometimes PascalCase). */
function fields(item: XmlElement): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const c of elements(item)) if (!out.has(c.local.toLowerCase())) out.set(c.local.toLowerCase(), c);
  return out;
}

const isNil = (el: XmlElement | undefined): boolean => el !== undefined && (attr(el, 'nil') ?? '').toLowerCase() === 'true';

/** Last Sunday of a month (UTC date) in a year. */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/**
 * A Copenhagen wall-clock time (`2024-03-05T10:15:00`) → ISO UTC. Danish time is CET (+01:00),
 * CEST (+02:00) from the last Sunday of March to the last Sunday of October, switching at 01:00 UTC.
 * A time that states its zone keeps it.
 */
function copenhagenTime(local: string): string | undefined {
  const s = local.trim();
  if (/(?:Z|[+-]\d{2}:?\d{2})$/.test(s)) return normalizeDate(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, se);
  if (!Number.isFinite(asUtc)) return undefined;
  const summerStart = Date.UTC(y, 2, lastSunday(y, 2), 1);
  const summerEnd = Date.UTC(y, 9, lastSunday(y, 9), 1);
  // Try summer time first; the instant it gives must fall inside summer time.
  const summer = asUtc - 2 * 3600_000;
  const utc = summer >= summerStart && summer < summerEnd ? summer : asUtc - 3600_000;
  return new Date(utc).toISOString();
}

/** The first sentence of a text, for a story sent without a headline. */
function firstSentence(textBody: string): string {
  const t = textBody.trim();
  const m = /^(.{15,200}?[.!?])(?=\s|$)/.exec(t);
  return (m?.[1] ?? t.slice(0, 160)).trim();
}

function itemToDraft(item: XmlElement, input: ParseInput): DraftStory {
  const f = fields(item);
  const value = (...names: string[]): string | undefined => {
    for (const n of names) {
      const el = f.get(n.toLowerCase());
      if (el && !isNil(el)) {
        const t = text(el);
        if (t) return t;
      }
    }
    return undefined;
  };
  const draft: DraftStory = { format: 'ritzau-rbnews', source: 'ritzau', infoSources: [{ name: 'Ritzau', role: 'originator' }] };
  const warnings: string[] = [];
  const guid = value('id', 'newsId', 'guid', 'storyId');
  if (guid) draft.guid = `ritzau:${guid}`;
  const version = nonNegInt(value('version', 'versionNumber'));
  if (version !== undefined) draft.version = Math.max(1, version);
  const published = value('publishDate', 'publishedDate', 'published', 'created', 'date');
  if (published) {
    const iso = copenhagenTime(published);
    if (iso) draft.versionCreated = iso;
    else warnings.push(`publishDate: unreadable date "${published.slice(0, 40)}" (Ritzau RBNews)`);
  }
  const updated = value('updateDate', 'modified', 'lastModified');
  if (updated) {
    const iso = copenhagenTime(updated);
    if (iso) {
      draft.firstCreated = draft.versionCreated;
      draft.versionCreated = iso;
    }
  }
  const u = urgency(value('priority', 'urgency'));
  if (u !== undefined) draft.urgency = u;
  const status = pubStatus(value('status', 'pubStatus'));
  if (status) draft.pubStatus = status;
  const lang = value('language', 'lang');
  if (lang) draft.language = lang;

  // The body: HTML escaped into <content> (the XML layer has unescaped it once).
  const raw = value('content', 'body', 'text');
  if (raw) {
    if (/<\/?(?:p|br|div|h\d|ul|ol|strong|b|i|em)\b/i.test(raw)) {
      const cleaned = cleanHtmlBody(raw, undefined, input.limits);
      draft.bodyHtml = cleaned.html;
      const embeds = [...cleaned.images, ...bodyEmbeds(raw)];
      if (embeds.length > 0) draft.images = embeds;
    } else draft.bodyText = paragraphs(raw);
  }
  const headline = value('headline', 'title', 'heading');
  if (headline) draft.headline = headline;
  else {
    // The body's text with its markup removed but its entities kept: finalize decodes the headline once.
    const body = draft.bodyHtml ? stripMarkup(draft.bodyHtml).replace(/\s+/g, ' ') : (draft.bodyText ?? []).join(' ');
    const sentence = firstSentence(body);
    if (sentence) {
      draft.headline = sentence;
      warnings.push('headline: nil in the document; taken from the first sentence of the body (Ritzau RBNews)');
    }
  }
  const sub = value('subHeadline', 'subheading', 'teaser', 'lead');
  if (sub) draft.subheadline = sub;
  const summary = value('summary', 'abstract', 'resume');
  if (summary) draft.descriptions = [{ role: 'summary', value: summary }];

  const byline = value('byLine', 'byline', 'author');
  const email = value('byLineEmail', 'bylineEmail', 'authorEmail');
  if (byline) draft.bylines = [email ? { name: byline.replace(/^af\s+/i, ''), email, role: 'author' } : byline];
  const town = value('town', 'city', 'location');
  if (town) draft.located = { city: town };

  const subjects = [...elements(f.get('categories')), ...(f.get('category') ? [f.get('category') as XmlElement] : []), ...elements(f.get('subjects'))]
    .map((c) => text(c))
    .filter(Boolean)
    .map((name) => ({ name, scheme: 'ritzau' }));
  if (subjects.length > 0) draft.subjects = subjects;
  const keywords = [...elements(f.get('keywords')), ...elements(f.get('tags'))].map((k) => text(k)).filter(Boolean);
  if (keywords.length > 0) draft.keywords = keywords;
  const ednote = value('editorialNote', 'ednote', 'noteToEditor', 'note');
  if (ednote) draft.ednotes = [ednote];

  const pictures: DraftImage[] = [];
  for (const p of [...elements(f.get('images')), ...elements(f.get('pictures'))]) {
    const pf = fields(p);
    const url = sourceLink(text(pf.get('url') ?? pf.get('href') ?? pf.get('uri')));
    if (!url) continue;
    pictures.push(compact({ sourceUrl: url, caption: text(pf.get('caption') ?? pf.get('text')) || undefined, credit: text(pf.get('credit') ?? pf.get('photographer')) || undefined, by: text(pf.get('photographer')) || undefined, width: posInt(text(pf.get('width'))), height: posInt(text(pf.get('height'))) }));
  }
  if (pictures.length > 0) draft.images = [...pictures, ...(draft.images ?? [])];
  if (warnings.length > 0) draft.warnings = warnings;
  return draft;
}

/** Parses Ritzau RBNews XML (one story, or a list of them) into drafts. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('Ritzau RBNews', () => {
    const doc = parseXml(input.text, { label: 'Ritzau RBNews', limits: input.limits });
    if (!doc.ok) return doc;
    const root = doc.value.roots[0];
    if (!root) return fail('WIRE_ERR_SCHEMA', 'document: no root element (Ritzau RBNews)');
    const items = fields(root).has('content') || fields(root).has('bylineemail') ? [root] : elements(root).filter((e) => ITEM.test(e.local) || fields(e).has('content'));
    if (items.length === 0) return fail('WIRE_ERR_SCHEMA', `document: <${root.local}> holds no RBNews item (Ritzau RBNews)`);
    const many = checkItems(items.length, input.limits, 'Ritzau RBNews list');
    if (!many.ok) return many;
    const out = items.map((i) => itemToDraft(i, input)).filter((d) => d.headline);
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', 'headline: missing (Ritzau RBNews headline and content)');
    if (out.length < items.length) (out[0] as DraftStory).warnings = [...((out[0] as DraftStory).warnings ?? []), `${items.length - out.length} item(s) without headline or body skipped (Ritzau RBNews)`];
    return ok(out);
  });
}
