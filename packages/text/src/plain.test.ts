import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOSTILE_TEXT, inertTextProblems, textProblems } from './markup.testutil';
import { cleanDecodedText, cleanText, MAX_MARK_RUN, stripMarkup, tidyText, toNfc } from './plain';

describe('cleanText: plain text from text that may carry HTML', () => {
  it('strips tags, decodes entities exactly once and tidies', () => {
    expect(cleanText('Council <script>alert(1)</script> votes')).toBe('Council votes');
    expect(cleanText('AT&amp;T')).toBe('AT&T');
    expect(cleanText('&amp;lt; stays a literal')).toBe('&lt; stays a literal');
    expect(cleanText('  Kim&nbsp;says \u2018hi\u2019\u0007 &amp; e\u0301 \u200b ')).toBe('Kim says ‘hi’ & é');
    expect(cleanText('one<br>two<p>three</p>f<b>ou</b>r')).toBe('one two three four');
    expect(cleanText('x < y and 5 > 3')).toBe('x < y and 5 > 3');
  });

  it('removes markup that only appears once the entities are decoded', () => {
    expect(cleanText('&lt;script&gt;alert(1)&lt;/script&gt;Hi')).toBe('Hi');
    expect(cleanText('&lt;img src=x onerror=alert(1)&gt;Hi')).toBe('Hi');
  });

  it("keeps an agency's tickers and company names in angle brackets: they name no element", () => {
    expect(cleanText('UAL <UAL> UNIT ATTACKED')).toBe('UAL <UAL> UNIT ATTACKED');
    expect(cleanText('financial advisor &lt;Goldman, Sachs and Co&gt; said')).toBe('financial advisor <Goldman, Sachs and Co> said');
    expect(cleanText('<IBM.N> and <EUR=> and <Guardian-Morton Shulman Precious Metals Inc>')).toBe('<IBM.N> and <EUR=> and <Guardian-Morton Shulman Precious Metals Inc>');
    // …but not when the brackets hold an element's name or an attribute with a value.
    expect(cleanText('Du Pont <DD> and <UAL onclick=alert(1)> rose')).toBe('Du Pont and rose');
  });

  it.each(HOSTILE_TEXT)('leaves nothing a browser would build markup from: %s', (vector) => {
    for (const out of [cleanText(vector), cleanText(`Before ${vector} after`), cleanDecodedText(vector)]) {
      expect(textProblems(out), out).toEqual([]);
      expect(stripMarkup(out)).toBe(out);
    }
  });
});

describe('stripMarkup', () => {
  it('decodes nothing', () => {
    expect(stripMarkup('&lt;b&gt; <b>x</b>')).toBe('&lt;b&gt; x');
  });

  it('does not let removal join the halves of a tag', () => {
    expect(stripMarkup('<<b>script>alert(1)<</b>/script>')).toBe('');
    expect(stripMarkup('<<b>img src=x onerror=alert(1)>')).toBe('');
    expect(textProblems(stripMarkup('<<<i>i>img src=x onerror=alert(1)>'))).toEqual([]);
  });

  it('drops the content of script-like elements, to the end when unclosed', () => {
    expect(stripMarkup('a<style>p{}</style>b<script>x')).toBe('ab');
  });

  it('handles floods without blowing up (long runs of unclosed tags, comments, scripts)', () => {
    const flood = '<a'.repeat(200_000) + '<!--'.repeat(50_000) + '<script>'.repeat(50_000);
    expect(stripMarkup(flood)).toBe('');
    expect(stripMarkup('<b>x</b>'.repeat(100_000))).toBe('x'.repeat(100_000));
  });

  it('on arbitrary markup-like text: idempotent, and a browser builds nothing active from the result', () => {
    const piece = fc.constantFrom('<', '>', '/', '!', '?', '-', '=', '"', "'", ' ', '&', ';', 'lt', 'gt', 'amp', '#x3a', 'script', 'img', 'svg', 'math', 'style', 'b', 'p', 'UAL', 'onerror', 'src', 'x', '--', '[CDATA[', ']]', '\t', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((a) => a.join('')), (s) => {
        for (const out of [stripMarkup(s), cleanText(s)]) {
          expect(stripMarkup(out)).toBe(out);
          expect(inertTextProblems(out), JSON.stringify(out)).toEqual([]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tidyText', () => {
  it('collapses spaces, removes invisibles, NFC, and decodes nothing', () => {
    expect(tidyText(' a\u00A0\u00A0b\u200b &amp; e\u0301 ')).toBe('a b &amp; é');
  });
});

describe('toNfc', () => {
  it('composes, and cuts a run of combining marks to the stream-safe limit before reordering it', () => {
    expect(toNfc('e\u0301 \u1100\u1161')).toBe('\u00e9 \uac00');
    // Marks of two classes alternate: NFC reorders the run, which costs its length squared.
    const zalgo = `Z${'\u0301\u0336'.repeat(200_000)} and text`;
    const out = toNfc(zalgo);
    // Z + the first 30 marks, reordered by class (the first acute composes with the Z: Ź).
    expect(out).toBe(`\u0179${'\u0336'.repeat(MAX_MARK_RUN / 2)}${'\u0301'.repeat(MAX_MARK_RUN / 2 - 1)} and text`);
    // Marks outside the BMP are cut whole, never half a surrogate pair.
    const astral = toNfc(`a${'\u{1D167}'.repeat(40)}`);
    expect(Array.from(astral).length).toBe(1 + MAX_MARK_RUN);
    expect(astral).toBe(`a${'\u{1D167}'.repeat(MAX_MARK_RUN)}`);
  });
});
