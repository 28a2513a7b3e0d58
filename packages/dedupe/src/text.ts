/**
 * Text preparation for fingerprints: which lines of a story count as copy, and how words are
 * normalized so that trivial edits (quotes, `mln`/`million`, British/American spelling, accents)
 * do not change the fingerprint. Pure.
 */

/** One token of copy: the normalized form used by shingles, plus what the veto needs. */
import { decodeEntities } from '@wire/text';
import { combine, hashString } from './hash';

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

/** Flags of a token in `CopyTokens.flags`. */
export const TOKEN_STOP = 1;
export const TOKEN_FIGURE = 2;
/** A capital inside mixed-case copy (the line's all-caps test applied). */
export const TOKEN_CAPITAL = 4;

interface WordInfo {
  norm: string;
  hash: number;
  /** `combine(0, hash)`: the first step of every shingle this word starts. */
  first: number;
  /** TOKEN_STOP and TOKEN_FIGURE. */
  flags: number;
  /** TOKEN_CAPITAL when the word is a capital if written with one (not a figure, not a common word). */
  capFlag: number;
  /** A figure written in digits: `tokenize` gives each occurrence its own token. */
  digits: boolean;
  skip: boolean;
  /** The word's token, shared by every occurrence (tokens are read-only): lower and capitalized. */
  token: Token;
  capitalToken: Token;
}

function makeInfo(norm: string, figure: boolean, stop: boolean, skip: boolean, capitalizable: boolean, digits: boolean): WordInfo {
  const hash = hashString(norm);
  return {
    norm,
    hash,
    first: combine(0, hash),
    flags: (stop ? TOKEN_STOP : 0) | (figure ? TOKEN_FIGURE : 0),
    capFlag: capitalizable && !figure ? TOKEN_CAPITAL : 0,
    digits,
    skip,
    token: Object.freeze({ norm, hash, figure, capital: false, stop }),
    capitalToken: Object.freeze({ norm, hash, figure, capital: true, stop }),
  };
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
  w = makeInfo(norm, numberWord !== undefined, STOP.has(lower), syn === '', !CAPITAL_COMMON.has(lower), false);
  if (WORDS.size >= WORDS_MAX) WORDS.clear();
  WORDS.set(lower, w);
  return w;
}

/** Splits one paragraph into tokens. */
export function tokenize(paragraph: string, opts: { allCaps?: boolean } = {}): Token[] {
  const out: Token[] = [];
  const text = scannable(paragraph);
  tokenCount = 0;
  wordTotal = 0;
  scan(text, out, opts.allCaps ?? isAllCaps(text));
  return out;
}

/**
 * The text the scanner reads: ticker markup stripped and, when there is any non-ASCII
 * character, accents, curly quotes and dashes folded to ASCII.
 */
function scannable(paragraph: string): string {
  // Wire copy is nearly always ASCII: the Unicode folding only where it is needed.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(paragraph)) return stripMarkup(paragraph);
  return stripMarkup(foldUnicode(paragraph.normalize('NFKD')));
}

/**
 * Accents (combining marks U+0300–036F) dropped, curly quotes, the modifier apostrophe and
 * the backquote as `'`, double quotes and guillemets as `"`, dashes U+2010–2015 as `-`: the
 * four replacements in one pass (each maps one character, and none maps into another's set).
 */
function foldUnicode(t: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 96) continue;
    let r: string;
    if (c >= 0x300 && c <= 0x36f) r = '';
    else if (c === 0x2018 || c === 0x2019 || c === 0x2bc || c === 96) r = "'";
    else if (c === 0x201c || c === 0x201d || c === 0xab || c === 0xbb) r = '"';
    else if (c >= 0x2010 && c <= 0x2015) r = '-';
    else continue;
    out += t.slice(from, i) + r;
    from = i + 1;
  }
  return from === 0 ? t : out + t.slice(from);
}

/**
 * @internal The tokens of a story's copy, flat, as `scanCopy` leaves them for the fingerprint.
 * The arrays are scratch space shared by every call: read them before the next story.
 */
export interface CopyTokens {
  /** Tokens of every segment, back to back: their hash and flags (`TOKEN_*`). */
  count: number;
  hash: Uint32Array;
  flags: Uint8Array;
  /** Segments (the headline when not empty, then each copy line): where each one's tokens end. */
  segments: number;
  segmentEnd: Int32Array;
  /** Content words (tokens that are not stop words), in order: hash and `combine(0, hash)`. */
  words: number;
  wordHash: Uint32Array;
  wordFirst: Uint32Array;
  /** Copy lines (the headline not counted). */
  lineCount: number;
}

let tokenHash = new Uint32Array(1024);
let tokenFlags = new Uint8Array(1024);
let tokenCount = 0;
let wordHash = new Uint32Array(1024);
let wordFirst = new Uint32Array(1024);
let wordTotal = 0;
let segmentEnd = new Int32Array(64);
/** ASCII letters of the last `scan` and how many of them were upper case (for `isAllCaps`). */
let scanLetters = 0;
let scanUpper = 0;

const COPY_TOKENS: CopyTokens = { count: 0, hash: tokenHash, flags: tokenFlags, segments: 0, segmentEnd, words: 0, wordHash, wordFirst, lineCount: 0 };

/**
 * @internal The copy lines of a story (`copyLines`) tokenized into flat scratch arrays: what
 * `tokenize` gives for the headline (all-caps test on the headline as written) and each line,
 * without a token object or array per line.
 */
export function scanCopy(headline: string, body: readonly string[]): CopyTokens {
  copyList.length = 0;
  const head = selectCopy(headline, body, copyList);
  const headFlags = lineFlags;
  tokenCount = 0;
  wordTotal = 0;
  const segments = copyList.length + 1;
  if (segmentEnd.length < segments) segmentEnd = new Int32Array(Math.max(segments, segmentEnd.length * 2));
  let segment = 0;
  if (head) {
    scan(scannableAs(head, headFlags), null, false);
    if (isAllCaps(head)) clearCapitals(0);
    segmentEnd[segment++] = tokenCount;
  }
  for (let l = 0; l < copyList.length; l++) {
    const start = tokenCount;
    scan(scannableAs(copyList[l]!, copyFlags[l]!), null, false);
    // The line's all-caps test, from the letters the scan counted (what `isAllCaps` would say).
    if (scanUpper >= 4 && scanLetters - scanUpper <= scanUpper * 0.1) clearCapitals(start);
    segmentEnd[segment++] = tokenCount;
  }
  const t = COPY_TOKENS;
  t.count = tokenCount;
  t.hash = tokenHash;
  t.flags = tokenFlags;
  t.segments = segment;
  t.segmentEnd = segmentEnd;
  t.words = wordTotal;
  t.wordHash = wordHash;
  t.wordFirst = wordFirst;
  t.lineCount = copyList.length;
  return t;
}

/** The copy lines of the story `scanCopy` reads (scratch). */
const copyList: string[] = [];

/** `scannable(line)`, given the line's `LINE_*` flags: no pattern test where the flags tell. */
function scannableAs(line: string, flags: number): string {
  if (flags & LINE_NON_ASCII) return scannable(line);
  return flags & LINE_MARKUP ? stripMarkup(line) : line;
}

/** In an all-caps line no word is a capital. */
function clearCapitals(start: number): void {
  for (let k = start; k < tokenCount; k++) tokenFlags[k] = tokenFlags[k]! & ~TOKEN_CAPITAL;
}

/** Room for `n` more tokens (each one takes a character at least). */
function reserve(n: number): void {
  tokenHash = room(tokenHash, tokenCount + n, tokenCount);
  tokenFlags = room(tokenFlags, tokenCount + n, tokenCount);
  wordHash = room(wordHash, wordTotal + n, wordTotal);
  wordFirst = room(wordFirst, wordTotal + n, wordTotal);
}

/** `a` if it holds `need` items, else a larger copy (at least doubled) of its first `keep`. */
function room<A extends Uint8Array | Uint32Array>(a: A, need: number, keep: number): A {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (length: number) => A)(Math.max(need, a.length * 2));
  b.set(a.subarray(0, keep));
  return b;
}

/** Appends a token: its hash, `combine(0, hash)` and `TOKEN_*` flags. */
function push(hash: number, first: number, flags: number): void {
  const k = tokenCount++;
  tokenHash[k] = hash;
  tokenFlags[k] = flags;
  if ((flags & TOKEN_STOP) === 0) {
    wordHash[wordTotal] = hash;
    wordFirst[wordTotal++] = first;
  }
}

/** The `Token` of a word or figure for `tokenize`. */
function tokenOf(w: WordInfo, upperFirst: boolean, allCaps: boolean): Token {
  if (w.digits) return { norm: w.norm, hash: w.hash, figure: true, capital: false, stop: false };
  return upperFirst && w.capFlag !== 0 && !allCaps ? w.capitalToken : w.token;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Reads the words and figures of `text` (already through `scannable`) into the token arrays,
 * and into `out` when given (capitals there decided by `allCaps`). Reads exactly what
 * `\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th)?|\p{L}[\p{L}\p{M}]*(?:'\p{L}+)?`
 * (flag u) matches; counts the ASCII letters on the way (every one is inside a match).
 */
function scan(text: string, out: Token[] | null, allCaps: boolean): void {
  const n = text.length;
  reserve(n);
  let letters = 0;
  let lowerBits = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      const end = figureEnd(text, i);
      // An ordinal suffix (st, nd, rd, th) is the only place a figure holds letters.
      if (isAsciiLetter(text.charCodeAt(end - 1))) {
        letters += 2;
        lowerBits += 64;
      }
      const e = figureEntry(text, i, end);
      const f = entries[e + E_FLAGS]!;
      if (f !== NO_TOKEN) {
        push(entries[e + E_HASH]!, entries[e + E_FIRST]!, f & ~TOKEN_CAPITAL);
        if (out !== null) out.push(tokenOf(entryInfo[e / ENTRY]!, false, allCaps));
      }
      i = end;
      continue;
    }
    let end: number;
    let ascii = true;
    // The hash of the lower-case spelling is taken while scanning (`| 32` lower-cases an ASCII
    // letter and leaves the apostrophe, 39, as it is).
    let h: number;
    if (isAsciiLetter(c)) {
      h = Math.imul(FNV_OFFSET ^ (c | 32), FNV_PRIME);
      lowerBits += c & 32;
      end = i + 1;
    } else if (c >= 128) {
      const k = classAt(text, i);
      if (k >> 2 !== LETTER) {
        i += k & 3;
        continue;
      }
      h = 0;
      ascii = false;
      end = i + (k & 3);
    } else {
      i++;
      continue;
    }
    // Letters and marks.
    while (end < n) {
      const d = text.charCodeAt(end);
      if (isAsciiLetter(d)) {
        h = Math.imul(h ^ (d | 32), FNV_PRIME);
        lowerBits += d & 32;
        end++;
        continue;
      }
      if (d < 128) break;
      const k = classAt(text, end);
      if (k >> 2 === OTHER) break;
      ascii = false;
      end += k & 3;
    }
    // One apostrophe followed by letters belongs to the word (o'neil, company's).
    let apostrophe = 0;
    if (end + 1 < n && text.charCodeAt(end) === 39 && isLetterAt(text, end + 1)) {
      h = Math.imul(h ^ 39, FNV_PRIME);
      apostrophe = 1;
      end++;
      while (end < n) {
        const d = text.charCodeAt(end);
        if (isAsciiLetter(d)) {
          h = Math.imul(h ^ (d | 32), FNV_PRIME);
          lowerBits += d & 32;
          end++;
          continue;
        }
        if (d < 128) break;
        const k = classAt(text, end);
        if (k >> 2 !== LETTER) break;
        ascii = false;
        end += k & 3;
      }
    }
    // The ASCII letters of the word (for the all-caps test): all but the apostrophe when it
    // is all ASCII.
    if (ascii) letters += end - i - apostrophe;
    else for (let k = i; k < end; k++) if (isAsciiLetter(text.charCodeAt(k))) letters++;
    if (ascii) {
      const e = asciiEntry(text, i, end, h);
      const f = entries[e + E_FLAGS]!;
      if (f !== NO_TOKEN) {
        // A capital only when written with one (A–Z is below 91) and capitalizable.
        push(entries[e + E_HASH]!, entries[e + E_FIRST]!, c <= 90 ? f : f & ~TOKEN_CAPITAL);
        if (out !== null) out.push(tokenOf(entryInfo[e / ENTRY]!, c <= 90, allCaps));
      }
    } else {
      const raw = text.slice(i, end);
      const w = rawWordInfo(raw.toLowerCase());
      if (w) {
        const upperFirst = (c >= 65 && c <= 90) || (c > 127 && /^\p{Lu}/u.test(raw));
        push(w.hash, w.first, upperFirst ? w.flags | w.capFlag : w.flags);
        if (out !== null) out.push(tokenOf(w, upperFirst, allCaps));
      }
    }
    i = end;
  }
  scanLetters = letters;
  scanUpper = letters - (lowerBits >>> 5);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiLetter(c: number): boolean {
  // `| 32` takes A–Z onto a–z and nothing else into a–z.
  return ((c | 32) - 97) >>> 0 < 26;
}

const LETTER = 1;
const MARK = 2;
const OTHER = 3;
/** Class of each BMP code unit, filled on first sight: 0 unknown, else LETTER, MARK or OTHER. */
const BMP_CLASS = new Uint8Array(0x10000);

function classOf(ch: string): number {
  return /\p{L}/u.test(ch) ? LETTER : /\p{M}/u.test(ch) ? MARK : OTHER;
}

/** Class of the code point at `i` (× 4) plus its length in code units (1 or 2). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return classOf(text.slice(i, i + 2)) * 4 + 2;
  }
  let k = BMP_CLASS[c]!;
  if (k === 0) BMP_CLASS[c] = k = classOf(String.fromCharCode(c));
  return k * 4 + 1;
}

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiLetter(c);
  return classAt(text, i) >> 2 === LETTER;
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

/** The table entry of a figure as written (`text[start, end)`: digits, `,./-`, a lower-case suffix). */
function figureEntry(text: string, start: number, end: number): number {
  // The figure's characters are their own lower case: the word table serves figures too (a word
  // starts with a letter, a figure with a digit, so the two never meet).
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return asciiEntry(text, start, end, h);
}

/** The word a lower-case spelling stands for (possessive and apostrophes dropped); null: none. */
function rawWordInfo(lower: string): WordInfo | null {
  if (isDigit(lower.charCodeAt(0))) {
    if (!RE_FIGURE.test(lower)) return null;
    return makeInfo(canonicalFigure(lower), true, false, false, false, true);
  }
  const word = lower.includes("'") ? lower.replace(/'s$/, '').replace(/'/g, '') : lower;
  if (word.length === 0) return null;
  const w = wordInfo(word);
  return w.skip ? null : w;
}

/**
 * ASCII words and figures as scanned, by the hash of their lower-case spelling computed while
 * scanning: the common word costs no substring, no lower-casing and no string hashing. Open
 * addressing in typed arrays, each entry holding what a token needs, so that a lookup reads a
 * few adjacent numbers and bytes rather than a chain of objects and strings.
 */
const ENTRY = 6;
/** Fields of an entry: the spelling's scan hash, length and offset in `spellings`, … */
const E_KEY = 0;
const E_LENGTH = 1;
const E_SPELLING = 2;
/** … then its token's hash, `combine(0, hash)`, and flags (capitalizable: TOKEN_CAPITAL), or NO_TOKEN. */
const E_HASH = 3;
const E_FIRST = 4;
const E_FLAGS = 5;
const NO_TOKEN = -1;

let entries = new Int32Array(ENTRY * 4096);
/** The word of each entry, for `tokenize` (null: NO_TOKEN). */
const entryInfo: Array<WordInfo | null> = [];
let entryCount = 0;
/** Entry offset + 1 per slot, 0 when empty; at most half full. */
let slots = new Int32Array(8192);
let slotShift = 32 - 13;
/** Lower-case spellings, back to back (ASCII). */
let spellings = new Uint8Array(1 << 16);
let spellingsUsed = 0;

function slotOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> slotShift;
}

/** Offset in `entries` of the ASCII word or figure `text[start, end)`, whose scan hash is `key`. */
function asciiEntry(text: string, start: number, end: number, key: number): number {
  const len = end - start;
  const mask = slots.length - 1;
  let slot = slotOf(key);
  for (let e1 = slots[slot]!; e1 !== 0; e1 = slots[slot]!) {
    const e = e1 - 1;
    if (entries[e + E_KEY] === key && entries[e + E_LENGTH] === len) {
      const at = entries[e + E_SPELLING]!;
      let k = 0;
      while (k < len && (text.charCodeAt(start + k) | 32) === spellings[at + k]) k++;
      if (k === len) return e;
    }
    slot = (slot + 1) & mask;
  }
  return addEntry(text, start, end, key);
}

function addEntry(text: string, start: number, end: number, key: number): number {
  if (entryCount >= WORDS_MAX) {
    slots.fill(0);
    entryCount = 0;
    entryInfo.length = 0;
    spellingsUsed = 0;
  }
  const len = end - start;
  if ((entryCount + 1) * 2 > slots.length) growSlots();
  if ((entryCount + 1) * ENTRY > entries.length) {
    const grown = new Int32Array(entries.length * 2);
    grown.set(entries);
    entries = grown;
  }
  if (spellingsUsed + len > spellings.length) {
    const grown = new Uint8Array(Math.max(spellings.length * 2, spellingsUsed + len));
    grown.set(spellings.subarray(0, spellingsUsed));
    spellings = grown;
  }
  const lower = text.slice(start, end).toLowerCase();
  const info = rawWordInfo(lower);
  const e = entryCount * ENTRY;
  entries[e + E_KEY] = key;
  entries[e + E_LENGTH] = len;
  entries[e + E_SPELLING] = spellingsUsed;
  for (let k = 0; k < len; k++) spellings[spellingsUsed + k] = lower.charCodeAt(k);
  spellingsUsed += len;
  entries[e + E_HASH] = info ? info.hash : 0;
  entries[e + E_FIRST] = info ? info.first : 0;
  entries[e + E_FLAGS] = info ? info.flags | info.capFlag : NO_TOKEN;
  entryInfo[entryCount++] = info;
  const mask = slots.length - 1;
  let slot = slotOf(key);
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = e + 1;
  return e;
}

function growSlots(): void {
  slots = new Int32Array(slots.length * 2);
  slotShift--;
  const mask = slots.length - 1;
  for (let e = 0; e < entryCount * ENTRY; e += ENTRY) {
    let slot = slotOf(entries[e + E_KEY]!);
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = e + 1;
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
  return decodeEntities(
    html
      .replace(/<(script|style|head|nav|footer|aside|noscript|form)\b[\s\S]*?<\/\1>/gi, '\n')
      .replace(/<\/?(?:p|div|br|li|ul|ol|h[1-6]|section|article|header|main|figure|figcaption|table|tr|td|blockquote)\b[^>]*>/gi, '\n')
      .replace(/<[^>]+>/g, ' '),
  );
}

export function copyLines(headline: string, body: readonly string[]): { headline: string; lines: string[] } {
  const lines: string[] = [];
  return { headline: selectCopy(headline, body, lines), lines };
}

/** What the line pass saw in a line: a character outside ASCII, a markup bracket (`<>[]`). */
const LINE_NON_ASCII = 1;
const LINE_MARKUP = 2;

/** Candidate lines of the story being read, with their word counts and `LINE_*` flags (scratch). */
const rawLines: string[] = [];
let rawWords = new Int32Array(64);
let rawFlags = new Uint8Array(64);
let rawCount = 0;
/** `LINE_*` flags of the lines `selectCopy` kept, in order (scratch). */
let copyFlags = new Uint8Array(64);
/** Set by `cleanLine`: the cleaned line's words and `LINE_*` flags. */
let lineWords = 0;
let lineFlags = 0;

/**
 * `copyLines`: pushes the copy lines onto `lines` (their flags in `copyFlags`) and returns the
 * headline with its spaces collapsed. Each line is read once for its spaces, words and flags.
 */
function selectCopy(headline: string, body: readonly string[], lines: string[]): string {
  rawCount = 0;
  rawLines.length = 0;
  for (const block of body) {
    const text = block.includes('<') && HTML_TAG.test(block) ? htmlToLines(block) : block;
    if (!text.includes('\n')) addRawLine(text);
    else for (const line of text.split(/\n+/)) addRawLine(line);
  }
  if (copyFlags.length < rawCount) copyFlags = new Uint8Array(Math.max(rawCount, copyFlags.length * 2));
  // Whether the body is mixed case, asked only when a short capitals line needs the answer.
  let mixedCaseBody = -1;
  for (let r = 0; r < rawCount; r++) {
    const line = rawLines[r]!;
    const words = rawWords[r]!;
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
    if (words <= 16 && isAllCaps(line)) {
      if (mixedCaseBody === -1) mixedCaseBody = isMixedCaseBody() ? 1 : 0;
      if (mixedCaseBody === 1) continue;
    }
    copyFlags[lines.length] = rawFlags[r]!;
    lines.push(line);
  }
  return cleanLine(headline);
}

/** A line of at least 6 words in lower case somewhere, not set in capitals. */
function isMixedCaseBody(): boolean {
  for (let r = 0; r < rawCount; r++) {
    const l = rawLines[r]!;
    if (rawWords[r]! >= 6 && /[a-z]/.test(l) && !isAllCaps(l)) return true;
  }
  return false;
}

function addRawLine(line: string): void {
  const t = cleanLine(line);
  if (!t) return;
  if (rawCount === rawWords.length) {
    const w = new Int32Array(rawCount * 2);
    w.set(rawWords);
    rawWords = w;
    const f = new Uint8Array(rawCount * 2);
    f.set(rawFlags);
    rawFlags = f;
  }
  rawLines.push(flatCopy(t));
  rawWords[rawCount] = lineWords;
  rawFlags[rawCount++] = lineFlags;
}

/**
 * `s` as one flat string of its own. Normalized copy arrives as slices of a larger text (and a
 * block split at line breaks is sliced again); every character read of a slice goes through its
 * parent, which made reading normalized stories ~10 µs slower than the same text in a flat
 * string. Joining two pieces builds a flat copy (a concatenation would make a cons string).
 */
function flatCopy(s: string): string {
  return s.length < 2 ? s : [s.slice(0, 1), s.slice(1)].join('');
}

/**
 * `s.replace(/\s+/g, ' ').trim()`, without the copy when `s` is already clean; sets `lineWords`
 * (`split(' ').length` of the result) and `lineFlags` on the way.
 */
function cleanLine(s: string): string {
  let words = 1;
  let flags = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (i === 0 || i === n - 1 || s.charCodeAt(i + 1) === 32) return cleanCopy(s);
      words++;
    } else if (c < 128) {
      if (c <= 32) return cleanCopy(s);
      if (c === 60 || c === 62 || c === 91 || c === 93) flags |= LINE_MARKUP;
    } else {
      if (isSpaceAbove127(c)) return cleanCopy(s);
      flags |= LINE_NON_ASCII;
    }
  }
  lineWords = words;
  lineFlags = flags;
  return s;
}

/** Whether a code unit above 127 is white space to `\s` (Unicode Zs, line and paragraph separators, BOM). */
function isSpaceAbove127(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
}

/** `cleanLine` for a line that needs collapsing. */
function cleanCopy(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  let words = 1;
  let flags = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 32) words++;
    else if (c >= 128) flags |= LINE_NON_ASCII;
    else if (c === 60 || c === 62 || c === 91 || c === 93) flags |= LINE_MARKUP;
  }
  lineWords = words;
  lineFlags = flags;
  return t;
}

function startsWithBy(line: string): boolean {
  return line.length > 3 && (line.charCodeAt(0) | 32) === 98 && (line.charCodeAt(1) | 32) === 121;
}
