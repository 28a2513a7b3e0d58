import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAttributeEntities, decodeEntities, escapeAttribute, escapeText, escapeTextKeepingEntities } from './escape';

describe('escaping and decoding character references', () => {
  it('escapes text for a text node and for a double-quoted attribute, as the HTML serializer does', () => {
    expect(escapeText('AT&T <b> "q" \u00A0x')).toBe('AT&amp;T &lt;b&gt; "q" &nbsp;x');
    expect(escapeAttribute('a "b" <c> & d')).toBe('a &quot;b&quot; <c> &amp; d');
    expect(escapeText('plain')).toBe('plain');
  });

  it('after an XML parser: keeps the references XML does not know, escapes the text that only looks like one', () => {
    expect(escapeTextKeepingEntities('R&D &nbsp;<x> caf&eacute; &bogus')).toBe('R&amp;D &nbsp;&lt;x&gt; caf&eacute; &amp;bogus');
    // The XML parser decoded these itself: what is left was written `&amp;lt;` in the document.
    expect(escapeTextKeepingEntities('&lt;b&gt; &amp; &#8217;')).toBe('&amp;lt;b&amp;gt; &amp;amp; &amp;#8217;');
  });

  it('decodes exactly once, and only references closed by a semicolon', () => {
    expect(decodeEntities('AT&amp;T')).toBe('AT&T');
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
    expect(decodeEntities('Tom &amp; Jerry&#39;s&nbsp;&#x263A;')).toBe("Tom & Jerry's\u00A0☺");
    expect(decodeEntities('R&D &copy 2024 &notit')).toBe('R&D &copy 2024 &notit');
    expect(decodeAttributeEntities('a?b=1&amp;c=2&copy=3')).toBe('a?b=1&c=2&copy=3');
  });

  it('round-trips any text: decode(escape(s)) is s', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(decodeEntities(escapeText(s))).toBe(s);
        expect(decodeAttributeEntities(escapeAttribute(s))).toBe(s);
      }),
    );
  });
});
