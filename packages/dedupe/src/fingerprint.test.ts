import { describe, expect, it } from 'vitest';
import { compare, indexIncoming } from './compare';
import {
  anchorsOf, fingerprintStory, queryAnchorsOf, simhash64, simhashDistance, storedSignature, vetoEntry, ANCHORS, LEDE, LEDE_ANCHORS, QUERY_ANCHORS,
  QUERY_LEDE, QUERY_LEDE_ANCHORS, VETO_ENTRIES, type StoryFingerprint,
} from './fingerprint';
import { MARKET_MONDAY, MARKET_TUESDAY, RESULTS_NEXT_QUARTER, RESULTS_OTHER_COMPANY, RESULTS_Q4, SAME_SUBJECT, story } from './fixtures.test-helpers';
import { copyLines, foldWord, tokenize } from './text';

const cmp = (incoming: Parameters<typeof story>[0], stored: Parameters<typeof story>[0]) =>
  compare(indexIncoming(fingerprintStory(story(incoming))), storedSignature(fingerprintStory(story(stored))));

describe('text folding', () => {
  it('folds spelling variants, wire abbreviations and quotes to one form', () => {
    expect(foldWord('totalling')).toBe(foldWord('totaling'));
    expect(foldWord('colour')).toBe(foldWord('color'));
    expect(foldWord('organised')).toBe(foldWord('organized'));
    expect(foldWord('centre')).toBe(foldWord('center'));
    const a = tokenize('Profit rose to 5 mln dlrs, “he said”.').map((t) => t.norm);
    const b = tokenize('Profit rose to 5 million dollars, "he said".').map((t) => t.norm);
    expect(a).toEqual(b);
  });

  it('reads figures with thousands separators as one number and ignores ticker markup', () => {
    expect(tokenize('Net 1,417,000 vs 933,000').filter((t) => t.figure).map((t) => t.norm)).toEqual(['1417000', '933000']);
    expect(tokenize('Lloyds Bank Plc <LLOY.L> said').map((t) => t.norm)).toEqual(tokenize('Lloyds Bank Plc said').map((t) => t.norm));
  });

  it('the ASCII scanner reads words and figures exactly as the Unicode pattern does', () => {
    // A no-break space sends the same text through the Unicode path (NFKD turns it into a space).
    const pieces = ['The', 'U.S.', "O'Neil", "company's", "rock'n'roll", "'quoted'", '1,234,', '3.50', '1.5.3', '1st', '2nda', '10-12', '1/2/3', '4-x', '12.30',
      'mln', 'Dlrs', 'TOLD', '<LLOY.L>', '[BTOM.MI]', '<p>', 'abc123', '123abc', 'e.g.', '$5', '5%', 'A', 'CO', ',', '.', '-', '/', "'", '(', ')'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let round = 0; round < 300; round++) {
      const words = Array.from({ length: 1 + next(30) }, () => pieces[next(pieces.length)]!);
      const text = words.join(next(4) === 0 ? '' : ' ');
      expect(tokenize(text), text).toEqual(tokenize(`${text}\u00a0`));
    }
  });

  it('collapses every white space character `\\s` knows, and only those, in copy lines', () => {
    for (let c = 0; c < 0x10000; c++) {
      if (c === 10) continue; // a line break splits the line
      const line = `Net${String.fromCharCode(c)}income rose 5 pct in the quarter`;
      const expected = line.replace(/\s+/g, ' ').trim();
      expect(copyLines('', [line]).lines, `U+${c.toString(16)}`).toEqual([expected]);
    }
  });

  it('drops page chrome: ads, dates, weather, bylines with e-mail, related-article lists', () => {
    const { lines } = copyLines('FNMA CLARIFIES DEBT OFFERING', [
      '58 F',
      'Honolulu',
      'Monday, April 29, 2024',
      'FNMA CLARIFIES DEBT OFFERING',
      '- Advertisement -',
      'The Federal National Mortgage Association said it wanted to clarify the status of yesterday’s offering.',
      'BY EMMA BROWN [brown.emma@example-news.com]',
      'Related Articles',
      'JARDINE MATHESON PLANS FOUR-FOR-ONE BONUS ISSUE',
      'Copyright © 2024. All rights reserved.',
    ]);
    expect(lines).toEqual(['The Federal National Mortgage Association said it wanted to clarify the status of yesterday’s offering.']);
  });
});

describe('containment', () => {
  it('an identical copy is fully contained both ways', () => {
    const c = cmp(RESULTS_Q4, RESULTS_Q4);
    expect(c.containment).toBe(1);
    expect(c.match, JSON.stringify(c)).toBe(true);
  });

  it('works on copy in other scripts (Korean) too', () => {
    const ko = {
      headline: '한국은행 기준금리 3.5% 동결',
      body: [
        '한국은행 금융통화위원회는 13일 통화정책방향 회의를 열고 기준금리를 연 3.5%로 유지했다고 밝혔다.',
        '금통위는 물가 상승률이 둔화하고 있지만 가계부채 증가세가 여전히 높다고 판단했다.',
        '이창용 총재는 기자간담회에서 당분간 긴축 기조를 이어갈 것이라고 말했다.',
      ],
    };
    expect(cmp(ko, ko).match).toBe(true);
    expect(cmp({ headline: ko.headline, body: ko.body.slice(0, 2) }, ko).match).toBe(true);
    const other = { headline: ko.headline.replace('3.5', '3.25'), body: ko.body.map((p) => p.replace('3.5', '3.25').replace('13일', '28일')) };
    expect(cmp(other, ko).vetoed).toBe(true);
  });

  it('a re-segmented copy (paragraphs joined and split elsewhere) matches', () => {
    const text = RESULTS_Q4.body.join(' ');
    const sentences = text.split(/(?<=\.) /);
    const resegmented = { headline: RESULTS_Q4.headline, body: [sentences.slice(0, 2).join(' '), sentences.slice(2, 3).join(' '), sentences.slice(3).join(' ')] };
    const c = cmp(resegmented, RESULTS_Q4);
    expect(c.containment).toBeGreaterThan(0.9);
    expect(c.match, JSON.stringify(c)).toBe(true);
  });

  it('an excerpt (outlet intro plus the first half) is contained in its source', () => {
    const excerpt = { headline: 'Northwind profit up', body: ['Here is what we know so far, according to wire reports.', ...RESULTS_Q4.body.slice(0, 3)] };
    const c = cmp(excerpt, RESULTS_Q4);
    expect(c.incomingInStored).toBeGreaterThan(0.7);
    expect(c.match, JSON.stringify(c)).toBe(true);
    // And the other way round: the full story arriving after the excerpt.
    expect(cmp(RESULTS_Q4, excerpt).match).toBe(true);
  });

  it('a light copy edit (said on Monday, million for mln, one reworded sentence) matches', () => {
    const edited = {
      headline: 'UPDATE 1-Northwind Traders fourth-quarter profit climbs',
      body: [
        RESULTS_Q4.body[0]!.replace('said', 'said on Monday').replace(/mln/g, 'million'),
        RESULTS_Q4.body[1]!,
        'Margaret Ellison, the chief executive, told reporters that grocery chains in the Midwest made up for weaker sales in Canada, where two warehouses closed in October.',
        RESULTS_Q4.body[3]!,
        RESULTS_Q4.body[4]!,
      ],
    };
    const c = cmp(edited, RESULTS_Q4);
    expect(c.vetoed, JSON.stringify(c)).toBe(false);
    expect(c.match, JSON.stringify(c)).toBe(true);
  });
});

describe('figure/name veto', () => {
  it('vetoes another company’s results from the same template', () => {
    const c = cmp(RESULTS_OTHER_COMPANY, RESULTS_Q4);
    expect(c.figuresDiffer).toBeGreaterThanOrEqual(2);
    expect(c.vetoed, JSON.stringify(c)).toBe(true);
    expect(c.match, JSON.stringify(c)).toBe(false);
  });

  it('vetoes the next quarter’s results of the same company', () => {
    const c = cmp(RESULTS_NEXT_QUARTER, RESULTS_Q4);
    expect(c.vetoed, JSON.stringify(c)).toBe(true);
    expect(c.match, JSON.stringify(c)).toBe(false);
  });

  it('vetoes another day’s market report', () => {
    const c = cmp(MARKET_TUESDAY, MARKET_MONDAY);
    expect(c.vetoed, JSON.stringify(c)).toBe(true);
    expect(c.match, JSON.stringify(c)).toBe(false);
  });

  it('vetoes a short item whose one figure is the news (another day’s rate)', () => {
    const monday = { headline: 'DOLLAR OPENS AT 145.20 YEN IN TOKYO', body: ['The dollar opened at 145.20 yen in Tokyo, against the previous close, dealers said, in quiet trading ahead of the holiday.'] };
    const tuesday = { headline: 'DOLLAR OPENS AT 146.05 YEN IN TOKYO', body: ['The dollar opened at 146.05 yen in Tokyo, against the previous close, dealers said, in quiet trading ahead of the holiday.'] };
    const c = cmp(tuesday, monday);
    expect(c.vetoed, JSON.stringify(c)).toBe(true);
    expect(cmp(monday, monday).match).toBe(true);
  });

  it('does not veto when an excerpt simply lacks the later figures', () => {
    const trimmed = { headline: RESULTS_Q4.headline, body: RESULTS_Q4.body.slice(0, 2) };
    const c = cmp(trimmed, RESULTS_Q4);
    expect(c.figuresDiffer).toBe(0);
    expect(c.match, JSON.stringify(c)).toBe(true);
  });

  it('a different story on the same subject shares too little to match', () => {
    const c = cmp(SAME_SUBJECT, RESULTS_Q4);
    expect(c.containment).toBeLessThan(0.3);
    expect(c.match, JSON.stringify(c)).toBe(false);
  });
});

describe('signatures', () => {
  it('anchors are the smallest shingle hashes and identical copies share all of them', () => {
    const a = fingerprintStory(story(RESULTS_Q4));
    const b = fingerprintStory(story(RESULTS_Q4));
    expect(anchorsOf(a)).toHaveLength(ANCHORS);
    expect(anchorsOf(a)).toEqual(anchorsOf(b));
    expect([...anchorsOf(a)].sort((x, y) => x - y)).toEqual(anchorsOf(a));
  });

  it('SimHash distance is small for a copy edit and large for another story', () => {
    const a = fingerprintStory(story(RESULTS_Q4));
    const edited = fingerprintStory(story({ headline: RESULTS_Q4.headline, body: RESULTS_Q4.body.slice(0, 4) }));
    const other = fingerprintStory(story(SAME_SUBJECT));
    expect(simhashDistance(simhash64(a.h1), simhash64(edited.h1))).toBeLessThan(simhashDistance(simhash64(a.h1), simhash64(other.h1)));
    expect(simhashDistance(simhash64(a.h1), simhash64(a.h1))).toBe(0);
  });

  // The definitions, written the slow way: the fast paths must give exactly these.
  const smallestDistinct = (xs: Iterable<number>, k: number, exclude: number[] = []) =>
    [...new Set(xs)].filter((x) => !exclude.includes(x)).sort((x, y) => x - y).slice(0, k);
  const anchorsByDefinition = (fp: StoryFingerprint, total: number, ledeCount: number, ledeLength: number) => {
    const lede = smallestDistinct(fp.lede.subarray(0, ledeLength), ledeCount);
    return [...smallestDistinct(fp.h1, total - lede.length, lede), ...lede].sort((x, y) => x - y);
  };
  const stories = [RESULTS_Q4, RESULTS_OTHER_COMPANY, RESULTS_NEXT_QUARTER, MARKET_MONDAY, MARKET_TUESDAY, SAME_SUBJECT];

  it('anchors are the smallest distinct shingles of the lede and of the whole copy', () => {
    for (const s of [...stories, { headline: 'Short item', body: ['Rates were unchanged on Monday, the bank said.'] }]) {
      const fp = fingerprintStory(story(s));
      expect(anchorsOf(fp)).toEqual(anchorsByDefinition(fp, ANCHORS, LEDE_ANCHORS, LEDE));
      expect(queryAnchorsOf(fp)).toEqual(anchorsByDefinition(fp, QUERY_ANCHORS, QUERY_LEDE_ANCHORS, QUERY_LEDE));
    }
  });

  it('the stored veto holds the figures smallest by context, then value, in that order', () => {
    // A results table repeats one context with several values: the tie order is by value.
    const table = { headline: 'RESULTS', body: ['Net income 1.2 mln vs 1.1 mln vs 0.9 mln vs 0.8 mln in the Acme Widget Co quarter, Acme Widget Co said on Monday.'] };
    for (const s of [...stories, table]) {
      const fp = fingerprintStory(story(s));
      const expected = [...fp.figures]
        .sort((a, b) => a.ctx - b.ctx || a.value - b.value)
        .slice(0, VETO_ENTRIES)
        .map((e) => vetoEntry(e.ctx, e.value));
      expect(storedSignature(fp).veto).toEqual(expected);
      expect(storedSignature(fp).sketch).toEqual(Array.from(fp.h2.subarray(0, Math.min(20, fp.size))));
    }
  });
});
