/**
 * Hand-made checks of the phenomena (not the dev set): each stream goes through normalization
 * and the engine as `wire dedupe` runs it.
 */
import { describe, expect, it } from 'vitest';
import { DedupeEngine } from './engine';
import { MARKET_MONDAY, MARKET_TUESDAY, RESULTS_NEXT_QUARTER, RESULTS_OTHER_COMPANY, RESULTS_Q4, SAME_SUBJECT } from './fixtures.test-helpers';
import { MemoryDedupeStore } from './memory-store';
import { normalizedStory, runStream, type StreamItem } from './stream';

let n = 0;
const item = (copy: { headline: string; body: string[] | string }, source = 'agency'): StreamItem => ({
  id: `x${++n}`,
  source,
  guid: `${source}-${n}`,
  version: 1,
  receivedAt: `2026-03-02T10:${String(n % 60).padStart(2, '0')}:00Z`,
  headline: copy.headline,
  body: Array.isArray(copy.body) ? copy.body.join('\n\n') : copy.body,
});

async function decide(items: StreamItem[]) {
  const out = await runStream(items, new DedupeEngine({ store: new MemoryDedupeStore() }), { build: (i) => normalizedStory(i) });
  return out;
}

const htmlPage = (copy: { headline: string; body: string[] }) => `<!doctype html><html><head><title>${copy.headline} | Lakeside Courier</title></head>
<body><header><nav><a href="/">Home</a> <a href="/business">Business</a> <a href="/sports">Sports</a></nav>
<div class="weather">72°F Sunny</div></header>
<main><article><h1>${copy.headline}</h1><p class="byline">By Staff and wire reports</p>
${copy.body.map((p, i) => `<p>${p}</p>${i === 1 ? '<div class="ad">Advertisement</div>' : ''}`).join('\n')}
</article>
<aside><h3>Related stories</h3><ul><li><a href="/a">CITY COUNCIL DELAYS VOTE ON HARBOR BUDGET</a></li><li><a href="/b">STORM CLOSES TWO SCHOOLS</a></li></ul></aside></main>
<footer><p>Copyright 2026 Lakeside Courier. All rights reserved.</p><p>Subscribe to our newsletter</p></footer></body></html>`;

describe('the same story in another shape', () => {
  it('an HTML page republishing the copy inside site chrome is a duplicate', async () => {
    const out = await decide([item(RESULTS_Q4), item({ headline: RESULTS_Q4.headline, body: htmlPage(RESULTS_Q4) }, 'courier')]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
    expect(out[1]!.of).toBe(out[0]!.id);
  });

  it('the engine copes with the raw page too, without normalization', async () => {
    const e = new DedupeEngine({ store: new MemoryDedupeStore() });
    const out = await runStream([item(RESULTS_Q4), item({ headline: RESULTS_Q4.headline, body: htmlPage(RESULTS_Q4) }, 'courier')], e);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
  });

  it('the HTML page first, then the agency copy: still one story', async () => {
    const out = await decide([item({ headline: RESULTS_Q4.headline, body: htmlPage(RESULTS_Q4) }, 'courier'), item(RESULTS_Q4)]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
  });

  it('a re-segmented copy (one paragraph per sentence) is a duplicate', async () => {
    const sentences = RESULTS_Q4.body.join(' ').split(/(?<=\.) (?=[A-Z])/);
    const out = await decide([item(RESULTS_Q4), item({ headline: RESULTS_Q4.headline, body: sentences }, 'outlet')]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
  });

  it('a copy with two sentences reworded and a new headline is a duplicate', async () => {
    const reworded = {
      headline: 'Northwind Traders profit climbs 18 percent on Midwest grocery demand',
      body: [
        RESULTS_Q4.body[0]!,
        'The Chicago-based distributor said quarterly revenues grew to 512.3 million dollars, up from 468.9 million dollars.',
        'Margaret Ellison, the chief executive, told reporters that grocery chains in the Midwest made up for weaker sales in Canada.',
        RESULTS_Q4.body[3]!,
        RESULTS_Q4.body[4]!,
      ],
    };
    const out = await decide([item(RESULTS_Q4), item(reworded, 'outlet')]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
  });

  it('an outlet intro plus the first half is a duplicate', async () => {
    const excerpt = { headline: RESULTS_Q4.headline, body: ['Here is what we know so far, according to wire reports.', ...RESULTS_Q4.body.slice(0, 3)] };
    const out = await decide([item(RESULTS_Q4), item(excerpt, 'outlet')]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'duplicate']);
  });
});

describe('a different story that looks alike', () => {
  it('another company’s results, the next quarter, another day’s market report, the same subject: all new', async () => {
    const out = await decide([
      item(RESULTS_Q4),
      item(RESULTS_OTHER_COMPANY),
      item(RESULTS_NEXT_QUARTER),
      item(SAME_SUBJECT),
      item(MARKET_MONDAY),
      item(MARKET_TUESDAY),
    ]);
    expect(out.map((o) => o.decision)).toEqual(['new', 'new', 'new', 'new', 'new', 'new']);
  });
});
