import { describe, expect, it } from 'vitest';
import { parseByline, isBylineParagraph, nameCase } from './byline';
import { extractDateline } from './dateline';
import { foldImages, moreSpecificCredit, splitCredit } from './credit';
import { cleanText, countWords } from './clean';
import { sanitizeHtml } from '@wire/text';
import { htmlToBlocks } from './blocks';
import { applyPageRules } from './page-rules';
import { textToBlocks } from './blocks';
import { outletForEmail } from './outlets';
import { detectLanguage, normalizeLanguage } from './language';
import { normalizeDate } from './dates';

describe('bylines', () => {
  it('reads the JoongAng byline with its address', () => {
    expect(parseByline('BY SARAH KIM [kim.sarah@joongang.co.kr]')).toEqual([{ name: 'Sarah Kim', email: 'kim.sarah@joongang.co.kr' }]);
  });
  it('reads several authors; a trailing affiliation belongs to each of them', () => {
    expect(parseByline('By Jane Doe and John Roe, Associated Press')).toEqual([
      { name: 'Jane Doe', affiliation: 'Associated Press' },
      { name: 'John Roe', affiliation: 'Associated Press' },
    ]);
    expect(parseByline('BY KIM JONG-UN [x@yna.co.kr]')?.[0]?.name).toBe('Kim Jong-un');
    expect(nameCase("SEAN O'BRIEN")).toBe("Sean O'Brien");
  });
  it('does not take a sentence for a byline', () => {
    expect(isBylineParagraph('By the end of the week, prices had fallen by a third across the region.')).toBe(false);
    expect(isBylineParagraph('BY EMMA BROWN [brown.emma@example-news.com]')).toBe(true);
  });
});

describe('datelines', () => {
  it('takes Yonhap, AP and Reuters datelines off the first paragraph', () => {
    expect(extractDateline('SEOUL, Sept. 13 (Yonhap) -- North Korean leader Kim Jong-un arrived.')).toMatchObject({ text: 'SEOUL, Sept. 13 (Yonhap) --', city: 'Seoul', agency: 'Yonhap', rest: 'North Korean leader Kim Jong-un arrived.' });
    expect(extractDateline('WASHINGTON (AP) — The Senate voted on Tuesday.')).toMatchObject({ city: 'Washington', agency: 'The Associated Press', rest: 'The Senate voted on Tuesday.' });
    expect(extractDateline('NEW YORK, March 3 (Reuters) - Stocks rose on Monday.')).toMatchObject({ city: 'New York', rest: 'Stocks rose on Monday.' });
    expect(extractDateline('LOS ANGELES — A wildfire spread overnight.')).toMatchObject({ city: 'Los Angeles' });
  });
  it('leaves ordinary sentences alone', () => {
    expect(extractDateline('U.S. - China talks resumed on Monday in Geneva.')).toBeUndefined();
    expect(extractDateline('North Korean leader Kim Jong-un said his trip to Russia was a success.')).toBeUndefined();
    expect(extractDateline('He said: the visit was important.')).toBeUndefined();
  });
});

describe('captions and credits', () => {
  it('splits credit suffixes', () => {
    expect(splitCredit('Kim salutes a guard. [AP/YONHAP]')).toEqual({ caption: 'Kim salutes a guard.', credit: 'AP/YONHAP' });
    expect(splitCredit('Kim salutes a guard. (AP Photo/Ahn Young-joon)')).toEqual({ caption: 'Kim salutes a guard.', credit: 'AP Photo/Ahn Young-joon' });
    expect(splitCredit('Quote from the report [sic] stays')).toEqual({ caption: 'Quote from the report [sic] stays' });
    expect(splitCredit('Delegates arrive in Geneva. REUTERS/Denis Balibouse')).toEqual({ caption: 'Delegates arrive in Geneva.', credit: 'REUTERS/Denis Balibouse' });
    expect(splitCredit('Talks went on, he said. NATO/UN talks')).toEqual({ caption: 'Talks went on, he said. NATO/UN talks' });
  });
  it('keeps the more specific of two credits', () => {
    expect(moreSpecificCredit('YONHAP', 'AP/YONHAP')).toBe('AP/YONHAP');
    expect(moreSpecificCredit('AP/YONHAP', 'YONHAP')).toBe('AP/YONHAP');
  });
  it('folds the alt text and figcaption copies of one picture', () => {
    const caption = 'North Korean leader Kim Jong-un holds talks in Khasan, Russia, on Tuesday.';
    expect(foldImages([{ alt: `${caption} [YONHAP]`, caption: `${caption} [AP/YONHAP]`, sourceUrl: 'https://x.example/a.jpg' }, { caption: `${caption} [YONHAP]` }])).toEqual([
      { caption, credit: 'AP/YONHAP', alt: caption, sourceUrl: 'https://x.example/a.jpg' },
    ]);
  });
});

describe('text hygiene and HTML', () => {
  it('cleans control characters, entities and spaces, keeps typographic quotes, NFC', () => {
    expect(cleanText('  Kim&nbsp;says \u2018hi\u2019\u0007 &amp; e\u0301 \u200b ')).toBe('Kim says ‘hi’ & é');
  });
  it('sanitizes: no script, style, event handlers or non-http links', () => {
    const out = sanitizeHtml('<p onclick="x()" style="color:red">a<script>alert(1)</script><a href="javascript:x()">b</a><a href="http://ok.example/">c</a><a href="data:text/html,x">d</a></p><style>p{}</style>');
    expect(out).toBe('<p>a<a>b</a><a href="http://ok.example/">c</a><a>d</a></p>');
  });
  it('makes one block per paragraph, also from <br> and bare text', () => {
    const blocks = htmlToBlocks('<div>First para</div><div>Second<br><br>Third <b>bold</div><ul><li>one</li><li>two</li></ul>');
    expect(blocks.map((b) => [b.tag, b.text])).toEqual([['p', 'First para'], ['p', 'Second'], ['p', 'Third bold'], ['li', 'one'], ['li', 'two']]);
    expect(blocks[2]!.html).toBe('Third <b>bold</b>');
  });
  it('treats bare-tag markup like sanitized markup, and sanitizes anything else', () => {
    // Escaped markup stays escaped text in the HTML; the plain text carries no markup at all.
    expect(htmlToBlocks('<p>AT&amp;T &lt;b&gt; rose</p><p>x > y</p>').map((b) => [b.text, b.html])).toEqual([
      ['AT&T rose', 'AT&amp;T &lt;b&gt; rose'],
      ['x > y', 'x &gt; y'],
    ]);
    expect(htmlToBlocks('<p>a</p><img src=x onerror=alert(1)><p onclick="x()">b <script>alert(2)</script></p>').map((b) => b.html)).toEqual(['a', 'b']);
    expect(htmlToBlocks('<P>Upper</P><p>1 < 2</p>').map((b) => b.text)).toEqual(['Upper', '1 < 2']);
  });

  it('counts words, CJK characters one each', () => {
    expect(countWords('Kim’s train left at 6 a.m.')).toBe(6);
    expect(countWords('北朝鮮 leader')).toBe(4);
  });
});

describe('page rules', () => {
  it('cuts chrome, headline repeats and everything after "Related Articles"', () => {
    const r = applyPageRules(textToBlocks(['Headline here', 'Must read', '- Advertisement -', 'Body paragraph one is long enough to count as real copy for the rules.', 'Share this article', 'Body two.', 'Related Articles', 'Other story']), 'Headline here');
    expect(r.blocks.map((b) => b.text)).toEqual(['Body paragraph one is long enough to count as real copy for the rules.', 'Body two.']);
  });
});

describe('outlets, languages, dates', () => {
  it('names the outlet behind a reporter address', () => {
    expect(outletForEmail('kim.sarah@joongang.co.kr')).toBe('JoongAng Daily');
    expect(outletForEmail('x@news.ap.org')).toBe('The Associated Press');
    expect(outletForEmail('x@example-news.com')).toBeUndefined();
  });
  it('detects the language of undeclared copy', () => {
    expect(detectLanguage('The minister said on Tuesday that the budget would be passed by the end of the month.')).toBe('en');
    expect(detectLanguage('Der Minister sagte am Dienstag, dass der Haushalt bis Ende des Monats verabschiedet wird und nicht mehr geändert werden kann.')).toBe('de');
    expect(detectLanguage('북한 김정은 국무위원장이 러시아를 방문해 정상회담을 가졌다고 조선중앙통신이 보도했다.')).toBe('ko');
    expect(normalizeLanguage('EN_us')).toBe('en-US');
    expect(normalizeLanguage('eng')).toBe('en');
  });
  it('normalizes wire date formats to ISO 8601 UTC', () => {
    expect(normalizeDate('20230913T060000+0900')).toBe('2023-09-12T21:00:00.000Z');
    expect(normalizeDate('Wed, 13 Sep 2023 01:00:00 +0900')).toBe('2023-09-12T16:00:00.000Z');
    expect(normalizeDate('2023-09-13')).toBe('2023-09-13T00:00:00.000Z');
    expect(normalizeDate('soon')).toBeUndefined();
  });
});
