/**
 * Word tables: what each spelling of a word stands for (its normalized form, hash and flags, its
 * shared `Token`), computed once per spelling and kept — news vocabulary repeats, and folding is
 * costly. `WordTable.asciiEntry` finds an ASCII word or figure by the hash the scanner computes
 * while reading it, so the common word costs no substring, no lower-casing and no string hashing.
 */
import { combine, hashString } from '../hash';
import { isDigit } from './chars';
import { canonicalFigure, CAPITAL_COMMON, foldWord, NUMBER_WORDS, RE_FIGURE, STOP, SYNONYMS } from './spelling';

/** One token of copy: the normalized form used by shingles, plus what the veto needs. */
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

/** Flags of a token in `CopyTokens.flags`. */
export const TOKEN_STOP = 1;
export const TOKEN_FIGURE = 2;
/** A capital inside mixed-case copy (the line's all-caps test applied). */
export const TOKEN_CAPITAL = 4;

export interface WordInfo {
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

/** Spellings a table keeps before it starts afresh. */
const WORDS_MAX = 200_000;

/** The FNV-1a hash the scanner takes of a spelling while reading it (lower case). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * Entries of the ASCII table: open addressing in typed arrays, each entry holding what a token
 * needs, so that a lookup reads a few adjacent numbers and bytes rather than a chain of objects
 * and strings.
 */
const ENTRY = 6;
/** Fields of an entry: the spelling's scan hash, length and offset in `spellings`, … */
const E_KEY = 0;
const E_LENGTH = 1;
const E_SPELLING = 2;
/** … then its token's hash, `combine(0, hash)`, and flags (capitalizable: TOKEN_CAPITAL), or NO_TOKEN. */
export const E_HASH = 3;
export const E_FIRST = 4;
export const E_FLAGS = 5;
export const NO_TOKEN = -1;

/**
 * What each spelling stands for, kept. A table only ever adds entries (or drops them all at
 * `WORDS_MAX`), and an entry, once written, never changes: what a lookup returns depends on the
 * spelling alone, so one table may serve any number of scanners, one lookup after another.
 * Read `entries` again after each lookup (a lookup may grow it).
 */
export class WordTable {
  /** Words by their lower-case spelling. */
  private readonly words = new Map<string, WordInfo>();
  /** ASCII words and figures as scanned, `ENTRY` numbers each (`E_*`). */
  entries = new Int32Array(ENTRY * 4096);
  /** The word of each entry, for `tokenize` (null: NO_TOKEN). */
  private readonly entryInfo: Array<WordInfo | null> = [];
  private entryCount = 0;
  /** Entry offset + 1 per slot, 0 when empty; at most half full. */
  private slots = new Int32Array(8192);
  private slotShift = 32 - 13;
  /** Lower-case spellings, back to back (ASCII). */
  private spellings = new Uint8Array(1 << 16);
  private spellingsUsed = 0;

  /** The word of a lower-case spelling. */
  wordInfo(lower: string): WordInfo {
    let w = this.words.get(lower);
    if (w) return w;
    const numberWord = NUMBER_WORDS[lower];
    const syn = SYNONYMS[lower];
    const norm = numberWord ?? foldWord(syn ?? lower);
    w = makeInfo(norm, numberWord !== undefined, STOP.has(lower), syn === '', !CAPITAL_COMMON.has(lower), false);
    if (this.words.size >= WORDS_MAX) this.words.clear();
    this.words.set(lower, w);
    return w;
  }

  /** The word a lower-case spelling stands for (possessive and apostrophes dropped); null: none. */
  rawWordInfo(lower: string): WordInfo | null {
    if (isDigit(lower.charCodeAt(0))) {
      if (!RE_FIGURE.test(lower)) return null;
      return makeInfo(canonicalFigure(lower), true, false, false, false, true);
    }
    const word = lower.includes("'") ? lower.replace(/'s$/, '').replace(/'/g, '') : lower;
    if (word.length === 0) return null;
    const w = this.wordInfo(word);
    return w.skip ? null : w;
  }

  /** The word of the entry at offset `e` (null: NO_TOKEN). */
  infoAt(e: number): WordInfo | null {
    return this.entryInfo[e / ENTRY]!;
  }

  /** The table entry of a figure as written (`text[start, end)`: digits, `,./-`, a lower-case suffix). */
  figureEntry(text: string, start: number, end: number): number {
    // The figure's characters are their own lower case: the word table serves figures too (a word
    // starts with a letter, a figure with a digit, so the two never meet).
    let h = FNV_OFFSET;
    for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
    return this.asciiEntry(text, start, end, h);
  }

  /** Offset in `entries` of the ASCII word or figure `text[start, end)`, whose scan hash is `key`. */
  asciiEntry(text: string, start: number, end: number, key: number): number {
    const len = end - start;
    const entries = this.entries;
    const slots = this.slots;
    const spellings = this.spellings;
    const mask = slots.length - 1;
    let slot = this.slotOf(key);
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
    return this.addEntry(text, start, end, key);
  }

  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.slotShift;
  }

  private addEntry(text: string, start: number, end: number, key: number): number {
    if (this.entryCount >= WORDS_MAX) {
      this.slots.fill(0);
      this.entryCount = 0;
      this.entryInfo.length = 0;
      this.spellingsUsed = 0;
    }
    const len = end - start;
    if ((this.entryCount + 1) * 2 > this.slots.length) this.growSlots();
    if ((this.entryCount + 1) * ENTRY > this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    if (this.spellingsUsed + len > this.spellings.length) {
      const grown = new Uint8Array(Math.max(this.spellings.length * 2, this.spellingsUsed + len));
      grown.set(this.spellings.subarray(0, this.spellingsUsed));
      this.spellings = grown;
    }
    const lower = text.slice(start, end).toLowerCase();
    const info = this.rawWordInfo(lower);
    const entries = this.entries;
    const e = this.entryCount * ENTRY;
    entries[e + E_KEY] = key;
    entries[e + E_LENGTH] = len;
    entries[e + E_SPELLING] = this.spellingsUsed;
    for (let k = 0; k < len; k++) this.spellings[this.spellingsUsed + k] = lower.charCodeAt(k);
    this.spellingsUsed += len;
    entries[e + E_HASH] = info ? info.hash : 0;
    entries[e + E_FIRST] = info ? info.first : 0;
    entries[e + E_FLAGS] = info ? info.flags | info.capFlag : NO_TOKEN;
    this.entryInfo[this.entryCount++] = info;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = this.slotOf(key);
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = e + 1;
    return e;
  }

  private growSlots(): void {
    const slots = (this.slots = new Int32Array(this.slots.length * 2));
    this.slotShift--;
    const mask = slots.length - 1;
    for (let e = 0; e < this.entryCount * ENTRY; e += ENTRY) {
      let slot = this.slotOf(this.entries[e + E_KEY]!);
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
  }
}

/** The table scanners share unless given their own (one per thread: each has its own modules). */
export const sharedWordTable = new WordTable();
