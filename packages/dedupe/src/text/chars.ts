/** Character tests of the copy readers, on UTF-16 code units (no string or regex per character). */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetter(c: number): boolean {
  // `| 32` takes A–Z onto a–z and nothing else into a–z.
  return ((c | 32) - 97) >>> 0 < 26;
}

/** Classes of `classAt`. */
export const LETTER = 1;
const MARK = 2;
export const OTHER = 3;
/**
 * Class of each BMP code unit, filled on first sight: 0 unknown, else LETTER, MARK or OTHER. A
 * memo of a pure function shared by every reader: an entry, once written, never changes.
 */
const BMP_CLASS = new Uint8Array(0x10000);

function classOf(ch: string): number {
  return /\p{L}/u.test(ch) ? LETTER : /\p{M}/u.test(ch) ? MARK : OTHER;
}

/** Class of the code point at `i` (× 4) plus its length in code units (1 or 2). */
export function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return classOf(text.slice(i, i + 2)) * 4 + 2;
  }
  let k = BMP_CLASS[c]!;
  if (k === 0) BMP_CLASS[c] = k = classOf(String.fromCharCode(c));
  return k * 4 + 1;
}

export function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiLetter(c);
  return classAt(text, i) >> 2 === LETTER;
}

/** Whether a code unit above 127 is white space to `\s` (Unicode Zs, line and paragraph separators, BOM). */
export function isSpaceAbove127(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
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
