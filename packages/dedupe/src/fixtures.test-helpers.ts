/** Hand-made wire copy for the dedupe tests: one story and its look-alikes. */
import { storyUri, type CanonicalStory } from '@wire/schema';
import { basicStory } from './stream';

export const RESULTS_Q4 = {
  headline: 'NORTHWIND TRADERS <NWT> 4TH QTR NET',
  body: [
    'Northwind Traders Inc said fourth-quarter net income rose 18 pct to 42.6 mln dlrs, or 1.12 dlrs a share, from 36.1 mln dlrs, or 95 cts a share, a year earlier.',
    'Revenues for the quarter increased to 512.3 mln dlrs from 468.9 mln dlrs, the Chicago-based distributor said.',
    'Chief executive Margaret Ellison said demand from grocery chains in the Midwest offset weaker sales in Canada, where the company closed two warehouses in October.',
    'For the full year, Northwind earned 151.4 mln dlrs, or 3.98 dlrs a share, against 129.7 mln dlrs, or 3.41 dlrs, in 1986.',
    'The company said it expects capital spending of about 60 mln dlrs in 1988, mostly on automated sorting centres in Ohio and Texas.',
  ],
};

/** The same template, another company and other figures: a different story. */
export const RESULTS_OTHER_COMPANY = {
  headline: 'CONTOSO FOODS <CFI> 4TH QTR NET',
  body: [
    'Contoso Foods Inc said fourth-quarter net income rose 9 pct to 17.2 mln dlrs, or 61 cts a share, from 15.8 mln dlrs, or 56 cts a share, a year earlier.',
    'Revenues for the quarter increased to 233.5 mln dlrs from 219.0 mln dlrs, the Chicago-based distributor said.',
    'Chief executive Daniel Whitaker said demand from grocery chains in the Midwest offset weaker sales in Canada, where the company closed two warehouses in October.',
    'For the full year, Contoso earned 66.9 mln dlrs, or 2.37 dlrs a share, against 60.2 mln dlrs, or 2.14 dlrs, in 1986.',
    'The company said it expects capital spending of about 25 mln dlrs in 1988, mostly on automated sorting centres in Ohio and Texas.',
  ],
};

/** The same company, the next quarter, the same template: a different story. */
export const RESULTS_NEXT_QUARTER = {
  headline: 'NORTHWIND TRADERS <NWT> 1ST QTR NET',
  body: [
    'Northwind Traders Inc said first-quarter net income rose 11 pct to 38.4 mln dlrs, or 1.01 dlrs a share, from 34.6 mln dlrs, or 91 cts a share, a year earlier.',
    'Revenues for the quarter increased to 498.7 mln dlrs from 455.2 mln dlrs, the Chicago-based distributor said.',
    'Chief executive Margaret Ellison said demand from grocery chains in the Midwest offset weaker sales in Canada, where the company closed two warehouses in October.',
    'The company said it expects capital spending of about 60 mln dlrs in 1988, mostly on automated sorting centres in Ohio and Texas.',
  ],
};

export const MARKET_MONDAY = {
  headline: 'U.K. MONEY MARKET GIVEN 215 MLN STG ASSISTANCE',
  body: [
    'The Bank of England said it had provided the money market with 215 mln stg of assistance in the morning session, buying bills in band one at 10-7/8 pct.',
    'This compares with the bank’s estimate of a shortage in the system of around 600 mln stg, which it earlier revised up from 550 mln.',
    'The main factors draining liquidity were bills maturing in official hands and a rise in the note circulation of 140 mln stg, dealers said.',
  ],
};

/** Another day's report from the same desk: a different story. */
export const MARKET_TUESDAY = {
  headline: 'U.K. MONEY MARKET GIVEN 320 MLN STG ASSISTANCE',
  body: [
    'The Bank of England said it had provided the money market with 320 mln stg of assistance in the morning session, buying bills in band two at 10-13/16 pct.',
    'This compares with the bank’s estimate of a shortage in the system of around 900 mln stg, which it earlier revised up from 850 mln.',
    'The main factors draining liquidity were bills maturing in official hands and a rise in the note circulation of 95 mln stg, dealers said.',
  ],
};

/** The same subject, another story. */
export const SAME_SUBJECT = {
  headline: 'NORTHWIND TRADERS TO BUILD OHIO SORTING CENTRE',
  body: [
    'Northwind Traders Inc said it will spend about 35 mln dlrs on an automated sorting centre near Columbus, Ohio, its first outside Illinois.',
    'The centre will open in the spring of 1989 and employ about 400 people, the company said, adding that Ohio had offered tax credits for the project.',
    'Analysts said the move would help the distributor compete for grocery accounts in the eastern United States.',
  ],
};

let n = 0;

/** A canonical story from a headline and paragraphs (or one text to split on blank lines). */
export function story(
  copy: { headline: string; body: string[] | string },
  over: Partial<Pick<CanonicalStory, 'source' | 'guid' | 'version' | 'pubStatus' | 'correction'>> = {},
): CanonicalStory {
  const source = over.source ?? 'agency';
  const guid = over.guid ?? `g${++n}`;
  const s = basicStory({
    id: guid,
    source,
    guid,
    version: over.version ?? 1,
    headline: copy.headline,
    body: Array.isArray(copy.body) ? copy.body.join('\n\n') : copy.body,
    pubStatus: over.pubStatus,
    correction: over.correction,
  });
  return { ...s, uri: storyUri(source, guid) };
}
