import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, input, sample } from './fixtures.testutil';
import { detect, parse } from './newsml1';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('NewsML 1.2', () => {
  it('detects NewsML 1 but not NewsML-G2 or NITF', () => {
    expect(detect(fixture('newsml-1.2/afp.com_newsml1.2_sample.xml'))).toBe(true);
    expect(detect(fixture('newsml-g2/agency/TT_newsmlg2_sample.xml'))).toBe(false);
    expect(detect(fixture('nitf/NTB_nitf_sample.xml'))).toBe(false);
  });

  it('AFP: nested NITF body, headline, dateline, creator, subjects, keywords, location', () => {
    const [d] = ok(fixture('newsml-1.2/afp.com_newsml1.2_sample.xml'));
    expect(d).toMatchObject({
      guid: 'urn:newsml:afp.com:20210516T080625Z:TX-PAR-WGF71',
      version: 1,
      headline: 'Israel strikes key Hamas targets as UN Security Council to meet',
      dateline: 'Gaza City, Palestinian Territories, May 16, 2021 (AFP) -',
      language: 'en',
      pubStatus: 'usable',
      urgency: 4,
      versionCreated: '2021-05-16T08:06:25.000Z',
      bylines: ['Adel Zaanoun with Guillaume Lavallee in Jerusalem'],
      located: { city: 'Gaza City', country: 'PSE' },
    });
    expect(d?.keywords).toEqual(['Israel', 'Palestinians', 'conflict']);
    expect(d?.subjects?.map((s) => s.code)).toContain('16000000');
    const paras = (d?.bodyHtml?.match(/<p>[^<]+<\/p>/g) ?? []).length;
    expect(paras).toBe(39);
    expect(d?.bodyHtml).toMatch(/^<p>Israel's army said Sunday/);
    expect(d?.bodyHtml).toContain('<h2>- Media offices destroyed -</h2>');
  });

  it('Business Wire: several components — XHTML body, sub-headline, two photos with largest renditions; style sheet, logo and contact left out', () => {
    const [d] = ok(fixture('newsml-1.2/businesswire-newsml-20130515006361.xml'));
    expect(d?.headline).toBe('Dell Redefines Workstation Computing Boundaries with Smallest Tower and Most Powerful Rack Workstations');
    expect(d?.slugline).toBe('TX-DELL');
    expect(d?.dateline).toBe('ROUND ROCK, Texas');
    expect(d?.subheadline).toMatch(/^Offering powerful workstation performance/);
    expect(d?.infoSources).toContainEqual({ name: 'Dell Inc.', role: 'source' });
    expect(d?.images).toHaveLength(2);
    expect(d?.images?.[0]).toMatchObject({ sourceUrl: 'http://mms.businesswire.com/media/newsItemId/en/369395/5/00095.jpg', width: 2962 });
    expect(d?.images?.[0]?.caption).toMatch(/^The next generation Dell Precision R7610/);
    expect(d?.bodyHtml).not.toMatch(/bwlistitemmargb \{|lauren_mauro@dell\.com|dell_blue_rgb/);
    expect(d?.bodyHtml).toContain('Dell Precision R7610');
  });

  it('two NewsItems give two stories: embargo, photo component, revision guid, kill, CDATA HTML', () => {
    const stories = ok(sample('newsml1-two-items.xml'));
    expect(stories).toHaveLength(2);
    const [a, b] = stories;
    expect(a).toMatchObject({
      guid: 'urn:newsml:efe.com:20240301:ES-001',
      version: 2,
      language: 'es',
      pubStatus: 'withheld',
      embargoedUntil: '2024-03-02T00:00:00.000Z',
      urgency: 3,
      bylines: ['Por Ana Pérez'],
      bodyText: ['Primer párrafo.', 'Segundo párrafo.'],
      firstCreated: '2024-03-01T09:00:00.000Z',
    });
    expect(a?.images).toEqual([{ caption: 'Pie de foto.', credit: 'EFE/Juan Gómez', sourceUrl: 'https://img.example.es/es-001.jpg', width: 3000, height: 2000 }]);
    expect(b).toMatchObject({ guid: 'efe.com:20240301:ES-002', pubStatus: 'canceled', urgency: 1, bodyHtml: '<p>Texto <b>retirado</b>.</p>' });
  });

  it('typed errors for non-NewsML and headline-less items', () => {
    const r1 = parse(input('<NewsML><NewsEnvelope/></NewsML>'));
    expect(!r1.ok && r1.error.code).toBe('WIRE_ERR_SCHEMA');
    const r2 = parse(input('<NewsML><NewsItem><NewsComponent><ContentItem><DataContent>x</DataContent></ContentItem></NewsComponent></NewsItem></NewsML>'));
    expect(!r2.ok && r2.error.message).toContain('NewsLines/HeadLine');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        for (const t of [s, `<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>${s}</HeadLine></NewsLines>${s}</NewsComponent></NewsItem></NewsML>`]) {
          const r = parse(input(t));
          if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
