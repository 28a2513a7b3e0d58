import type { Byline } from '@wire/schema';
import { cleanDecodedText } from '@wire/text';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
// "BY SARAH KIM [kim.sarah@joongang.co.kr]", "By Sarah Kim and John Park", "By JOHN DOE, Associated Press"
const BYLINE_LINE = /^by[:\s]\s*(.{2,160}?)\s*(?:[[(<]\s*(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\s*[\])>])?\s*$/i;
// The same in the languages agencies write bylines in; only for bylines the metadata gives (a body
// paragraph starting "Von der Leyen …" or "Par ailleurs …" is copy).
const BYLINE_PREFIX_ANY_CASE = /^(?:by|von|par|por|af|av|door|przez)[:\s]\s*/i;
const BYLINE_PREFIX = /^(?:di|DI)\s+/;
// Words that mark an affiliation or a title rather than a person's name.
const AFFILIATION =
  /\b(press|news|agency|agencia|agentur|reuters|afp|ap|dpa|efe|yonhap|ansa|ntb|tt|ritzau|anp|belga|apa|lusa|pap|tass|xinhua|kyodo|jiji|aap|pa|upi|epa|getty|bloomberg|correspondent|writer|reporter|editor|staff|bureau|daily|times|herald|post|journal|service|wire|media|photographer|redaktion|korrespondent|redaksjon|redaktør)\b/i;
// An affiliation part that is a job title rather than an organisation.
const TITLE = /\b(correspondent|writer|reporter|editor|photographer|staff|korrespondent|redaktør|chief|columnist|analyst)\b/i;
const NAME_WORD = /^[\p{Lu}][\p{L}\p{M}'’.-]*$/u;
// Lower-case particles inside a name ("Ursula von der Leyen", "Ana de Armas").
const PARTICLE = /^(?:van|von|der|den|de|da|del|della|di|du|la|le|bin|al|el|ter|ten|dos|das)$/;
// "gr/bp", "hh/ph/ts/hd", "bur-dar-gl/fz": the desk's initials under a story.
const SIGN_OFF = /^\(?(?:[a-z]{1,5}[-/]){1,8}[a-z]{1,5}\)?$/;

/**
 * True for a desk sign-off (`gr/bp`, `hh/ph/ts/hd`, `bur-dar-gl/fz`): the initials of the editors
 * who handled the copy, neither a byline nor a paragraph.
 */
export function isSignOff(text: string): boolean {
  const t = text.trim();
  return t.length <= 40 && SIGN_OFF.test(t) && (t.includes('/') || (t.match(/-/g) ?? []).length >= 2);
}

/**
 * Parses a display byline into people. The byline is plain text, already decoded (a body
 * paragraph, a byline finalize has cleaned): nothing in it is decoded again, so escaped text
 * (`[kim&#64;x.example]` as printed) never turns into data. Returns `undefined` when the text does not read as a
 * byline (so a body paragraph starting with "By the end of …" is left alone). "Name, Affiliation"
 * is one person with an affiliation (or job title); "A and B, Affiliation" gives both the affiliation.
 *
 * @example parseByline('BY SARAH KIM [kim.sarah@joongang.co.kr]')
 * // [{ name: 'Sarah Kim', email: 'kim.sarah@joongang.co.kr' }]
 * @example parseByline('Von Christian Hollmann, dpa', { anyLanguage: true })
 * // [{ name: 'Christian Hollmann', affiliation: 'dpa' }]
 */
export function parseByline(text: string, opts: { requireBy?: boolean; anyLanguage?: boolean } = {}): Byline[] | undefined {
  const s = cleanDecodedText(text);
  if (isSignOff(s)) return undefined;
  const m = BYLINE_LINE.exec(s);
  let namesPart: string;
  let email: string | undefined;
  if (m) {
    namesPart = m[1] ?? '';
    email = m[2];
  } else {
    if (opts.requireBy) return undefined;
    namesPart = opts.anyLanguage ? s.replace(BYLINE_PREFIX_ANY_CASE, '').replace(BYLINE_PREFIX, '') : s;
  }
  if (!email) {
    const e = EMAIL.exec(namesPart);
    if (e) {
      email = e[0];
      namesPart = namesPart.replace(/[[(<]?\s*(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\s*[\])>]?/, ' ').trim();
    }
  }
  // "… with Guillaume Lavallee in Jerusalem": where the reporter filed from is not part of the name.
  namesPart = namesPart.replace(/\s+in\s+[\p{Lu}][\p{L}.'’ -]{1,40}$/u, '');
  const people: Byline[] = [];
  let trailing: { affiliation?: string; title?: string } | undefined;
  const groups = namesPart
    .split(/\s*(?:;|\band\b|\bwith\b|\bund\b|\bog\b|\boch\b|\bet\b|\by\b|&)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean);
  for (const [gi, group] of groups.entries()) {
    // "Name, Affiliation" / "Name, Title" / "Name/AGENCY".
    const [head = '', ...rest] = group.split(/\s*,\s*/);
    let name = head;
    let extra = rest.join(', ');
    const slash = /^(.+?)\s*\/\s*(.+)$/.exec(name);
    if (slash && (AFFILIATION.test(slash[2]!) || !/\p{Ll}/u.test(slash[2]!))) {
      name = slash[1]!;
      extra = [slash[2], extra].filter(Boolean).join(', ');
    } else if (slash) return undefined;
    if (AFFILIATION.test(name) && !extra) {
      // A bare affiliation ("By JOHN DOE, Associated Press" split on "and"): it belongs to everyone.
      trailing = TITLE.test(name) ? { title: name } : { affiliation: name };
      continue;
    }
    const words = name.split(/\s+/);
    if (words.length < 1 || words.length > 5 || !words.every((w, i) => NAME_WORD.test(w) || (i > 0 && i < words.length - 1 && PARTICLE.test(w)))) return undefined;
    const person: Byline = { name: nameCase(name, email) };
    if (extra) {
      const parts = extra.split(/\s*,\s*/);
      const title = parts.find((p) => TITLE.test(p));
      const affiliation = parts.filter((p) => p !== title).join(', ');
      if (title) person.title = title;
      if (affiliation) person.affiliation = affiliation;
      if (gi === groups.length - 1) trailing = { ...(title ? { title } : {}), ...(affiliation ? { affiliation } : {}) };
    }
    people.push(person);
  }
  if (people.length === 0) return undefined;
  // A trailing ", Associated Press" names the organisation of every author listed before it.
  if (trailing) for (const p of people) if (!p.affiliation && !p.title) Object.assign(p, trailing);
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
