/**
 * Text preparation for fingerprints: which lines of a story count as copy, and how words are
 * normalized so that trivial edits (quotes, `mln`/`million`, British/American spelling, accents)
 * do not change the fingerprint. Pure.
 */

/** One token of copy: the normalized form used by shingles, plus what the veto needs. */
import { hashString } from './hash';

export interface Token {
  /** Normalized form (lower case, spelling-folded, numbers canonical). */
  readonly norm: string;
  /** True when the token is a figure (digits or a number word). */
  readonly figure: boolean;
  /** True when the token starts with a capital inside mixed-case copy (a proper-name candidate). */
  readonly capital: boolean;
  /** True for a function word left out of shingles. */
  readonly stop: boolean;
  /** 32-bit hash of `norm`. */
  readonly hash: number;
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
  /** The word's token, shared by every occurrence (tokens are read-only): lower and capitalized. */
  token: Token;
  capitalToken: Token;
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
  const hash = hashString(norm);
  const figure = numberWord !== undefined;
  const stop = STOP.has(lower);
  w = {
    norm,
    hash,
    figure,
    stop,
    skip: syn === '',
    capitalizable: !CAPITAL_COMMON.has(lower),
    token: Object.freeze({ norm, hash, figure, capital: false, stop }),
    capitalToken: Object.freeze({ norm, hash, figure, capital: true, stop }),
  };
  if (WORDS.size >= WORDS_MAX) WORDS.clear();
  WORDS.set(lower, w);
  return w;
}

/** Splits one paragraph into tokens. */
export function tokenize(paragraph: string, opts: { allCaps?: boolean } = {}): Token[] {
  const out: Token[] = [];
  // Wire copy is nearly always ASCII: a hand-written scanner there, the Unicode regex otherwise.
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(paragraph)) {
    tokenizeUnicode(paragraph, opts.allCaps, out);
    return out;
  }
  const text = stripMarkup(paragraph);
  const allCaps = opts.allCaps ?? isAllCaps(text);
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      const end = figureEnd(text, i);
      pushFigure(text.slice(i, end), out);
      i = end;
    } else if (isAsciiLetter(c)) {
      // The hash of the lower-case spelling is taken while scanning (`| 32` lower-cases an ASCII
      // letter and leaves the apostrophe, 39, as it is).
      let h = Math.imul(0x811c9dc5 ^ (c | 32), 0x01000193);
      let end = i + 1;
      let d = 0;
      while (end < n && isAsciiLetter((d = text.charCodeAt(end)))) {
        h = Math.imul(h ^ (d | 32), 0x01000193);
        end++;
      }
      // One apostrophe followed by letters belongs to the word (o'neil, company's).
      if (end + 1 < n && d === 39 && isAsciiLetter(text.charCodeAt(end + 1))) {
        h = Math.imul(h ^ 39, 0x01000193);
        end++;
        while (end < n && isAsciiLetter((d = text.charCodeAt(end)))) {
          h = Math.imul(h ^ (d | 32), 0x01000193);
          end++;
        }
      }
      const w = asciiWordInfo(text, i, end, h);
      if (w) pushInfo(w, c >= 65 && c <= 90, allCaps, out);
      i = end;
    } else {
      i++;
    }
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * End of the figure starting at `i`, exactly as `\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th)?`
 * would match it (every optional part either matches whole or is skipped).
 */
function figureEnd(text: string, i: number): number {
  const n = text.length;
  let j = i + 1;
  while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 44)) j++;
  if (j + 1 < n && text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
    j += 2;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
  }
  const sep = text.charCodeAt(j);
  if (j + 1 < n && (sep === 45 || sep === 47) && isDigit(text.charCodeAt(j + 1))) {
    j += 2;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j + 1 < n && text.charCodeAt(j) === 47 && isDigit(text.charCodeAt(j + 1))) {
      j += 2;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
  }
  if (j + 1 < n) {
    const suffix = text.slice(j, j + 2);
    if (suffix === 'st' || suffix === 'nd' || suffix === 'rd' || suffix === 'th') j += 2;
  }
  return j;
}

// Ticker and code markup (<LLOY.L>, [BTOM.MI]) comes and goes between re-sends.
function stripMarkup(text: string): string {
  if (!/[<>[\]]/.test(text)) return text;
  return text.replace(/[<[]\s*[A-Z0-9.&=^-]{1,12}\s*[>\]]/g, ' ').replace(/[<>[\]]/g, ' ');
}

function pushFigure(raw: string, out: Token[]): void {
  if (!RE_FIGURE.test(raw)) return;
  const norm = canonicalFigure(raw);
  out.push({ norm, hash: hashString(norm), figure: true, capital: false, stop: false });
}

function pushWord(raw: string, c0: number, allCaps: boolean, out: Token[]): void {
  const w = rawWordInfo(raw.toLowerCase());
  if (w) pushInfo(w, (c0 >= 65 && c0 <= 90) || (c0 > 127 && /^\p{Lu}/u.test(raw)), allCaps, out);
}

function pushInfo(w: WordInfo, upperFirst: boolean, allCaps: boolean, out: Token[]): void {
  const capital = upperFirst && !w.figure && !allCaps && w.capitalizable;
  out.push(capital ? w.capitalToken : w.token);
}

/** The word a lower-case spelling stands for (possessive and apostrophes dropped); null: none. */
function rawWordInfo(lower: string): WordInfo | null {
  const word = lower.includes("'") ? lower.replace(/'s$/, '').replace(/'/g, '') : lower;
  if (word.length === 0) return null;
  const w = wordInfo(word);
  return w.skip ? null : w;
}

interface RawWord {
  /** Lower-case spelling as written (with any apostrophe). */
  lower: string;
  info: WordInfo | null;
  next: RawWord | undefined;
}

/**
 * ASCII words by a hash of their lower-case spelling, computed while scanning: the common word
 * costs no substring, no lower-casing and no string hashing.
 */
const RAW_BITS = 16;
const RAW_WORDS: Array<RawWord | undefined> = new Array<RawWord | undefined>(1 << RAW_BITS).fill(undefined);
let rawWordCount = 0;

function asciiWordInfo(text: string, start: number, end: number, h: number): WordInfo | null {
  const len = end - start;
  const slot = (h ^ (h >>> RAW_BITS)) & ((1 << RAW_BITS) - 1);
  const head = RAW_WORDS[slot];
  for (let e = head; e; e = e.next) {
    if (e.lower.length !== len) continue;
    let k = 0;
    while (k < len && (text.charCodeAt(start + k) | 32) === e.lower.charCodeAt(k)) k++;
    if (k === len) return e.info;
  }
  const lower = text.slice(start, end).toLowerCase();
  const info = rawWordInfo(lower);
  if (rawWordCount >= WORDS_MAX) {
    RAW_WORDS.fill(undefined);
    rawWordCount = 0;
  }
  RAW_WORDS[slot] = { lower, info, next: RAW_WORDS[slot] };
  rawWordCount++;
  return info;
}

function tokenizeUnicode(paragraph: string, allCapsOpt: boolean | undefined, out: Token[]): void {
  const text = stripMarkup(
    paragraph
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[\u2018\u2019\u02bc`]/g, "'")
      .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"')
      .replace(/[\u2010-\u2015]/g, '-'),
  );
  const allCaps = allCapsOpt ?? isAllCaps(text);
  // Letters of any script (Hangul, Cyrillic, accented Latin …), not only A–Z.
  const re = /\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th)?|\p{L}[\p{L}\p{M}]*(?:'\p{L}+)?/gu;
  for (const m of text.matchAll(re)) {
    const raw = m[0];
    const c0 = raw.charCodeAt(0);
    if (isDigit(c0)) pushFigure(raw, out);
    else pushWord(raw, c0, allCaps, out);
  }
}

/** True when the letters of `s` are (nearly) all upper case, as in wire headlines. */
export function isAllCaps(s: string): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
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
  for (const block of body) {
    const text = block.includes('<') && HTML_TAG.test(block) ? htmlToLines(block) : block;
    for (const line of text.split(/\n+/)) {
      const t = collapseSpaces(line);
      if (t) raw.push(t);
    }
  }
  const mixedCaseBody = raw.some((l) => wordCount(l) >= 6 && /[a-z]/.test(l) && !isAllCaps(l));
  const lines: string[] = [];
  for (const line of raw) {
    const words = wordCount(line);
    // The anchored patterns below only match short lines: test the length before the pattern.
    if (line.length <= 40 && /^(?:related( articles| stories)?|share this( article| story)?|more from|read more|you may also like|recommended)\s*:?$/i.test(line)) {
      // A list of other stories' headlines follows: not copy.
      if (lines.length > 0) break;
      continue;
    }
    if (words <= 8 && CHROME_LINE.test(line)) continue;
    const last = line.charCodeAt(line.length - 1);
    if (isDigit(last) ? DATE_LINE.test(line) : (last === 70 || last === 67) && WEATHER_LINE.test(line)) continue;
    if (startsWithBy(line) && BYLINE_LINE.test(line)) continue;
    if (words <= 8 && line.includes('@') && EMAIL.test(line)) continue;
    if (words < 4 && !/\d/.test(line)) continue;
    if (mixedCaseBody && words <= 16 && isAllCaps(line)) continue;
    lines.push(line);
  }
  return { headline: collapseSpaces(headline), lines };
}

/** `s.replace(/\s+/g, ' ').trim()`, without the copy when `s` is already clean. */
function collapseSpaces(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 ? i === 0 || i === s.length - 1 || s.charCodeAt(i + 1) === 32 : c <= 32 || c === 160 || c === 0x1680 || c > 0x1fff) {
      return s.replace(/\s+/g, ' ').trim();
    }
  }
  return s;
}

/** Words of a line whose spaces are already collapsed (`line.split(' ').length`). */
function wordCount(line: string): number {
  let n = 1;
  for (let i = line.indexOf(' '); i >= 0; i = line.indexOf(' ', i + 1)) n++;
  return n;
}

function startsWithBy(line: string): boolean {
  return line.length > 3 && (line.charCodeAt(0) | 32) === 98 && (line.charCodeAt(1) | 32) === 121;
}
