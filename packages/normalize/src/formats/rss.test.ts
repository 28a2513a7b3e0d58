import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
import { input, sample } from './fixtures.testutil';
import { detect, parse } from './rss';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('RSS 2.0 and Atom', () => {
  it('detects RSS, RSS 1.0 and Atom roots', () => {
    expect(detect(sample('rss2-agency.xml'))).toBe(true);
    expect(detect(sample('atom-feed.xml'))).toBe(true);
    expect(detect('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"/>')).toBe(true);
    expect(detect('<nitf><body/></nitf>')).toBe(false);
  });

  it('RSS: one story per item with content:encoded, creator, categories, Media RSS picture and RFC 822 date', () => {
    const stories = ok(sample('rss2-agency.xml'));
    expect(stories).toHaveLength(3);
    const [a, b, c] = stories;
    expect(a).toMatchObject({
      format: 'rss',
      guid: 'ew-2024-0001',
      headline: 'Storm closes ports along the coast',
      versionCreated: '2024-03-05T13:30:00.000Z',
      language: 'en-gb',
      bylines: ['Jane Roe'],
      keywords: ['Weather', 'Transport'],
      bodyHtml: '<p>LISBON, March 5 (EW) — Ports were closed on Tuesday.</p><p>Ferries stayed in harbour.</p>',
      images: [{ caption: 'Waves hit the pier in Lisbon, March 5, 2024.', credit: 'REUTERS/John Doe', sourceUrl: 'https://img.example.com/storm.jpg', width: 1200, height: 800 }],
    });
    expect(a?.infoSources).toEqual([{ name: 'Example Wire – World', role: 'publisher', uri: 'https://wire.example.com/world' }]);
    // escaped HTML description, link as guid, "email (name)" author, image enclosure
    expect(b).toMatchObject({ guid: 'https://wire.example.com/world/markets', headline: 'Markets rally & bonds slip', bodyHtml: '<p>Stocks <b>rose</b> on Tuesday.</p>', bylines: [{ name: 'Markets Desk', email: 'desk@wire.example.com' }], images: [{ sourceUrl: 'https://img.example.com/markets.png', renditions: [{ name: 'original', href: 'https://img.example.com/markets.png', contentType: 'image/png' }] }] });
    // plain-text description split into paragraphs; media:group keeps its largest size
    expect(c?.bodyHtml).toBe('<p>First line of text.</p><p>Second paragraph of text.</p>');
    expect(c?.images).toEqual([
      {
        caption: 'Group caption.',
        sourceUrl: 'https://img.example.com/p-large.jpg',
        width: 2048,
        height: 1280,
        renditions: [
          { name: 'w320', href: 'https://img.example.com/p-small.jpg', width: 320, height: 200 },
          { name: 'original', href: 'https://img.example.com/p-large.jpg', width: 2048, height: 1280 },
        ],
      },
    ]);
  });

  it('Atom: entries with HTML and XHTML content, authors with e-mail, published/updated, feed language', () => {
    const [a, b] = ok(sample('atom-feed.xml'));
    expect(a).toMatchObject({
      format: 'atom',
      guid: 'tag:agence.example.fr,2024:greve-1',
      headline: 'Grève nationale jeudi',
      firstCreated: '2024-03-05T07:00:00.000Z',
      versionCreated: '2024-03-05T08:15:00.000Z',
      language: 'fr',
      bylines: [{ name: 'Marie Curie', email: 'marie@agence.example.fr' }],
      keywords: ['Social'],
      images: [{ sourceUrl: 'https://agence.example.fr/greve.jpg' }],
    });
    expect(a?.bodyHtml).toBe('<p>PARIS, 5 mars (AE) - Les syndicats appellent à la grève.</p><p>Deuxième paragraphe.</p>');
    expect(b).toMatchObject({ headline: 'Entrée XHTML', bodyHtml: '<p>Un <strong>paragraphe</strong>.</p>', bylines: [{ name: 'Rédaction' }] });
  });

  it('sloppy feeds: undeclared prefixes and a CDATA description still parse', () => {
    const [d] = ok('<rss><channel><item><title>T</title><dc:creator>X</dc:creator><description><![CDATA[<p>Body</p>]]></description></item></channel></rss>');
    expect(d).toMatchObject({ headline: 'T', bylines: ['X'], bodyHtml: '<p>Body</p>' });
  });

  it('typed errors: empty channel, no titles, item limit, XXE', () => {
    const code = (t: string, maxItems = 1000) => {
      const r = parse({ text: t, limits: { ...DEFAULT_LIMITS, maxBytes: 5e6, maxItems } });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('<rss><channel><title>x</title></channel></rss>')).toBe('WIRE_ERR_EMPTY');
    expect(code('<rss><channel><item><description>x</description></item></channel></rss>')).toBe('WIRE_ERR_NO_HEADLINE');
    expect(code(sample('rss2-agency.xml'), 2)).toBe('WIRE_ERR_TOO_MANY_ITEMS');
    expect(code('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title></item></channel></rss>')).toBe('WIRE_ERR_XML_ENTITY');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        for (const t of [s, `<rss><channel><item><title>${s}</title><description>${s}</description></item></channel></rss>`, `<feed><entry><title type="html">${s}</title><content type="xhtml">${s}</content></entry></feed>`]) {
          const r = parse(input(t));
          if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
