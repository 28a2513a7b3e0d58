import { checkUri } from '@wire/text';
import { storyUri, type Byline, type CanonicalStory, type RemoteRendition, type StoryImage, type Subject } from '@wire/schema';
import type { Block } from './blocks';
import { isBylineParagraph, isSignOff, nameCase, parseByline } from './byline';
import { cleanText, escapeText } from './clean';
import { splitBylineBeforeDateline, type Dateline } from './dateline';
import { normalizeDate } from './dates';
import type { DraftImage, DraftPerson, DraftStory } from './draft';
import { sameText } from './page-rules';
import { resolveSubject } from './vocab';

/**
 * The parts of `finalize` that carry what an agency sends beyond the headline and the copy:
 * authors with their roles and affiliations, the edges of the copy (sign-offs, a byline run into
 * the dateline), the printed dateline against the metadata, and the rest of the ninjs model
 * (descriptions, rights, editorial notes, genres, places, organisations, people, services,
 * package members). Each takes what finalize has and returns plain data.
 */

/** The document's bylines as people: sign-offs dropped, "Name, Affiliation" one person, structured lists read. */
export function draftBylines(list: DraftStory['bylines']): Byline[] {
  const out: Byline[] = [];
  for (const b of list ?? []) {
    if (typeof b === 'string') {
      const text = cleanText(b);
      // A desk sign-off ("gr/bp") names the editors who handled the copy, not its authors.
      if (!text || isSignOff(text)) continue;
      const people = parseByline(text, { anyLanguage: true });
      if (people) out.push(...people);
      else out.push({ name: text.replace(/^by\s+/i, '') });
    } else {
      const person = structuredPerson(b);
      if (person) out.push(person);
    }
  }
  return mergePeople(out);
}

/** One entry per person (case-insensitive name), each fact kept from whichever entry had it. */
export function mergePeople(people: Byline[]): Byline[] {
  const out: Byline[] = [];
  const byName = new Map<string, Byline>();
  for (const b of people) {
    const name = b.name.toLowerCase();
    const same = byName.get(name);
    if (!same) {
      const copy = { ...b };
      byName.set(name, copy);
      out.push(copy);
    } else for (const k of ['email', 'role', 'affiliation', 'title', 'uri'] as const) if (same[k] === undefined && b[k] !== undefined) same[k] = b[k];
  }
  return out;
}

function structuredPerson(p: DraftPerson): Byline | undefined {
  const name = cleanText(p.name ?? '').replace(/^by\s+/i, '');
  if (!name || isSignOff(name)) return undefined;
  const field = (v: string | undefined): string | undefined => (v ? cleanText(v) || undefined : undefined);
  const role = field(p.role);
  const affiliation = field(p.affiliation);
  const title = field(p.title);
  return {
    name: nameCase(name, p.email),
    ...(role ? { role } : {}),
    ...(p.email ? { email: p.email.trim().toLowerCase() } : {}),
    ...(affiliation ? { affiliation } : {}),
    ...(title ? { title } : {}),
    ...(p.uri ? { uri: p.uri } : {}),
  };
}

/**
 * A printed page uses `<br>` for layout: each line is judged on its own by the page rules, so a
 * scraped page's line breaks become paragraphs again.
 */
export function linesAsParagraphs(blocks: Block[]): Block[] {
  return blocks.flatMap((b) => {
    if (!b.text.includes('\n')) return [b];
    const texts = b.text.split('\n');
    const htmls = b.html.split('<br>');
    return texts.map((text, i) => ({ ...b, text, html: (htmls.length === texts.length ? htmls[i] : escapeText(text))!.trim() })).filter((x) => x.text);
  });
}

/**
 * The edges of the copy: desk sign-offs at the foot (`gr/bp`, `bur-dar-gl/fz`) are dropped, and a
 * "By X" line at the head of the first paragraph — on its own line (`<br>`) or run into the
 * dateline by hard-wrapped text — becomes a byline.
 */
export function tidyEdges(blocks: Block[]): { blocks: Block[]; bylines: Byline[] } {
  let out = blocks;
  while (out.length > 0 && isSignOff(out[out.length - 1]!.text)) out = out.slice(0, -1);
  const bylines: Byline[] = [];
  const lead = out[0];
  if (lead && lead.tag === 'p') {
    const nl = lead.text.indexOf('\n');
    const firstLine = nl >= 0 ? lead.text.slice(0, nl) : undefined;
    const split =
      firstLine !== undefined && isBylineParagraph(firstLine) ? { byline: firstLine, rest: lead.text.slice(nl + 1) } : splitBylineBeforeDateline(lead.text, isBylineParagraph);
    if (split) {
      bylines.push(...(parseByline(split.byline, { requireBy: true }) ?? []));
      const br = lead.html.indexOf('<br>');
      const html = firstLine !== undefined && br >= 0 ? lead.html.slice(br + 4).trim() : escapeText(split.rest);
      out = [{ ...lead, text: split.rest, html }, ...out.slice(1)];
    }
  }
  return { blocks: out, bylines };
}

type Located = NonNullable<CanonicalStory['located']>;

/**
 * The dateline printed at the head of the copy and the location the metadata gives: the printed
 * text is kept, and where the metadata names another city the printed one wins (with a warning).
 */
export function printedDateline(d: Dateline, located: Located | undefined, warnings: string[]): { dateline: string; located: Located } {
  const printed: Located = { ...(d.city ? { city: d.city } : {}), ...(d.country ? { country: d.country } : {}), text: d.text };
  if (!located?.city || !d.city || sameText(located.city, d.city)) return { dateline: d.text, located: { ...located, ...printed } };
  warnings.push(`located: the metadata names ${located.city}, the printed dateline ${d.city}; the dateline wins`);
  return { dateline: d.text, located: printed };
}

/** The fields of a story image beyond its caption and picture facts: kind, identity, photographer, every rendition. */
export function imageExtras(img: DraftImage): Partial<StoryImage> & { sourceRenditions: StoryImage['sourceRenditions'] } {
  const headline = cleanText(img.headline ?? '');
  const by = cleanText(img.by ?? '');
  return {
    ...(img.type && img.type !== 'picture' ? { type: img.type } : {}),
    ...(img.self ? { self: true } : {}),
    // The source's id of the media object: a link is its uri, anything else (an agency's item id) its guid.
    ...(img.uri ? (checkUri(img.uri).ok ? { uri: img.uri } : { guid: img.uri }) : {}),
    ...(headline ? { headline } : {}),
    ...(by ? { by } : {}),
    sourceRenditions: renditions(img.renditions),
  };
}

/** Subjects with IPTC names resolved in the story's language, one per concept. */
export function resolveConcepts<T extends Subject>(list: T[] | undefined, language: string | undefined): T[] {
  return dedupeBy(
    (list ?? []).map((c) => resolveSubject(cleanConcept(c), language) as T).filter((c) => c.name.length > 0),
    (c) => (c.code ? `${(c.scheme ?? '').toLowerCase()}|${c.code}` : `|${c.name.toLowerCase()}`),
  );
}

/** A concept's texts (name, code, scheme, an organisation's tickers) decoded once, like every text of the draft. */
function cleanConcept<T extends Subject & { symbols?: Array<{ ticker: string; exchange?: string }> }>(c: T): T {
  const code = c.code ? cleanText(c.code) : '';
  const scheme = c.scheme ? cleanText(c.scheme) : '';
  const { code: _code, scheme: _scheme, ...rest } = c;
  const symbols = c.symbols
    ?.map((s) => ({ ticker: cleanText(s.ticker), exchange: s.exchange ? cleanText(s.exchange) : '' }))
    .filter((s) => s.ticker)
    .map((s) => (s.exchange ? s : { ticker: s.ticker }));
  return { ...rest, name: cleanText(c.name ?? ''), ...(code ? { code } : {}), ...(scheme ? { scheme } : {}), ...(symbols ? { symbols } : {}) } as T;
}

/** The source's renditions with a link and a name, names and types decoded once, one per link. */
function renditions(list: RemoteRendition[] | undefined): RemoteRendition[] {
  return dedupeBy(
    (list ?? [])
      .map((r) => ({ ...r, name: cleanText(r.name ?? ''), ...(r.contentType ? { contentType: cleanText(r.contentType) } : {}) }))
      .filter((r) => r.href && r.name),
    (r) => r.href,
  );
}

type Extras = Pick<
  CanonicalStory,
  'descriptions' | 'ednotes' | 'genres' | 'places' | 'organisations' | 'people' | 'services' | 'members' | 'title' | 'copyrightHolder' | 'copyrightNotice' | 'usageTerms' | 'contentCreated' | 'expires' | 'sourceRenditions'
>;

/** The story's fields beyond the copy, from the draft: cleaned, concepts named, member uris under the story's source. */
export function storyExtras(draft: DraftStory, ctx: { language: string | undefined; source: string; warnings: string[] }): Extras {
  const text = (v: string | undefined): string | undefined => cleanText(v ?? '') || undefined;
  const date = (v: string | undefined, field: string): string | undefined => {
    if (!v) return undefined;
    const d = normalizeDate(v);
    if (!d) ctx.warnings.push(`${field}: "${v.slice(0, 40)}" is not a date; dropped`);
    return d;
  };
  const title = text(draft.title);
  const copyrightHolder = text(draft.copyrightHolder);
  const copyrightNotice = text(draft.copyrightNotice);
  const usageTerms = text(draft.usageTerms);
  const contentCreated = date(draft.contentCreated, 'contentCreated');
  const expires = date(draft.expires, 'expires');
  return {
    ...(title ? { title } : {}),
    ...(copyrightHolder ? { copyrightHolder } : {}),
    ...(copyrightNotice ? { copyrightNotice } : {}),
    ...(usageTerms ? { usageTerms } : {}),
    ...(contentCreated ? { contentCreated } : {}),
    ...(expires ? { expires } : {}),
    descriptions: dedupeBy(
      (draft.descriptions ?? []).map((d) => ({ ...(text(d.role) ? { role: text(d.role) } : {}), value: cleanText(d.value) })).filter((d) => d.value.length > 0),
      (d) => d.value.toLowerCase(),
    ),
    ednotes: [...new Set((draft.ednotes ?? []).map(cleanText).filter(Boolean))],
    genres: resolveConcepts(draft.genres, ctx.language),
    places: resolveConcepts(draft.places, ctx.language),
    organisations: resolveConcepts(draft.organisations, ctx.language),
    people: resolveConcepts(draft.people, ctx.language),
    services: resolveConcepts(draft.services, ctx.language),
    sourceRenditions: renditions(draft.renditions),
    members: dedupeBy(
      (draft.members ?? []).flatMap((m) => {
        // Cleaned as the member's own story cleans its guid, so the uri is the one that story gets.
        const guid = text(m.guid);
        if (!guid) return [];
        const [type, headline, group] = [text(m.type), text(m.headline), text(m.group)];
        return [{ guid, uri: m.uri ?? storyUri(ctx.source, guid), ...(type ? { type } : {}), ...(headline ? { headline } : {}), ...(group ? { group } : {}) }];
      }),
      (m) => m.guid,
    ),
  };
}

/** The items with the first of each key kept, in order. */
export function dedupeBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
