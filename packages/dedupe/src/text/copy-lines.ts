/**
 * Which lines of a story count as copy. Drops what looks like page chrome or boilerplate: ad and
 * share markers, copyright lines, datelines of the page, weather widgets, bylines with e-mails,
 * short lines without figures (navigation, section names), and, in a mixed-case body, lines set
 * in capitals (repeated page headline, related-article lists). Everything after a "Related
 * articles" / "Share this" marker is dropped too. Leftover HTML is read as text, with scripts,
 * styles, navigation, asides and footers dropped.
 */
import { isAllCaps, isDigit, isSpaceAbove127 } from './chars';
import { HTML_TAG, htmlToLines } from './html-lines';

const CHROME_LINE =
  /^(?:-\s*)?(?:advertisement|advertising|sponsored|must read|related( articles| stories| links)?|read more|more from|share( this( article| story)?)?|subscribe|sign up|newsletter|follow us|copyright|all rights reserved|privacy policy|terms of (?:use|service)|cookies?|trending|most (?:read|popular)|recommended|comments?|top stories|latest news|you may also like)\b/i;
const DATE_LINE =
  /^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}$/i;
const WEATHER_LINE = /^-?\d{1,3}\s*°?\s*[FC]$/;
const BYLINE_LINE = /^by\s+[A-Za-z .'-]+(?:\[[^\]]*@[^\]]*\]|\([^)]*@[^)]*\))?$/i;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;

/** What the line pass saw in a line: a character outside ASCII, a markup bracket (`<>[]`). */
export const LINE_NON_ASCII = 1;
export const LINE_MARKUP = 2;

/** The copy lines of a story and its headline with its spaces collapsed. */
export function copyLines(headline: string, body: readonly string[]): { headline: string; lines: string[] } {
  const lines: string[] = [];
  return { headline: new CopyLineReader().select(headline, body, lines), lines };
}

/**
 * The line pass, with its scratch space: a reader is reused story after story by its owner (a
 * `CopyScanner`), and what one `select` leaves in `copyFlags` and `headlineFlags` holds until
 * the next.
 */
export class CopyLineReader {
  /** `LINE_*` flags of the lines `select` kept, in order. */
  copyFlags = new Uint8Array(64);
  /** `LINE_*` flags of the headline `select` returned. */
  headlineFlags = 0;
  /** Candidate lines of the story being read, with their word counts and `LINE_*` flags. */
  private readonly rawLines: string[] = [];
  private rawWords = new Int32Array(64);
  private rawFlags = new Uint8Array(64);
  private rawCount = 0;
  /** Set by `cleanLine`: the cleaned line's words and `LINE_*` flags. */
  private lineWords = 0;
  private lineFlags = 0;

  /**
   * `copyLines`: pushes the copy lines onto `lines` (their flags in `copyFlags`) and returns the
   * headline with its spaces collapsed. Each line is read once for its spaces, words and flags.
   */
  select(headline: string, body: readonly string[], lines: string[]): string {
    this.rawCount = 0;
    this.rawLines.length = 0;
    for (const block of body) {
      const text = block.includes('<') && HTML_TAG.test(block) ? htmlToLines(block) : block;
      if (!text.includes('\n')) this.addRawLine(text);
      else for (const line of text.split(/\n+/)) this.addRawLine(line);
    }
    const { rawLines, rawWords, rawFlags, rawCount } = this;
    if (this.copyFlags.length < rawCount) this.copyFlags = new Uint8Array(Math.max(rawCount, this.copyFlags.length * 2));
    const copyFlags = this.copyFlags;
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
        if (mixedCaseBody === -1) mixedCaseBody = this.isMixedCaseBody() ? 1 : 0;
        if (mixedCaseBody === 1) continue;
      }
      copyFlags[lines.length] = rawFlags[r]!;
      lines.push(line);
    }
    const head = this.cleanLine(headline);
    this.headlineFlags = this.lineFlags;
    return head;
  }

  /** A line of at least 6 words in lower case somewhere, not set in capitals. */
  private isMixedCaseBody(): boolean {
    for (let r = 0; r < this.rawCount; r++) {
      const l = this.rawLines[r]!;
      if (this.rawWords[r]! >= 6 && /[a-z]/.test(l) && !isAllCaps(l)) return true;
    }
    return false;
  }

  private addRawLine(line: string): void {
    const t = this.cleanLine(line);
    if (!t) return;
    const n = this.rawCount;
    if (n === this.rawWords.length) {
      const w = new Int32Array(n * 2);
      w.set(this.rawWords);
      this.rawWords = w;
      const f = new Uint8Array(n * 2);
      f.set(this.rawFlags);
      this.rawFlags = f;
    }
    this.rawLines.push(flatCopy(t));
    this.rawWords[n] = this.lineWords;
    this.rawFlags[n] = this.lineFlags;
    this.rawCount = n + 1;
  }

  /**
   * `s.replace(/\s+/g, ' ').trim()`, without the copy when `s` is already clean; sets `lineWords`
   * (`split(' ').length` of the result) and `lineFlags` on the way.
   */
  private cleanLine(s: string): string {
    let words = 1;
    let flags = 0;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 32) {
        if (i === 0 || i === n - 1 || s.charCodeAt(i + 1) === 32) return this.cleanCopy(s);
        words++;
      } else if (c < 128) {
        if (c <= 32) return this.cleanCopy(s);
        if (c === 60 || c === 62 || c === 91 || c === 93) flags |= LINE_MARKUP;
      } else {
        if (isSpaceAbove127(c)) return this.cleanCopy(s);
        flags |= LINE_NON_ASCII;
      }
    }
    this.lineWords = words;
    this.lineFlags = flags;
    return s;
  }

  /** `cleanLine` for a line that needs collapsing. */
  private cleanCopy(s: string): string {
    const t = s.replace(/\s+/g, ' ').trim();
    let words = 1;
    let flags = 0;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 32) words++;
      else if (c >= 128) flags |= LINE_NON_ASCII;
      else if (c === 60 || c === 62 || c === 91 || c === 93) flags |= LINE_MARKUP;
    }
    this.lineWords = words;
    this.lineFlags = flags;
    return t;
  }
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

function startsWithBy(line: string): boolean {
  return line.length > 3 && (line.charCodeAt(0) | 32) === 98 && (line.charCodeAt(1) | 32) === 121;
}
