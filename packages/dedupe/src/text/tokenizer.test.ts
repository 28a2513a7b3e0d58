import { describe, expect, it } from 'vitest';
import { MARKET_MONDAY, RESULTS_Q4 } from '../fixtures.test-helpers';
import { CopyScanner, tokenize, type CopyTokens } from './tokenizer';
import { copyLines } from './copy-lines';

/** What a scan holds, copied out of the scanner's arrays. */
const snapshot = (t: CopyTokens) => ({
  hash: [...t.hash.subarray(0, t.count)],
  flags: [...t.flags.subarray(0, t.count)],
  segmentEnd: [...t.segmentEnd.subarray(0, t.segments)],
  words: [...t.wordHash.subarray(0, t.words)],
  first: [...t.wordFirst.subarray(0, t.words)],
  lineCount: t.lineCount,
});

describe('CopyScanner', () => {
  it('keeps what one scanner read while other scanners and tokenize run', () => {
    const a = new CopyScanner();
    const read = a.scanCopy(RESULTS_Q4.headline, RESULTS_Q4.body);
    const before = snapshot(read);
    // Other readers in between: another scanner on another story, and tokenize on a long text.
    new CopyScanner().scanCopy(MARKET_MONDAY.headline, MARKET_MONDAY.body);
    tokenize(MARKET_MONDAY.body.join(' ').repeat(20));
    expect(snapshot(read)).toEqual(before);
    expect(before.hash.length).toBeGreaterThan(50);
  });

  it('reads a story the same way whichever scanner reads it, and however often', () => {
    const fresh = snapshot(new CopyScanner().scanCopy(RESULTS_Q4.headline, RESULTS_Q4.body));
    const reused = new CopyScanner();
    reused.scanCopy(MARKET_MONDAY.headline, MARKET_MONDAY.body.concat(MARKET_MONDAY.body, MARKET_MONDAY.body));
    expect(snapshot(reused.scanCopy(RESULTS_Q4.headline, RESULTS_Q4.body))).toEqual(fresh);
  });

  it('gives the tokens tokenize gives, line by line: headline first, then each copy line', () => {
    const t = new CopyScanner().scanCopy(RESULTS_Q4.headline, RESULTS_Q4.body);
    const { headline, lines } = copyLines(RESULTS_Q4.headline, RESULTS_Q4.body);
    const expected = [headline, ...lines].map((l) => tokenize(l).map((tok) => tok.hash));
    const segments: number[][] = [];
    for (let s = 0, from = 0; s < t.segments; from = t.segmentEnd[s++]!) segments.push([...t.hash.subarray(from, t.segmentEnd[s]!)]);
    expect(segments).toEqual(expected);
  });
});
