/**
 * Text preparation for fingerprints: which lines of a story count as copy, and how words are
 * normalized so that trivial edits (quotes, `mln`/`million`, British/American spelling, accents)
 * do not change the fingerprint. Pure.
 */

/** One token of copy: the normalized form used by shingles, plus what the veto needs. */
import { hashString } from './hash';

export interface Token {
  /** Normalized form (lower case, spelling-folded, numbers canonical). */
  norm: string;
  /** True when the token is a figure (digits or a number word). */
  figure: boolean;
  /** True when the token starts with a capital inside mixed-case copy (a proper-name candidate). */
  capital: boolean;
  /** True for a function word left out of shingles. */
  stop: boolean;
  /** 32-bit hash of `norm`. */
  hash: number;
}

const STOP = new Set(
  ('a an the of to in on at for and or but by with from as is was were are be been being it its this that these those ' +
    'has have had will would could should may might can do does did not no he she they we i you his her their our ' +
    'which who whom whose what when where while than then there here also about into over under after before up out ' +
    'said says say told tells reporters reported according so if such some any all more most other'
  ).split(' '),
);

/** Capitalized words that start sentences without being names. */
const CAPITAL_COMMON = new Set(
  ('the a an it its this that these those he she they we i in on at for and or but by with from as if when while ' +
    'after before under over new there here his her their our some any all more most other however also one two three ' +
    'four five six seven eight nine ten shr net revs sales year avg note qtr mths months').split(' '),
);

const NUMBER_WORDS: Record<string, string> = {
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
  eleven: '11', twelve: '12', twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100',
};

/** Wire abbreviations and their long forms fold to one spelling. */
const SYNONYMS: Record<string, string> = {
  mln: 'million', mn: 'million', m: 'million', millions: 'million', bln: 'billion', bn: 'billion', billions: 'billion',
  dlr: 'dollar', dlrs: 'dollar', dollars: 'dollar', usd: 'dollar', pct: 'percent', cts: 'cents', stg: 'sterling', yr: 'year', yrs: 'year', mths: 'months', mth: 'month', qtr: 'quarter',
  shr: 'share', shrs: 'shares', revs: 'revenue', jan: 'january', feb: 'february', mar: 'march', apr: 'april',
  jun: 'june', jul: 'july', aug: 'august', sep: 'september', sept: 'september', oct: 'october', nov: 'november',
  dec: 'december', tonnes: 'ton', tonne: 'ton', tons: 'ton', metric: '', govt: 'government', corp: 'corporation',
  co: 'company', inc: 'incorporated', ltd: 'limited', intl: 'international',
  // Reporting verbs and light rewording of attribution.
  says: 'said', told: 'said', tells: 'said', stated: 'said', reported: 'said', announced: 'said', added: 'said',
  reporters: '', firm: 'company', firms: 'company', companies: 'company',
};

/** Folds spelling variants: accents, doubled letters, -our/-or, -ise/-ize, -re/-er, plural s. */
export function foldWord(w: string): string {
  if (w.length <= 3) return w;
  let s = w.replace(/(.)\1+/g, '$1');
  s = s.replace(/our$/, 'or').replace(/our(s|ed|ing)$/, 'or$1');
  s = s.replace(/is(e|es|ed|ing|ation|ations)$/, 'iz$1');
  s = s.replace(/([^aeiou])re$/, '$1er');
  s = s.replace(/ies$/, 'y').replace(/([^s])s$/, '$1');
  return s;
}

const RE_FIGURE = /^\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th|s)?$/;

function canonicalFigure(raw: string): string {
  let s = raw.replace(/,(?=\d{3}\b)/g, '').replace(/(st|nd|rd|th)$/, '');
  if (/^\d+\.\d+$/.test(s)) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

interface WordInfo {
  norm: string;
  hash: number;
  figure: boolean;
  stop: boolean;
  skip: boolean;
  capitalizable: boolean;
}

/** Normalized words by their lower-case spelling: news vocabulary repeats, folding is costly. */
const WORDS = new Map<string, WordInfo>();
const WORDS_MAX = 200_000;

function wordInfo(lower: string): WordInfo {
  let w = WORDS.get(lower);
  if (w) return w;
  const numberWord = NUMBER_WORDS[lower];
  const syn = SYNONYMS[lower];
  const norm = numberWord ?? foldWord(syn ?? lower);
  w = {
    norm,
    hash: hashString(norm),
    figure: numberWord !== undefined,
    stop: STOP.has(lower),
    skip: syn === '',
    capitalizable: !CAPITAL_COMMON.has(lower),
  };
  if (WORDS.size >= WORDS_MAX) WORDS.clear();
  WORDS.set(lower, w);
  return w;
}

/** Splits one paragraph into tokens. */
export function tokenize(paragraph: string, opts: { allCaps?: boolean } = {}): Token[] {
  let text = paragraph;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) {
    text = text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[\u2018\u2019\u02bc`]/g, "'")
      .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"')
      .replace(/[\u2010-\u2015]/g, '-');
  }
  text = text
    // Ticker and code markup (<LLOY.L>, [BTOM.MI]) comes and goes between re-sends.
    .replace(/[<[]\s*[A-Z0-9.&=^-]{1,12}\s*[>\]]/g, ' ')
    .replace(/[<>[\]]/g, ' ');
  const allCaps = opts.allCaps ?? isAllCaps(text);
  const out: Token[] = [];
  // Letters of any script (Hangul, Cyrillic, accented Latin …), not only A–Z.
  const re = /\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th)?|\p{L}[\p{L}\p{M}]*(?:'\p{L}+)?/gu;
  for (const m of text.matchAll(re)) {
    const raw = m[0];
    const c0 = raw.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) {
      if (!RE_FIGURE.test(raw)) continue;
      const norm = canonicalFigure(raw);
      out.push({ norm, hash: hashString(norm), figure: true, capital: false, stop: false });
      continue;
    }
    let lower = raw.toLowerCase();
    if (lower.includes("'")) lower = lower.replace(/'s$/, '').replace(/'/g, '');
    if (lower.length === 0) continue;
    const w = wordInfo(lower);
    if (w.skip) continue;
    const capital = !w.figure && !allCaps && w.capitalizable && (c0 >= 65 && c0 <= 90 ? true : c0 > 127 && /^\p{Lu}/u.test(raw));
    out.push({ norm: w.norm, hash: w.hash, figure: w.figure, capital, stop: w.stop });
  }
  return out;
}

/** True when the letters of `s` are (nearly) all upper case, as in wire headlines. */
export function isAllCaps(s: string): boolean {
  let upper = 0;
  let lower = 0;
  for (const ch of s) {
    if (ch >= 'A' && ch <= 'Z') upper++;
    else if (ch >= 'a' && ch <= 'z') lower++;
  }
  return upper >= 4 && lower <= upper * 0.1;
}

const CHROME_LINE =
  /^(?:-\s*)?(?:advertisement|advertising|sponsored|must read|related( articles| stories| links)?|read more|more from|share( this( article| story)?)?|subscribe|sign up|newsletter|follow us|copyright|all rights reserved|privacy policy|terms of (?:use|service)|cookies?|trending|most (?:read|popular)|recommended|comments?|top stories|latest news|you may also like)\b/i;
const DATE_LINE =
  /^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}$/i;
const WEATHER_LINE = /^-?\d{1,3}\s*°?\s*[FC]$/;
const BYLINE_LINE = /^by\s+[A-Za-z .'-]+(?:\[[^\]]*@[^\]]*\]|\([^)]*@[^)]*\))?$/i;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;

/**
 * The lines of a story that count as copy. Drops what looks like page chrome or boilerplate:
 * ad and share markers, copyright lines, datelines of the page, weather widgets, bylines with
 * e-mails, short lines without figures (navigation, section names), and, in a mixed-case body,
 * lines set in capitals (repeated page headline, related-article lists). Everything after a
 * "Related articles" / "Share this" marker is dropped too. Leftover HTML is read as text, with
 * scripts, styles, navigation, asides and footers dropped.
 */
const HTML_TAG = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|span|a|section|article|header|footer|nav|aside|main|figure|figcaption|table|tr|td|html|body|head|title|script|style|img)\b[^>]*>/i;

/** Plain text of leftover HTML: scripts/styles/heads dropped, block tags as line breaks, entities decoded. */
export function htmlToLines(html: string): string {
  return html
    .replace(/<(script|style|head|nav|footer|aside|noscript|form)\b[\s\S]*?<\/\1>/gi, '\n')
    .replace(/<\/?(?:p|div|br|li|ul|ol|h[1-6]|section|article|header|main|figure|figcaption|table|tr|td|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&apos;|&rsquo;|&lsquo;/g, "'")
    .replace(/&ldquo;|&rdquo;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)));
}

export function copyLines(headline: string, body: readonly string[]): { headline: string; lines: string[] } {
  const raw: string[] = [];
  for (const block of body) for (const line of (HTML_TAG.test(block) ? htmlToLines(block) : block).split(/\n+/)) {
    const t = line.replace(/\s+/g, ' ').trim();
    if (t) raw.push(t);
  }
  const mixedCaseBody = raw.some((l) => !isAllCaps(l) && /[a-z]/.test(l) && l.split(' ').length >= 6);
  const lines: string[] = [];
  for (const line of raw) {
    if (/^(?:related( articles| stories)?|share this( article| story)?|more from|read more|you may also like|recommended)\s*:?$/i.test(line)) {
      // A list of other stories' headlines follows: not copy.
      if (lines.length > 0) break;
      continue;
    }
    if (CHROME_LINE.test(line) && line.split(' ').length <= 8) continue;
    if (DATE_LINE.test(line) || WEATHER_LINE.test(line)) continue;
    if (BYLINE_LINE.test(line) || (line.includes('@') && EMAIL.test(line) && line.split(' ').length <= 8)) continue;
    const words = line.split(' ').length;
    const hasDigit = /\d/.test(line);
    if (!hasDigit && words < 4) continue;
    if (mixedCaseBody && isAllCaps(line) && words <= 16) continue;
    lines.push(line);
  }
  return { headline: headline.replace(/\s+/g, ' ').trim(), lines };
}
