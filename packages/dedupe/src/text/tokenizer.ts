/**
 * The tokenizer: the words and figures of copy, normalized (`spelling.ts`, `words.ts`), as
 * `Token`s (`tokenize`) or as flat typed arrays for the fingerprint (`CopyScanner.scanCopy`).
 * Each `CopyScanner` owns its scratch arrays, reused story after story; the `CopyTokens` a scan
 * returns are valid until that scanner's next scan. Scanners share the word table.
 */
import { classAt, isAllCaps, isAsciiLetter, isDigit, isLetterAt, LETTER, OTHER } from './chars';
import { CopyLineReader, LINE_MARKUP, LINE_NON_ASCII } from './copy-lines';
import { foldUnicode, stripTickers } from './spelling';
import { E_FIRST, E_FLAGS, E_HASH, FNV_OFFSET, FNV_PRIME, NO_TOKEN, sharedWordTable, TOKEN_CAPITAL, TOKEN_STOP, type Token, type WordInfo, type WordTable } from './words';

/**
 * @internal The tokens of a story's copy, flat, as `scanCopy` leaves them for the fingerprint.
 * The arrays are the scanner's scratch space: read them before its next scan.
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

/** Splits one paragraph into tokens. */
export function tokenize(paragraph: string, opts: { allCaps?: boolean } = {}): Token[] {
  return new CopyScanner().tokenize(paragraph, opts);
}

/**
 * The text the scanner reads: ticker markup stripped and, when there is any non-ASCII
 * character, accents, curly quotes and dashes folded to ASCII.
 */
function scannable(paragraph: string): string {
  // Wire copy is nearly always ASCII: the Unicode folding only where it is needed.
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(paragraph)) return stripTickers(paragraph);
  return stripTickers(foldUnicode(paragraph.normalize('NFKD')));
}

/** `scannable(line)`, given the line's `LINE_*` flags: no pattern test where the flags tell. */
function scannableAs(line: string, flags: number): string {
  if (flags & LINE_NON_ASCII) return scannable(line);
  return flags & LINE_MARKUP ? stripTickers(line) : line;
}

/** `a` if it holds `need` items, else a larger copy (at least doubled) of its first `keep`. */
function room<A extends Uint8Array | Uint32Array>(a: A, need: number, keep: number): A {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (length: number) => A)(Math.max(need, a.length * 2));
  b.set(a.subarray(0, keep));
  return b;
}

/** The `Token` of a word or figure for `tokenize`. */
function tokenOf(w: WordInfo, upperFirst: boolean, allCaps: boolean): Token {
  if (w.digits) return { norm: w.norm, hash: w.hash, figure: true, capital: false, stop: false };
  return upperFirst && w.capFlag !== 0 && !allCaps ? w.capitalToken : w.token;
}

/**
 * Reads copy into tokens, with scratch space of its own. Keep one per reader (the fingerprint
 * keeps one) and read what `scanCopy` returns before scanning again.
 *
 * @example
 * const scanner = new CopyScanner();
 * const t = scanner.scanCopy(story.headline, story.body); // t.hash[0 … t.count), valid until the next scan
 */
export class CopyScanner {
  private tokenHash = new Uint32Array(1024);
  private tokenFlags = new Uint8Array(1024);
  private tokenCount = 0;
  private wordHash = new Uint32Array(1024);
  private wordFirst = new Uint32Array(1024);
  private wordTotal = 0;
  private segmentEnd = new Int32Array(64);
  /** ASCII letters of the last `scan` and how many of them were upper case (for `isAllCaps`). */
  private scanLetters = 0;
  private scanUpper = 0;
  /** The copy lines of the story `scanCopy` reads. */
  private readonly copyList: string[] = [];
  private readonly lines = new CopyLineReader();
  private readonly result: CopyTokens = { count: 0, hash: this.tokenHash, flags: this.tokenFlags, segments: 0, segmentEnd: this.segmentEnd, words: 0, wordHash: this.wordHash, wordFirst: this.wordFirst, lineCount: 0 };

  constructor(private readonly table: WordTable = sharedWordTable) {}

  /** Splits one paragraph into tokens. */
  tokenize(paragraph: string, opts: { allCaps?: boolean } = {}): Token[] {
    const out: Token[] = [];
    const text = scannable(paragraph);
    this.tokenCount = 0;
    this.wordTotal = 0;
    this.scan(text, out, opts.allCaps ?? isAllCaps(text));
    return out;
  }

  /**
   * @internal The copy lines of a story (`copyLines`) tokenized into flat scratch arrays: what
   * `tokenize` gives for the headline (all-caps test on the headline as written) and each line,
   * without a token object or array per line. Valid until this scanner's next scan.
   */
  scanCopy(headline: string, body: readonly string[]): CopyTokens {
    const copyList = this.copyList;
    copyList.length = 0;
    const head = this.lines.select(headline, body, copyList);
    const headFlags = this.lines.headlineFlags;
    const copyFlags = this.lines.copyFlags;
    this.tokenCount = 0;
    this.wordTotal = 0;
    const segments = copyList.length + 1;
    if (this.segmentEnd.length < segments) this.segmentEnd = new Int32Array(Math.max(segments, this.segmentEnd.length * 2));
    const segmentEnd = this.segmentEnd;
    let segment = 0;
    if (head) {
      this.scan(scannableAs(head, headFlags), null, false);
      if (isAllCaps(head)) this.clearCapitals(0);
      segmentEnd[segment++] = this.tokenCount;
    }
    for (let l = 0; l < copyList.length; l++) {
      const start = this.tokenCount;
      this.scan(scannableAs(copyList[l]!, copyFlags[l]!), null, false);
      // The line's all-caps test, from the letters the scan counted (what `isAllCaps` would say).
      if (this.scanUpper >= 4 && this.scanLetters - this.scanUpper <= this.scanUpper * 0.1) this.clearCapitals(start);
      segmentEnd[segment++] = this.tokenCount;
    }
    const t = this.result;
    t.count = this.tokenCount;
    t.hash = this.tokenHash;
    t.flags = this.tokenFlags;
    t.segments = segment;
    t.segmentEnd = segmentEnd;
    t.words = this.wordTotal;
    t.wordHash = this.wordHash;
    t.wordFirst = this.wordFirst;
    t.lineCount = copyList.length;
    return t;
  }

  /** In an all-caps line no word is a capital. */
  private clearCapitals(start: number): void {
    const tokenFlags = this.tokenFlags;
    for (let k = start; k < this.tokenCount; k++) tokenFlags[k] = tokenFlags[k]! & ~TOKEN_CAPITAL;
  }

  /** Room for `n` more tokens (each one takes a character at least). */
  private reserve(n: number): void {
    this.tokenHash = room(this.tokenHash, this.tokenCount + n, this.tokenCount);
    this.tokenFlags = room(this.tokenFlags, this.tokenCount + n, this.tokenCount);
    this.wordHash = room(this.wordHash, this.wordTotal + n, this.wordTotal);
    this.wordFirst = room(this.wordFirst, this.wordTotal + n, this.wordTotal);
  }

  /** Appends a token: its hash, `combine(0, hash)` and `TOKEN_*` flags. */
  private push(hash: number, first: number, flags: number): void {
    const k = this.tokenCount++;
    this.tokenHash[k] = hash;
    this.tokenFlags[k] = flags;
    if ((flags & TOKEN_STOP) === 0) {
      const w = this.wordTotal++;
      this.wordHash[w] = hash;
      this.wordFirst[w] = first;
    }
  }

  /**
   * Reads the words and figures of `text` (already through `scannable`) into the token arrays,
   * and into `out` when given (capitals there decided by `allCaps`). Reads exactly what
   * `\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th)?|\p{L}[\p{L}\p{M}]*(?:'\p{L}+)?`
   * (flag u) matches; counts the ASCII letters on the way (every one is inside a match).
   */
  private scan(text: string, out: Token[] | null, allCaps: boolean): void {
    const table = this.table;
    const n = text.length;
    this.reserve(n);
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
        const e = table.figureEntry(text, i, end);
        const entries = table.entries;
        const f = entries[e + E_FLAGS]!;
        if (f !== NO_TOKEN) {
          this.push(entries[e + E_HASH]!, entries[e + E_FIRST]!, f & ~TOKEN_CAPITAL);
          if (out !== null) out.push(tokenOf(table.infoAt(e)!, false, allCaps));
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
        const e = table.asciiEntry(text, i, end, h);
        const entries = table.entries;
        const f = entries[e + E_FLAGS]!;
        if (f !== NO_TOKEN) {
          // A capital only when written with one (A–Z is below 91) and capitalizable.
          this.push(entries[e + E_HASH]!, entries[e + E_FIRST]!, c <= 90 ? f : f & ~TOKEN_CAPITAL);
          if (out !== null) out.push(tokenOf(table.infoAt(e)!, c <= 90, allCaps));
        }
      } else {
        const raw = text.slice(i, end);
        const w = table.rawWordInfo(raw.toLowerCase());
        if (w) {
          const upperFirst = (c >= 65 && c <= 90) || (c > 127 && /^\p{Lu}/u.test(raw));
          this.push(w.hash, w.first, upperFirst ? w.flags | w.capFlag : w.flags);
          if (out !== null) out.push(tokenOf(w, upperFirst, allCaps));
        }
      }
      i = end;
    }
    this.scanLetters = letters;
    this.scanUpper = letters - (lowerBits >>> 5);
  }
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
