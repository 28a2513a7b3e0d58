import type { Byline } from '@wire/schema';
import { cleanText } from './clean';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
// "BY SARAH KIM [kim.sarah@joongang.co.kr]", "By Sarah Kim and John Park", "By JOHN DOE, Associated Press"
const BYLINE_LINE = /^by[:\s]\s*(.{2,160}?)\s*(?:[[(<]\s*(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\s*[\])>])?\s*$/i;
// Words that mark an affiliation or title rather than a person's name.
const AFFILIATION = /\b(press|news|agency|reuters|afp|ap|dpa|efe|yonhap|correspondent|writer|reporter|editor|staff|bureau|daily|times|herald|post|journal|service|wire|media|photographer)\b/i;
const NAME_WORD = /^[\p{Lu}][\p{L}\p{M}'’.-]*$/u;

/**
 * Parses a display byline into people. Returns `undefined` when the text does not read as a
 * byline (so a body paragraph starting with "By the end of …" is left alone).
 *
 * @example parseByline('BY SARAH KIM [kim.sarah@joongang.co.kr]')
 * // [{ name: 'Sarah Kim', email: 'kim.sarah@joongang.co.kr' }]
 */
export function parseByline(text: string, opts: { requireBy?: boolean } = {}): Byline[] | undefined {
  const s = cleanText(text);
  const m = BYLINE_LINE.exec(s);
  let namesPart: string;
  let email: string | undefined;
  if (m) {
    namesPart = m[1] ?? '';
    email = m[2];
  } else {
    if (opts.requireBy) return undefined;
    namesPart = s;
  }
  if (!email) {
    const e = EMAIL.exec(namesPart);
    if (e) {
      email = e[0];
      namesPart = namesPart.replace(/[[(<]?\s*(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\s*[\])>]?/, ' ').trim();
    }
  }
  const parts = namesPart
    .split(/\s*(?:,|;|\band\b|&|\/)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const people: Byline[] = [];
  for (const part of parts) {
    // "By JOHN DOE, Associated Press": the affiliation is not a person.
    if (AFFILIATION.test(part)) continue;
    const words = part.split(/\s+/);
    if (words.length < 1 || words.length > 5 || !words.every((w) => NAME_WORD.test(w))) return undefined;
    people.push({ name: nameCase(part, email) });
  }
  if (people.length === 0) return undefined;
  // One address belongs to the first (usually only) author.
  if (email && people[0]) people[0] = { ...people[0], email: email.toLowerCase() };
  return people;
}

/** True when a body paragraph is a byline line that should move into `bylines`. */
export function isBylineParagraph(text: string): boolean {
  return text.length <= 200 && /^by[:\s]/i.test(text) && parseByline(text, { requireBy: true }) !== undefined;
}

/**
 * Title-cases an all-caps name: `SARAH KIM` → `Sarah Kim`, `O'BRIEN` → `O'Brien`. Korean given
 * names keep the JoongAng/Yonhap romanization (`KIM JONG-UN` → `Kim Jong-un`) when the address is
 * Korean. Mixed-case names are left as written.
 */
export function nameCase(name: string, email?: string): string {
  if (/\p{Ll}/u.test(name)) return name;
  const korean = email ? /\.kr$/i.test(email) : false;
  return name
    .toLowerCase()
    .split(/(\s+)/)
    .map((w) =>
      w
        .split('-')
        .map((seg, i) => (i > 0 && korean ? seg : cap(seg)))
        .join('-')
        .replace(/(['’])(\p{Ll})(\p{Ll})/gu, (_, q: string, a: string, b: string) => q + a.toUpperCase() + b),
    )
    .join('');
}

const cap = (w: string): string => (w ? w[0]!.toUpperCase() + w.slice(1) : w);
