import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
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

  it('TT newsMessage: the package folds its picture into the text story (hi-res image, caption, credit), and stands as a composite of its items', () => {
    const stories = ok(fixture('newsml-g2/agency/TT_newsmlg2_sample.xml'));
    expect(stories.map((s) => s.type)).toEqual(['text', 'composite']);
    expect(stories[1]?.members?.map((m) => m.guid)).toEqual(['http://tt.se/media/text/210919-janguillou-879f202b', 'http://tt.se/media/image/sdlm1btzmKu8WU']);
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
    expect(d.people?.map((p) => p.name)).toContain('Jan Guillou');
    expect(d.contentCreated).toBe('2021-09-19T18:57:43.000Z');
    expect(d.source).toBe('tt');
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
      bylines: [{ name: 'Meredith Jameson', role: 'author' }],
      genres: [{ name: 'Interview', code: 'interview', scheme: 'genre' }],
      services: [{ name: 'UK News Service', code: 'uknews', scheme: 'svc', kind: 'service' }],
      copyrightHolder: 'Example Enews LLP',
    });
    expect(d?.infoSources?.map((s) => s.name)).toContain('Example Enews LLP');
    expect(d?.copyrightNotice).toMatch(/Copyright/);
    expect(d?.usageTerms).toBeTruthy();
    expect(d?.ednotes?.length).toBe(1);
    // Names in the item's language (en-GB), codes kept.
    expect(d?.subjects).toEqual([
      { code: '04000000', name: 'economy, business and finance', scheme: 'medtop' },
      { code: '20000523', name: 'labour market', scheme: 'medtop' },
    ]);
  });

  it('listing 3: a picture item becomes a picture story with caption, credit and rendition', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_3_Photo_in_NewsML-G2.xml'));
    expect(d?.type).toBe('picture');
    expect(d?.headline).toBe('Variety Of Recessionary Forces Leave Las Vegas Economy Scarred');
    expect(d?.images).toHaveLength(1);
    expect(d?.images?.[0]).toMatchObject({ self: true, credit: 'Getty Images', by: 'Spencer Platt' });
    expect(d?.images?.[0]?.caption).toMatch(/^A general view of part of downtown.*Getty Images\)$/);
    // Relative and file: hrefs cannot be fetched, but the parser does not judge links: they reach
    // finalize, which drops them with a warning (safe-output.test.ts).
    expect(d?.images?.[0]?.renditions?.map((r) => r.href)).toEqual(['./GYI0062134533.jpg', 'file:///./ GYI0062134533-web.jpg', 'file:///./GYI0062134533-thumb.gif']);
    expect(d?.images?.[0]?.sourceUrl).toBeUndefined();
    expect(d?.bodyText).toBeUndefined();
    expect(d?.keywords).toContain('poverty');
    expect(d?.bylines).toEqual([{ name: 'Spencer Platt', role: 'photographer' }, { name: 'sp/lrc', role: 'descrWriter' }]);
    expect(d).toMatchObject({ copyrightHolder: 'Getty Images North America', contentCreated: '2010-10-20T23:45:58.000Z' });
    expect(d?.usageTerms).toMatch(/^Contact your local office/);
    expect(d?.places?.map((p) => p.name)).toEqual(['Las Vegas Boulevard', 'Las Vegas']);
  });

  it('listing 6: a bare package becomes one composite story whose members are its items, group kept', () => {
    const [d, ...rest] = ok(fixture('newsml-g2/iptc-spec/LISTING_6_Simple_NewsML-G2_Package.xml'));
    expect(rest).toHaveLength(0);
    expect(d?.type).toBe('composite');
    expect(d?.headline).toBe('UK');
    expect(d?.title).toBe('UK-TOPNEWS');
    expect(d?.ednotes).toEqual(['Updates the previous version']);
    expect(d?.services).toEqual([{ name: 'Top UK News stories hourly', code: 'uktop', scheme: 'svc', kind: 'service' }]);
    expect(d?.members).toEqual([
      { guid: 'urn:newsml:iptc.org:20081007:tutorial-item-A', type: 'text', headline: 'Obama annonce son équipe', group: 'main' },
      { guid: 'urn:newsml:iptc.org:20081007:tutorial—item-B', type: 'picture', headline: 'Barack Obama arrive à Washington', group: 'main' },
    ]);
    expect(d?.bylines).toEqual([{ name: 'Maurice Dancer', role: 'contributor' }]);
  });

  it('listing 4: a video item without headline gets a short one from its description, flagged', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_4_Multiple_Renditions_of_a_Video_in_NewsML-G2.xml'));
    expect(d?.type).toBe('video');
    expect(d?.headline).toBe("Amir Hussein Abdullahian, Iranian foreign ministry's undersecretary for Arab and African affairs…");
    expect(d?.warnings).toContain('headline: none in contentMeta, derived from the description (NewsML-G2)');
    // The video is the item itself: every rendition kept, no picture to fetch.
    expect(d?.images).toHaveLength(1);
    expect(d?.images?.[0]).toMatchObject({ type: 'video', self: true });
    expect(d?.images?.[0]?.sourceUrl).toBeUndefined();
    expect(d?.images?.[0]?.renditions?.length).toBeGreaterThan(1);
  });

  it('listing 24: a news package gives its items, and a composite story keeps the package structure', () => {
    const stories = ok(fixture('newsml-g2/iptc-spec/LISTING_24_News_Message_conveying_a_complete_News_Package.xml'));
    expect(stories.map((s) => [s.guid, s.type])).toEqual([
      ['N1', 'text'],
      ['N2', 'text'],
      ['N3', 'text'],
      ['N4', 'text'],
      ['tag:reuters.com,2016:newsml_OVE48850O-PKG', 'composite'],
    ]);
    expect(stories[4]?.members?.map((m) => m.guid)).toEqual(['N1', 'N2', 'N3', 'N4']);
    // The message's sender names the provider of items that name none.
    expect(stories.every((s) => s.source === 'thomsonreuters' && s.metadataOnly)).toBe(true);
  });

  it('listing 29: a hop history becomes info sources (who created the content is the originator); rights and provider kept', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/LISTING_29_Hop_History.xml'));
    expect(d).toMatchObject({ guid: 'urn:newsml:acmenews.com:20161019T1205:HOP-HISTORY-EXAMPLE', version: 11, language: 'en-US', source: 'reuters', copyrightHolder: 'http://www.thomsonreuters.com', metadataOnly: true });
    expect(d?.infoSources).toEqual([
      { name: 'reuters', role: 'distributor' },
      { name: 'Thomson Reuters', role: 'originator' },
      { name: 'bwire', role: 'source' },
      { name: 'aquiremedia', role: 'source' },
      { name: 'AP', role: 'source' },
    ]);
  });

  it('AP metadata example: geographic concepts to places (with the asserted position), companies to organisations (ticker), people apart', () => {
    const [d] = ok(fixture('newsml-g2/iptc-spec/ap_metadata_example.xml'));
    expect(d).toMatchObject({ type: 'video', source: 'ap', metadataOnly: true });
    expect(d?.places).toEqual([{ name: 'Kentucky', code: '2f6e294082b310048474df092526b43e', scheme: 'apgeography', geo: { lat: -84.87762, lon: 38.20042 } }]);
    expect(d?.organisations).toEqual([{ name: 'Volkswagen AG', code: 'b406375ae52c4b41b8bdd341760f2768', scheme: 'apcompany', symbols: [{ exchange: 'XETRA', ticker: 'VOW3' }] }]);
    expect(d?.people).toEqual([{ name: 'Keegan Murray', code: '4e7a7c0fdad04d8880888ae63a083c36', scheme: 'apperson' }]);
    expect(d?.subjects).toBeUndefined();
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
    const r = parse({ ...input(sample('newsml-g2-message.xml')), limits: { ...DEFAULT_LIMITS, maxBytes: 1e6, maxItems: 2 } });
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
