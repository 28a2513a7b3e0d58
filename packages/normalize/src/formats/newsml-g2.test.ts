import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, input, sample } from './fixtures.testutil';
import { detect, parse } from './newsml-g2';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('NewsML-G2', () => {
  it('detects items and messages from content', () => {
    expect(detect(fixture('newsml-g2/agency/TT_newsmlg2_sample.xml'))).toBe(true);
    expect(detect(fixture('newsml-g2/iptc-spec/LISTING_3_Photo_in_NewsML-G2.xml'))).toBe(true);
    expect(detect(fixture('nitf/NTB_nitf_sample.xml'))).toBe(false);
    expect(detect(fixture('newsml-1.2/afp.com_newsml1.2_sample.xml'))).toBe(false);
  });

  it('TT newsMessage: the package folds its picture into the text story (one story, hi-res image, caption, credit)', () => {
    const stories = ok(fixture('newsml-g2/agency/TT_newsmlg2_sample.xml'));
    expect(stories).toHaveLength(1);
    const d = stories[0]!;
    expect(d.guid).toBe('http://tt.se/media/text/210919-janguillou-879f202b');
    expect(d.version).toBe(1);
    expect(d.headline).toBe('Jan Guillou skriver på ny "Hamilton"-bok');
    expect(d.slugline).toBe('janguillou');
    expect(d.language).toBe('sv');
    expect(d.pubStatus).toBe('usable');
    expect(d.urgency).toBe(3);
    expect(d.versionCreated).toBe('2021-09-19T18:57:43.000Z');
    expect(d.bodyHtml?.match(/<p>/g)).toHaveLength(3);
    expect(d.bodyHtml).toMatch(/^<p>Jan Guillou arbetar just nu/);
    expect(d.bodyHtml).not.toContain('<h1>');
    expect(d.bodyHtml).not.toContain('figcaption');
    expect(d.images).toHaveLength(1);
    expect(d.images?.[0]).toMatchObject({
      caption: 'Journalisten och författaren Jan Guillou jobbar på en ny bok om agenten Hamilton. Arkivbild.',
      credit: 'Naina Helén Jåma/TT',
      sourceUrl: 'https://beta.tt.se/media/text/210919-janguillou-879f202b/a001_NormalHires.jpg',
      width: 4928,
      height: 3280,
    });
    expect(d.subjects?.[0]).toEqual({ code: '20000013', name: 'Litteratur', scheme: 'medtop' });
  });

  it('listing 1: text item metadata (embargo, located, creator, rights)', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_1_A_NewsML-G2_News_Item.xml'));
    expect(d).toMatchObject({
      guid: 'urn:newsml:acmenews.com:20161018:US-FINANCE-FED',
      version: 11,
      type: 'text',
      language: 'en-GB',
      headline: 'Fed to halt QE to avert "bubble"',
      slugline: 'US-Finance-Fed',
      embargoedUntil: '2018-10-23T12:00:00.000Z',
      firstCreated: '2016-10-18T18:12:21.000Z',
      pubStatus: 'usable',
      located: { city: 'Berlin', country: 'Germany' },
      bylines: [{ name: 'Meredith Jameson' }],
    });
    expect(d?.infoSources?.map((s) => s.name)).toContain('Example Enews LLP');
  });

  it('listing 3: a picture item becomes a picture story with caption, credit and rendition', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_3_Photo_in_NewsML-G2.xml'));
    expect(d?.type).toBe('picture');
    expect(d?.headline).toBe('Variety Of Recessionary Forces Leave Las Vegas Economy Scarred');
    expect(d?.images).toHaveLength(1);
    expect(d?.images?.[0]?.credit).toBe('Getty Images');
    expect(d?.images?.[0]?.caption).toMatch(/^A general view of part of downtown.*Getty Images\)$/);
    expect(d?.images?.[0]?.width).toBe(1500);
    expect(d?.keywords).toContain('poverty');
    expect(d?.bylines).toEqual([{ name: 'Spencer Platt', role: 'photographer' }]);
  });

  it('listing 6: a bare package becomes one composite story listing its items', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_6_Simple_NewsML-G2_Package.xml'));
    expect(d?.type).toBe('composite');
    expect(d?.headline).toBe('UK');
    expect(d?.bodyText).toHaveLength(2);
  });

  it('listing 4: a video item without headline gets a short one from its description, flagged', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_4_Multiple_Renditions_of_a_Video_in_NewsML-G2.xml'));
    expect(d?.type).toBe('video');
    expect(d?.headline).toBe("Amir Hussein Abdullahian, Iranian foreign ministry's undersecretary for Arab and African affairs…");
    expect(d?.warnings).toContain('headline: none in contentMeta, derived from the description (NewsML-G2)');
    expect(d?.images).toBeUndefined();
  });

  it('metadata-only items are refused naming the missing headline', () => {
    for (const f of ['LISTING_24_News_Message_conveying_a_complete_News_Package.xml', 'LISTING_29_Hop_History.xml', 'ap_metadata_example.xml']) {
      const r = parse(input(fixture(`newsml-g2/iptc-spec/${f}`)));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('WIRE_ERR_NO_HEADLINE');
        expect(r.error.message).toContain('contentMeta/headline');
      }
    }
  });

  it('a newsMessage with several text items yields several stories, with inline NITF bodies', () => {
    const stories = ok(sample('newsml-g2-message.xml'));
    expect(stories.map((s) => s.guid)).toEqual(['urn:newsml:example.com:20240101:one', 'urn:newsml:example.com:20240101:two', 'urn:newsml:example.com:20240101:three']);
    expect(stories.map((s) => s.version)).toEqual([2, 1, 3]);
    expect(stories[0]?.bodyHtml).toBe('<p>First paragraph.</p><p>Second paragraph.</p>');
    expect(stories[0]?.bylines).toEqual(['By Jane Roe']);
    expect(stories[0]?.dateline).toBe('LONDON, Jan 1 (Example) -');
    expect(stories[0]?.infoSources).toEqual([
      { name: 'Example News', role: 'distributor' },
      { name: 'EXAMPLE', role: 'source' },
    ]);
    expect(stories[1]?.pubStatus).toBe('canceled');
    expect(stories[1]?.bodyHtml).toContain('<p>XHTML body.</p>');
    expect(stories[2]?.bodyHtml).toBe('<p>From CDATA &amp; sloppy.</p>');
    expect(stories[2]?.correction).toBe(true);
  });

  it('honours the item limit', () => {
    const r = parse({ ...input(sample('newsml-g2-message.xml')), limits: { maxBytes: 1e6, maxDepth: 64, maxItems: 2 } });
    expect(!r.ok && r.error.code).toBe('WIRE_ERR_TOO_MANY_ITEMS');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        for (const t of [s, `<newsItem guid="${s}"><contentMeta><headline>${s}</headline></contentMeta>${s}</newsItem>`]) {
          const r = parse(input(t));
          if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('NewsML-G2 picture linking without a package', () => {
  it('folds a picture item the text references by guid (TT data-uri) into the text story', () => {
    const stories = ok(sample('newsml-g2-tt-no-package.xml'));
    expect(stories).toHaveLength(1);
    expect(stories[0]?.images?.[0]?.sourceUrl).toBe('https://beta.tt.se/media/text/210919-janguillou-879f202b/a001_NormalHires.jpg');
  });

  it('keeps unrelated picture items as their own stories', () => {
    const text = sample('newsml-g2-tt-no-package.xml').replace('data-uri="http://tt.se/media/image/sdlm1btzmKu8WU"', '');
    const pictureWithHeadline = text.replace('<description role="drol:caption">Journalisten', '<headline>Guillou</headline><description role="drol:caption">Journalisten');
    const stories = ok(pictureWithHeadline);
    expect(stories.map((s) => s.type)).toEqual(['text', 'picture']);
  });
});
