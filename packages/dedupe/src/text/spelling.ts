/**
 * Spelling tables: how words are normalized so that trivial edits (`mln`/`million`,
 * British/American spelling, reporting verbs, number words, accents and curly quotes, ticker
 * markup) do not change the fingerprint.
 */

export const STOP = new Set(
  ('a an the of to in on at for and or but by with from as is was were are be been being it its this that these those ' +
    'has have had will would could should may might can do does did not no he she they we i you his her their our ' +
    'which who whom whose what when where while than then there here also about into over under after before up out ' +
    'said says say told tells reporters reported according so if such some any all more most other'
  ).split(' '),
);

/** Capitalized words that start sentences without being names. */
export const CAPITAL_COMMON = new Set(
  ('the a an it its this that these those he she they we i in on at for and or but by with from as if when while ' +
    'after before under over new there here his her their our some any all more most other however also one two three ' +
    'four five six seven eight nine ten shr net revs sales year avg note qtr mths months').split(' '),
);

export const NUMBER_WORDS: Record<string, string> = {
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
  eleven: '11', twelve: '12', twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100',
};

/** Wire abbreviations and their long forms fold to one spelling. */
export const SYNONYMS: Record<string, string> = {
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

export const RE_FIGURE = /^\d[\d,]*(?:\.\d+)?(?:[-/]\d+(?:\/\d+)?)?(?:st|nd|rd|th|s)?$/;

export function canonicalFigure(raw: string): string {
  let s = raw.replace(/,(?=\d{3}\b)/g, '').replace(/(st|nd|rd|th)$/, '');
  if (/^\d+\.\d+$/.test(s)) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/**
 * Accents (combining marks U+0300–036F) dropped, curly quotes, the modifier apostrophe and
 * the backquote as `'`, double quotes and guillemets as `"`, dashes U+2010–2015 as `-`: the
 * four replacements in one pass (each maps one character, and none maps into another's set).
 */
export function foldUnicode(t: string): string {
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
 * Ticker and code markup (<LLOY.L>, [BTOM.MI]) comes and goes between re-sends: out, with any
 * stray bracket. Not `@wire/text`'s `stripMarkup`, which keeps such tickers as text and removes
 * HTML: here the brackets themselves are noise.
 */
export function stripTickers(text: string): string {
  if (!/[<>[\]]/.test(text)) return text;
  return text.replace(/[<[]\s*[A-Z0-9.&=^-]{1,12}\s*[>\]]/g, ' ').replace(/[<>[\]]/g, ' ');
}
