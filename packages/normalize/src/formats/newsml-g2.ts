import { ok, type Result } from '@wire/schema';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { parseXml } from '../xml';
import { attr, child, childText, elements, find, findAll, text, type XmlElement } from '../xml-dom';
import { absUrl, checkItems, compact, fail, guarded, nonNegInt, paragraphs, posInt, pubStatus, urgency } from './common';
import { normalizeDate } from '../dates';
import { nitfImages, nitfToDraft } from './nitf';
import { mergeImages, xhtmlNodesToBody } from '../xml-html';

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
  const q = (attr(child(el, 'itemMeta', 'itemClass'), 'qcode') ?? '').toLowerCase();
  const code = q.slice(q.lastIndexOf(':') + 1);
  if (code === 'text' || code === 'picture' || code === 'video' || code === 'audio' || code === 'composite') return code;
  if (code === 'graphic') return 'picture';
  return el.local === 'packageItem' ? 'composite' : 'text';
}

/** The name of a G2 concept (`<x><name>…</name></x>`), else its literal/qcode. */
function conceptName(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  return childText(el, 'name') ?? attr(el, 'literal') ?? (text(el) || undefined);
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
function itemToDraft(item: XmlElement): DraftStory {
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
  const emb = dateField('embargoed', childText(itemMeta, 'embargoed'));
  if (emb) draft.embargoedUntil = emb;
  const status = pubStatus(attr(child(itemMeta, 'pubStatus'), 'qcode') ?? childText(itemMeta, 'pubStatus'));
  if (status) draft.pubStatus = status;
  for (const signal of elements(itemMeta, 'signal')) {
    if (/correction/i.test(attr(signal, 'qcode') ?? '')) draft.correction = true;
  }

  const u = urgency(childText(contentMeta, 'urgency'));
  if (u !== undefined) draft.urgency = u;
  const headlines = elements(contentMeta, 'headline');
  const headline = text(byRole(headlines, 'main', 'headline') ?? headlines.find((h) => !attr(h, 'role')) ?? headlines[0]);
  const title = childText(itemMeta, 'title');
  draft.headline = headline || title || undefined;
  const sub = byRole(headlines, 'sub', 'subheadline', 'subhead');
  if (sub && text(sub)) draft.subheadline = text(sub);
  const slug = childText(contentMeta, 'slugline');
  if (slug) draft.slugline = slug;
  const dateline = childText(contentMeta, 'dateline');
  if (dateline) draft.dateline = dateline;

  const located = child(contentMeta, 'located');
  if (located) {
    const city = conceptName(located);
    const country = findAll(located, 'broader')
      .filter((b) => /country/i.test(attr(b, 'type') ?? '') || /^iso3166/i.test(attr(b, 'qcode') ?? ''))
      .map((b) => conceptName(b))[0];
    draft.located = compact({ city, country, text: dateline });
  }

  const bylines: NonNullable<DraftStory['bylines']> = [];
  for (const by of elements(contentMeta, 'by')) if (text(by)) bylines.push(text(by));
  if (bylines.length === 0) {
    for (const c of elements(contentMeta, 'creator')) {
      const name = childText(c, 'name') ?? attr(c, 'literal');
      if (!name) continue;
      const role = attr(c, 'role');
      bylines.push(compact({ name, role: role ? role.slice(role.lastIndexOf(':') + 1) : undefined }));
    }
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
  // A text's credit line names the agency the copy is credited to (pictures keep it as their credit).
  const creditline = childText(contentMeta, 'creditline');
  if (creditline && itemType(item) === 'text' && !infoSources.some((s) => s.name === creditline)) infoSources.push({ name: creditline, role: 'source' });
  if (infoSources.length > 0) draft.infoSources = infoSources;

  const subjects: NonNullable<DraftStory['subjects']> = [];
  for (const s of elements(contentMeta, 'subject')) {
    const qcode = attr(s, 'qcode');
    const name = childText(s, 'name') ?? qcode;
    if (!name) continue;
    const colon = qcode?.indexOf(':') ?? -1;
    subjects.push(compact({ code: qcode && colon > 0 ? qcode.slice(colon + 1) : qcode, name, scheme: qcode && colon > 0 ? qcode.slice(0, colon) : undefined }));
  }
  if (subjects.length > 0) draft.subjects = subjects;
  const keywords = elements(contentMeta, 'keyword').map((k) => text(k)).filter((k) => k.length > 0);
  if (keywords.length > 0) draft.keywords = keywords;

  const altIds: NonNullable<DraftStory['altIds']> = [];
  for (const a of elements(itemMeta, 'altId').concat(elements(contentMeta, 'altId'))) {
    const value = text(a);
    if (value) altIds.push({ type: attr(a, 'type') ?? 'altId', value });
  }
  if (altIds.length > 0) draft.altIds = altIds;

  const descriptions = elements(contentMeta, 'description');
  const caption = text(byRole(descriptions, 'caption') ?? descriptions[0]) || undefined;
  const credit = childText(contentMeta, 'creditline') ?? holder;

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
  }
  if (draft.type === 'picture' || draft.type === 'video' || draft.type === 'audio') {
    // Visual items often come without a headline (AFP video, some photo feeds): a short title from
    // the description keeps them usable, flagged for ops.
    if (!draft.headline && caption) {
      draft.headline = titleFrom(caption);
      warnings.push('headline: none in contentMeta, derived from the description (NewsML-G2)');
    }
    const best = bestRemote(contentSet);
    const image: DraftImage = compact({
      caption,
      credit,
      sourceUrl: best && draft.type === 'picture' ? absUrl(attr(best, 'href')) : undefined,
      width: best && draft.type === 'picture' ? posInt(attr(best, 'width')) : undefined,
      height: best && draft.type === 'picture' ? posInt(attr(best, 'height')) : undefined,
    });
    if (draft.type === 'picture') draft.images = [image, ...(draft.images ?? [])];
    // A picture, video or audio item's description is its text: keep it as the body.
    if (!draft.bodyHtml && !draft.bodyText && caption) draft.bodyText = [caption];
  } else if (!draft.bodyHtml && !draft.bodyText) {
    const summary = text(byRole(descriptions, 'summary', 'abstract') ?? descriptions[0]);
    if (summary) {
      draft.bodyText = [summary];
      warnings.push('body: none in contentSet, using contentMeta description (NewsML-G2)');
    }
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

/** A packageItem with no referenced items in the same message: its itemRef titles become the text. */
function packageToDraft(pkg: XmlElement): DraftStory {
  const draft = itemToDraft(pkg);
  draft.type = 'composite';
  if (!draft.bodyText && !draft.bodyHtml) {
    const lines: string[] = [];
    for (const ref of findAll(pkg, 'itemRef')) {
      const t = childText(ref, 'title');
      const d = childText(ref, 'description');
      if (t || d) lines.push([t, d].filter(Boolean).join(': '));
    }
    if (lines.length > 0) draft.bodyText = lines;
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

    const drafts = newsItems.map((item) => itemToDraft(item));
    const byGuid = new Map<string, DraftStory>();
    for (const d of drafts) if (d.guid) byGuid.set(d.guid, d);
    const folded = new Set<DraftStory>();

    /** Folds picture items into a text item's images (the item's own rendition and caption win). */
    const fold = (main: DraftStory, pictures: DraftStory[]): void => {
      for (const m of pictures) {
        if (m === main || m.type !== 'picture' || folded.has(m)) continue;
        const img = m.images?.[0];
        if (!img) continue;
        main.images = mergeImages(main.images ?? [], [img], true);
        folded.add(m);
      }
    };
    for (const pkg of packages) {
      const refs = findAll(pkg, 'itemRef').map((r) => byGuid.get(attr(r, 'residref') ?? ''));
      const members = refs.filter((d): d is DraftStory => d !== undefined);
      if (members.length === 0) {
        drafts.push(packageToDraft(pkg));
        continue;
      }
      const main = members.find((d) => d.type === 'text');
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
      if (!d.headline) {
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
