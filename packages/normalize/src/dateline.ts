import { agencyName } from './outlets';

export interface Dateline {
  /** As printed, e.g. `SEOUL, Sept. 13 (Yonhap) --`. */
  text: string;
  city?: string;
  country?: string;
  /** Agency named in parentheses, e.g. `Yonhap`. */
  agency?: string;
  /** The paragraph with the dateline taken off. */
  rest: string;
}

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`;
const CITY_WORD = String.raw`[\p{Lu}][\p{Lu}\p{M}.'’-]*`;
const CITY = String.raw`${CITY_WORD}(?:\s(?:de|da|do|del|la|le|el|al|of|upon|on)?\s?${CITY_WORD}){0,3}`;
const PLACE_WORD = String.raw`[\p{Lu}][\p{L}\p{M}.'’-]*`;
// CITY[, Region][, Month D] [(Agency)] -- rest
const DATELINE = new RegExp(
  String.raw`^(?<city>${CITY}|${PLACE_WORD}(?:\s${PLACE_WORD}){0,3})` +
    String.raw`(?:,\s*(?<country>(?!${MONTH}\s\d)${PLACE_WORD}(?:\s${PLACE_WORD}){0,2}))?` +
    String.raw`(?:,?\s*(?<date>${MONTH}\s\d{1,2}))?` +
    String.raw`(?:\s*\((?<agency>[^()]{2,40})\))?` +
    String.raw`\s*(?<sep>--|—|–|-|:)\s+(?<rest>\S[\s\S]*)$`,
  'u',
);

/**
 * Finds a dateline at the start of the first paragraph: `SEOUL, Sept. 13 (Yonhap) -- …`,
 * `WASHINGTON (AP) — …`, `LONDON, March 3 (Reuters) - …`. An all-caps city alone counts; a
 * mixed-case place needs a date or an agency, so ordinary sentences are never taken for one.
 */
export function extractDateline(paragraph: string): Dateline | undefined {
  if (paragraph.length < 12) return undefined;
  // A dateline sits in the first few dozen characters; matching a bounded head keeps hostile
  // paragraphs cheap. `rest` is taken from the full paragraph.
  const head = paragraph.length > 200 ? paragraph.slice(0, 200) : paragraph;
  const m = DATELINE.exec(head);
  const g = m?.groups;
  if (!m || !g || !g.city || !g.rest) return undefined;
  const capsCity = !/\p{Ll}/u.test(g.city) && /\p{Lu}{2}/u.test(g.city);
  if (!capsCity && !g.date && !g.agency) return undefined;
  // "U.S. - China talks …" is a sentence: without a date or agency only dash datelines count.
  if (!g.date && !g.agency && !(g.sep === '--' || g.sep === '—' || g.sep === '–')) return undefined;
  const text = head.slice(0, head.length - g.rest.length).trim();
  if (text.length > 90) return undefined;
  return {
    text,
    city: titleCase(g.city),
    ...(g.country ? { country: g.country } : {}),
    ...(g.agency ? { agency: agencyName(g.agency) } : {}),
    rest: paragraph.slice(head.length - g.rest.length),
  };
}

function titleCase(s: string): string {
  if (/\p{Ll}/u.test(s)) return s;
  return s.toLowerCase().replace(/(^|[\s-])(\p{Ll})/gu, (_, a: string, b: string) => a + b.toUpperCase());
}

/**
 * A "By X" byline run into the dateline of the first paragraph (`By Jane Roe KYIV, Ukraine (AP) —
 * …`, as hard-wrapped text joins them): the byline, and the paragraph from the dateline on.
 * The dateline city must be in capitals (the wire convention), so the byline is never read as
 * part of the city; of several splits the one with a mixed-case byline wins, else the one with
 * a two- or three-word name.
 */
export function splitBylineBeforeDateline(paragraph: string, isByline: (text: string) => boolean): { byline: string; rest: string } | undefined {
  if (!/^by\s/i.test(paragraph)) return undefined;
  const head = paragraph.slice(0, 160);
  const candidates: Array<{ byline: string; rest: string; words: number }> = [];
  for (const m of head.matchAll(/\s+(?=\S)/g)) {
    const at = (m.index ?? 0) + m[0].length;
    if (at < 4) continue;
    const byline = paragraph.slice(0, m.index).trim();
    const rest = paragraph.slice(at);
    const d = extractDateline(rest);
    if (!d?.city || !isByline(byline)) continue;
    // The city as printed (before any region, date or agency) must be in capitals.
    const city = d.text.split(/[,(]|\s[-–—:]/)[0]!.trim();
    if (/\p{Ll}/u.test(city)) continue;
    candidates.push({ byline, rest, words: byline.split(/\s+/).length - 1 });
  }
  const mixed = candidates.find((c) => /\p{Ll}/u.test(c.byline.replace(/^by\s/i, '')));
  const chosen = mixed ?? candidates.find((c) => c.words === 2 || c.words === 3) ?? candidates[0];
  return chosen ? { byline: chosen.byline, rest: chosen.rest } : undefined;
}
