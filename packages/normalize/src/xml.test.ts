import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './draft';
import { decodeXmlEntities, MAX_ELEMENTS, parseXml } from './xml';
import { attr, child, text, toHtml } from './xml-dom';

const opts = { label: 'test', limits: DEFAULT_LIMITS };
const code = (xml: string, limits = DEFAULT_LIMITS): string | undefined => {
  const r = parseXml(xml, { label: 'test', limits });
  return r.ok ? undefined : r.error.code;
};

describe('parseXml: hostile input is refused before anything expands', () => {
  it('refuses an external SYSTEM entity (XXE) as an entity attack', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<foo>&xxe;</foo>';
    const r = parseXml(xxe, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('WIRE_ERR_XML_ENTITY');
      expect(r.error.message).toContain('line 2');
    }
  });

  it('refuses billion laughs', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><lolz>&lol9;</lolz>`;
    expect(code(lol)).toBe('WIRE_ERR_XML_ENTITY');
  });

  it('refuses parameter entities and external DTD references', () => {
    expect(code('<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil/x.dtd"> %p;]><x/>')).toBe('WIRE_ERR_XML_ENTITY');
    // An external DTD is never fetched: its name alone is harmless, and an entity it might declare
    // stays an unexpanded reference.
    const ext = parseXml('<!DOCTYPE nitf SYSTEM "http://evil.example/nitf.dtd"><nitf>&xxe;</nitf>', { label: 'NITF', limits: DEFAULT_LIMITS });
    expect(ext.ok).toBe(true);
    if (ext.ok) expect(JSON.stringify(ext.value.roots)).toContain('&xxe;');
  });

  it('refuses a DOCTYPE with an internal subset even without entities', () => {
    expect(code('<!DOCTYPE note [<!ELEMENT note (#PCDATA)>]><note>x</note>')).toBe('WIRE_ERR_XML_DTD');
  });

  it('refuses a stray entity declaration outside a DOCTYPE', () => {
    expect(code('<a><!ENTITY x "y"></a>')).toBe('WIRE_ERR_XML_ENTITY');
  });

  it('never expands undeclared entities: they stay literal text', () => {
    const r = parseXml('<a>caf&eacute; &amp; &#233;&#x41;</a>', opts);
    expect(r.ok && text(r.value.roots[0])).toBe('caf&eacute; & éA');
  });

  it('refuses 10k-deep nesting with the depth code', () => {
    const deep = '<a>'.repeat(10_000) + '</a>'.repeat(10_000);
    expect(code(deep)).toBe('WIRE_ERR_TOO_DEEP');
  });

  it('honours a configured depth limit exactly', () => {
    const limits = { ...DEFAULT_LIMITS, maxDepth: 3 };
    expect(code('<a><b><c/></b></a>', limits)).toBeUndefined();
    expect(code('<a><b><c><d/></c></b></a>', limits)).toBe('WIRE_ERR_TOO_DEEP');
  });

  it('refuses a 6 MB document with the size code (default limit 5 MB)', () => {
    const big = `<a>${'x'.repeat(6 * 1024 * 1024)}</a>`;
    expect(code(big)).toBe('WIRE_ERR_TOO_LARGE');
  });

  it('refuses an element flood that fits the byte limit but not the element limit', () => {
    expect(code(`<a>${'<b/>'.repeat(MAX_ELEMENTS)}</a>`)).toBe('WIRE_ERR_TOO_LARGE');
    expect(code(`<a>${'<b/>'.repeat(1000)}</a>`)).toBeUndefined();
  });

  it('counts bytes, not characters, against the size limit', () => {
    const limits = { ...DEFAULT_LIMITS, maxBytes: 100 };
    expect(code(`<a>${'é'.repeat(50)}</a>`, limits)).toBe('WIRE_ERR_TOO_LARGE');
    expect(code(`<a>${'e'.repeat(90)}</a>`, limits)).toBeUndefined();
  });
});

describe('parseXml: well-formedness', () => {
  it.each([
    ['<a><b></a>', 'expected </b>'],
    ['<a>', 'never closed'],
    ['</a>', 'without a start tag'],
    ['hello', 'outside the root'],
    ['<a x="1></a>', 'unterminated'],
    ['<a><!-- x </a>', 'unterminated comment'],
    ['<a>1 < 2</a>', 'tag name'],
  ])('%s is malformed (%s)', (xml, why) => {
    const r = parseXml(xml, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('WIRE_ERR_XML_MALFORMED');
      expect(r.error.message).toContain(why);
      expect(r.error.message).toContain('test line 1');
    }
  });

  it('names the line of the mismatch', () => {
    const r = parseXml('<a>\n<b>\n</c>\n</a>', opts);
    expect(!r.ok && r.error.message).toContain('line 3');
  });
});

describe('parseXml: lenient where feeds are sloppy', () => {
  it('reads prefixed elements by local name without a namespace declaration', () => {
    const r = parseXml('<ns:item><ns:title xml:lang="fr">Salut</ns:title></ns:item>', opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const title = child(r.value.roots[0], 'title');
    expect(text(title)).toBe('Salut');
    expect(attr(title, 'lang')).toBe('fr');
  });

  it('accepts unquoted and valueless attributes, BOM, declaration, comments and a bare DOCTYPE', () => {
    const r = parseXml('\uFEFF<?xml version="1.0"?><!DOCTYPE html><!-- c --><p lede class=lead>x</p>', opts);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.roots[0]?.attrs).toEqual({ lede: '', class: 'lead' });
  });

  it('keeps CDATA bodies as HTML and re-escapes text when serializing', () => {
    const r = parseXml('<body><![CDATA[<p>A &amp; B</p>]]><p>1 &lt; 2 &amp; caf&eacute;</p><br/></body>', opts);
    expect(r.ok && toHtml(r.value.roots[0]?.children ?? [])).toBe('<p>A &amp; B</p><p>1 &lt; 2 &amp; caf&eacute;</p><br>');
  });

  it('keeps attribute names like __proto__ as plain data', () => {
    const r = parseXml('<a __proto__="x" constructor="y"/>', opts);
    expect(r.ok && r.value.roots[0]?.attrs.__proto__).toBe('x');
  });
});

describe('decodeXmlEntities', () => {
  it('decodes only the five predefined entities and character references', () => {
    expect(decodeXmlEntities('&lt;&gt;&amp;&quot;&apos;&#8211;&#x2014;&nbsp;&#0;')).toBe(`<>&"'–—&nbsp;\uFFFD`);
  });
});

describe('parseXml never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const r = parseXml(s, opts);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary markup-like strings', () => {
    const piece = fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<c/>', '<!--', '-->', '<![CDATA[', ']]>', '<!DOCTYPE', '<!ENTITY', '&amp;', '&#', ';', '"', "'", '=', ' ', 'text', '<?', '?>', '>', '<');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const r = parseXml(parts.join(''), opts);
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_/);
      }),
      { numRuns: 1000 },
    );
  });
});
