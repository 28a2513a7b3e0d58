import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CanonicalStory } from '@wire/schema';
import { HOSTILE_LINKS, HOSTILE_TEXT, outputProblems } from '@wire/text/testing';
import { describe, expect, it } from 'vitest';
import { normalize } from './normalize';
import { toNinjs } from './ninjs';

/**
 * Safe output, format by format and field by field: small documents in every format carry a
 * script or mXSS vector in every plain-text field they have and a hostile link in every link field;
 * what comes out (the canonical story and its ninjs) is judged as a browser would build it
 * (parse5, `@wire/text/testing`). Each field also carries a marker word, so a field that was
 * silently dropped instead of cleaned would show.
 */

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/wire/', import.meta.url));

/** Marker words, one per field: they must come through every cleaning. */
const M = {
  headline: 'Hedmark',
  sub: 'Submark',
  slug: 'Slugmark',
  byline: 'Bymark',
  caption: 'Capmark',
  credit: 'Credmark',
  alt: 'Altmark',
  keyword: 'Keymark',
  subject: 'Subjmark',
  dateline: 'Datemark',
  city: 'Citymark',
  source: 'Srcmark',
  body: 'Bodymark',
} as const;
type Field = keyof typeof M;

/** The value of a field: its marker and the vector, as text (each template escapes it for its syntax). */
type Values = (f: Field) => string;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const json = (s: string) => JSON.stringify(s);

interface Format {
  /** Output fields the format fills from the document (checked for their marker). */
  fields: Array<[Field, (s: CanonicalStory) => string | undefined]>;
  /**
   * Fields whose value the document's own markup displays (an XHTML body in XML, anything on an
   * HTML page): decoded once by that markup's parser. Every other value is text that may carry
   * HTML (a JSON string, an XML element's text), decoded once as HTML.
   */
  displayed?: Field[];
  doc(v: Values, link: string): string;
}

const headline = (s: CanonicalStory) => s.headline;
const body = (s: CanonicalStory) => s.body.join(' ');
const byline = (s: CanonicalStory) => s.bylines.map((b) => b.name).join(' ');
const caption = (s: CanonicalStory) => s.images.map((i) => i.caption ?? '').join(' ');
const credit = (s: CanonicalStory) => s.images.map((i) => i.credit ?? '').join(' ');
const alt = (s: CanonicalStory) => s.images.map((i) => i.alt ?? '').join(' ');
const keywords = (s: CanonicalStory) => s.keywords.join(' ');
const subjects = (s: CanonicalStory) => s.subjects.map((x) => x.name).join(' ');
const sources = (s: CanonicalStory) => s.infoSources.map((x) => x.name).join(' ');

const FORMATS: Record<string, Format> = {
  'ninjs 2': {
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['slug', (s) => s.slugline], ['byline', byline], ['caption', caption], ['credit', credit], ['alt', alt], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body], ['dateline', (s) => s.located?.text]],
    doc: (v, link) =>
      `{"uri":"urn:test:ninjs:1","version":"1","type":"text","language":"en","headlines":[{"role":"main","value":${json(v('headline'))}},{"role":"sub","value":${json(v('sub'))}}],` +
      `"slugline":${json(v('slug'))},"by":${json(v('byline'))},"people":[{"name":${json(v('byline'))},"rel":"author","contactInfo":[{"type":"email","value":${json(link)}}]}],` +
      `"located":${json(v('dateline'))},"subjects":[{"name":${json(v('subject'))},"uri":${json(link)}}],"keywords":[${json(v('keyword'))}],` +
      `"infoSources":[{"name":${json(v('source'))},"uri":${json(link)}}],"altIds":[{"role":"x","value":${json(link)}}],` +
      `"bodies":[{"role":"text","contentType":"text/html","value":${json(`<p>${v('body')} <a href="${xml(link)}">link</a></p>`)}}],` +
      `"associations":[{"type":"picture","descriptions":[{"role":"caption","value":${json(v('caption'))}}],"by":${json(v('credit'))},"altText":${json(v('alt'))},` +
      `"renditions":[{"name":"main","href":"https://img.example/a.jpg","contentType":"image/jpeg","width":800}]}]}`,
  },
  'NewsML-G2': {
    displayed: ['body'],
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['slug', (s) => s.slugline], ['byline', byline], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body]],
    doc: (v, link) => `<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:g2:1" version="1" standard="NewsML-G2" standardversion="2.28">
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:TEST" uri="${xml(link)}"/><versionCreated>2024-03-01T10:00:00Z</versionCreated></itemMeta>
  <contentMeta>
    <infoSource uri="${xml(link)}" role="cpnat:originator"><name>${xml(v('source'))}</name></infoSource>
    <by>${xml(v('byline'))}</by>
    <subject type="cpnat:abstract" qcode="medtop:20000013"><name>${xml(v('subject'))}</name></subject>
    <keyword>${xml(v('keyword'))}</keyword>
    <slugline>${xml(v('slug'))}</slugline>
    <headline>${xml(v('headline'))}</headline>
    <headline role="hlrole:sub">${xml(v('sub'))}</headline>
    <altId type="x">${xml(link)}</altId>
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body><p>${xml(v('body'))} <a href="${xml(link)}">link</a></p></body></html></inlineXML></contentSet>
</newsItem>`,
  },
  NITF: {
    displayed: ['body'],
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['byline', byline], ['dateline', (s) => s.dateline], ['caption', caption], ['credit', credit], ['alt', alt], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body]],
    doc: (v, link) => `<nitf><head><title>t</title><tobject><tobject.subject tobject.subject.refnum="04000000" tobject.subject.matter="${xml(v('subject'))}"/></tobject>
<docdata><doc-id id-string="nitf-1" regsrc="${xml(v('source'))}"/><key-list><keyword key="${xml(v('keyword'))}"/></key-list><date.issue norm="20240301T100000Z"/></docdata></head>
<body><body.head><hedline><hl1>${xml(v('headline'))}</hl1><hl2>${xml(v('sub'))}</hl2></hedline><byline>${xml(v('byline'))}</byline><dateline>${xml(v('dateline'))}</dateline></body.head>
<body.content><p>${xml(v('body'))} <a href="${xml(link)}">link</a></p><p>Second paragraph of the story.</p>
<media media-type="image"><media-reference source="https://img.example/n.jpg" alternate-text="${xml(v('alt'))}" width="800"/><media-caption>${xml(v('caption'))}</media-caption><media-producer>${xml(v('credit'))}</media-producer></media>
</body.content></body></nitf>`,
  },
  'NewsML 1.2': {
    fields: [['headline', headline], ['byline', byline], ['dateline', (s) => s.dateline ?? s.located?.text], ['caption', caption], ['credit', credit], ['body', body]],
    doc: (v) => `<?xml version="1.0" encoding="UTF-8"?>
<NewsML Version="1.2"><NewsEnvelope><DateAndTime>20240301T120000Z</DateAndTime></NewsEnvelope>
<NewsItem><Identification><NewsIdentifier><ProviderId>test.example</ProviderId><DateId>20240301</DateId><NewsItemId>N1</NewsItemId><RevisionId>1</RevisionId></NewsIdentifier></Identification>
<NewsManagement><NewsItemType FormalName="News"/><ThisRevisionCreated>20240301T110000Z</ThisRevisionCreated><Status FormalName="Usable"/></NewsManagement>
<NewsComponent><NewsLines><HeadLine>${xml(v('headline'))}</HeadLine><ByLine>${xml(v('byline'))}</ByLine><DateLine>${xml(v('dateline'))}</DateLine></NewsLines>
<NewsComponent><Role FormalName="Main"/><ContentItem><MediaType FormalName="Text"/><MimeType FormalName="text/html"/><DataContent><![CDATA[<p>${v('body').replace(/]]>/g, ']] >')}</p><p>Second paragraph.</p>]]></DataContent></ContentItem></NewsComponent>
<NewsComponent><Role FormalName="Photo"/><NewsLines><HeadLine>${xml(v('caption'))}</HeadLine><CreditLine>${xml(v('credit'))}</CreditLine></NewsLines>
<ContentItem Href="https://img.example/p.jpg"><MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/></ContentItem></NewsComponent>
</NewsComponent></NewsItem></NewsML>`,
  },
  'IPTC 7901': {
    fields: [['headline', headline], ['body', body]],
    doc: (v) => `\u0001dpa0123 4 pl 0345 dpa 0123\r\n${v('slug').replace(/[\r\n]/g, ' ')}\r\n\u0002${v('headline').replace(/[\r\n]/g, ' ')} =\r\n\r\n   ${v('body').replace(/[\r\n]/g, ' ')}\r\n   Second paragraph of the story.\r\n\r\ndpa xy\r\n021530 Feb 24\r\n\u0003\u0004`,
  },
  'RSS 2.0': {
    fields: [['headline', headline], ['byline', byline], ['caption', caption], ['credit', credit], ['keyword', (s) => `${keywords(s)} ${subjects(s)}`], ['body', body]],
    doc: (v, link) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Feed</title><link>https://wire.example/</link><description>d</description>
<item><title>${xml(v('headline'))}</title><link>${xml(link)}</link><guid isPermaLink="false">rss-1</guid><pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>
<dc:creator>${xml(v('byline'))}</dc:creator><category>${xml(v('keyword'))}</category>
<content:encoded>${xml(`<p>${v('body')} <a href="${xml(link)}">link</a></p><p>Second paragraph.</p>`)}</content:encoded>
<media:content url="https://img.example/r.jpg" medium="image" width="1200"><media:description>${xml(v('caption'))}</media:description><media:credit>${xml(v('credit'))}</media:credit></media:content>
</item></channel></rss>`,
  },
  Atom: {
    fields: [['headline', headline], ['byline', byline], ['body', body]],
    doc: (v, link) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed</title><id>urn:test:feed</id><updated>2024-03-01T10:00:00Z</updated>
<entry><id>tag:test.example,2024:1</id><title type="html">${xml(v('headline'))}</title><updated>2024-03-01T10:00:00Z</updated><author><name>${xml(v('byline'))}</name></author>
<link rel="alternate" href="${xml(link)}"/><content type="html">${xml(`<p>${v('body')} <a href="${xml(link)}">link</a></p><p>Second paragraph.</p>`)}</content></entry></feed>`,
  },
  'AP Media API': {
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['slug', (s) => s.slugline], ['byline', byline], ['city', (s) => s.located?.city], ['caption', caption], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body]],
    doc: (v, link) =>
      `{"api_version":"2","data":{"item":{"uri":"https://api.ap.org/media/v/content/abc","altids":{"itemid":"abc","x":${json(link)}},"version":1,"type":"text","versioncreated":"2024-03-20T18:05:12Z","pubstatus":"usable","language":"en",` +
      `"headline":${json(v('headline'))},"headline_extended":${json(v('sub'))},"slugline":${json(v('slug'))},"bylines":[{"by":${json(v('byline'))}}],"located":${json(v('dateline'))},"datelinelocation":{"city":${json(v('city'))}},` +
      `"subject":[{"code":${json(link)},"name":${json(v('subject'))}}],"keywords":[${json(v('keyword'))}],"infosource":[{"name":${json(v('source'))}}],` +
      `"body_html":${json(`<p>${v('body')} <a href="${xml(link)}">link</a></p><p>Second paragraph.</p>`)},` +
      `"associations":{"1":{"type":"picture","headline":${json(v('caption'))},"renditions":{"main":{"rel":"Main","href":"https://img.example/ap.jpg","mimetype":"image/jpeg","width":800}}}}}}}`,
  },
  'HTML page': {
    displayed: ['headline', 'byline', 'caption', 'source', 'body'],
    fields: [['headline', headline], ['byline', byline], ['caption', caption], ['source', sources], ['body', body]],
    doc: (v, link) => `<!DOCTYPE html><html lang="en"><head><title>x</title><meta name="author" content="${xml(v('byline'))}"><meta property="og:site_name" content="${xml(v('source'))}"><link rel="canonical" href="https://news.example/story"></head>
<body><article><h1>${xml(v('headline'))}</h1>
<figure><img src="https://img.example/h.jpg" alt="${xml(v('alt'))}" width="800" height="600"><figcaption>${xml(v('caption'))}</figcaption></figure>
<p>${xml(v('body'))} and the copy of the story goes on for a while so the page reads as an article <a href="${xml(link)}">link</a>.</p>
<p>Second paragraph of the story, long enough to count as copy on a scraped page of this kind.</p>
<p>Third paragraph of the story, long enough to count as copy on a scraped page of this kind.</p>
<p>Fourth paragraph of the story, long enough to count as copy on a scraped page of this kind.</p></article></body></html>`,
  },
};

function normalizeOne(doc: string, format: string): CanonicalStory {
  const r = normalize(doc, { source: 'test' });
  if (!r.ok) throw new Error(`${format}: ${r.error.code}: ${r.error.message}`);
  expect(r.value).toHaveLength(1);
  return r.value[0]!;
}

describe('safe output from every format', () => {
  for (const [format, f] of Object.entries(FORMATS)) {
    describe(format, () => {
      it.each(HOSTILE_TEXT.map((vector, i) => [vector, HOSTILE_LINKS[i % HOSTILE_LINKS.length]!] as const))('%j in every text field, link %j: clean story and ninjs, every field read', (vector, link) => {
        const story = normalizeOne(f.doc((field) => `${M[field]} ${vector}`, link), format);
        expect(outputProblems(story)).toEqual([]);
        const doc = toNinjs(story, { hrefFor: (key) => `https://cdn.example/${key}` });
        expect(outputProblems(doc)).toEqual([]);
        for (const [field, read] of f.fields) expect(read(story) ?? '', `${format} ${field}`).toMatch(new RegExp(M[field], 'i'));
      });

      it('decodes entities exactly once in every text field', () => {
        const value = 'AT&amp;T &amp;lt;b&amp;gt; 5 &lt; 6';
        const story = normalizeOne(f.doc((field) => `${M[field]} ${value}`, 'https://ok.example/a'), format);
        for (const [field, read] of f.fields) expect(read(story) ?? '', `${format} ${field}`).toContain(f.displayed?.includes(field) ? value : 'AT&T &lt;b&gt; 5 < 6');
        expect(outputProblems(story)).toEqual([]);
      });
    });
  }

  it('drops hostile links with a warning naming the field (ninjs: info source, subject, altId, contact, body link)', () => {
    for (const link of HOSTILE_LINKS) {
      const story = normalizeOne(FORMATS['ninjs 2']!.doc((field) => M[field], link), 'ninjs');
      expect(story.infoSources.every((s) => s.uri === undefined), link).toBe(true);
      if (/script|data:|file:|about:/i.test(link)) expect(story.altIds.map((a) => a.type)).not.toContain('x');
      expect(story.bylines.every((b) => b.email === undefined)).toBe(true);
      expect(story.bodyHtml).toBe('<p>Bodymark link</p>');
      expect(story.bodyHtml).not.toMatch(/href/);
      expect(story.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^bodyHtml: link dropped/), expect.stringMatching(/^infoSources\[0\]\.uri: .*dropped$/)]));
      if (/script|data:|file:|about:/i.test(link)) expect(story.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^altIds\[\d\]\.value: .*dropped$/)]));
      const doc = toNinjs(story);
      expect(JSON.stringify(doc.subjects)).not.toMatch(/"uri"/);
    }
  });

  it('keeps good links, normalized, and a ticker in angle brackets', () => {
    const story = normalizeOne(FORMATS['ninjs 2']!.doc((field) => `${M[field]} <UAL>`, 'HTTPS://Ok.Example/a b'), 'ninjs');
    expect(story.headline).toBe('Hedmark <UAL>');
    expect(story.infoSources[0]?.uri).toBe('https://ok.example/a%20b');
    expect(story.bodyHtml).toContain('<a href="https://ok.example/a%20b">link</a>');
    // The link is no e-mail address for the author's contact details.
    expect(story.warnings.filter((w) => /dropped|markup/.test(w))).toEqual(['bylines[0].email: not an e-mail address; dropped']);
  });

  it('a guid with an active scheme is not kept: the story gets one derived from its content, with a warning', () => {
    const r = normalize('{"uri":"java&#x09;script:alert(1)","headline":"Hi","body_text":"Text of the story."}');
    if (!r.ok) throw r.error;
    expect(r.value[0]!.guid).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(r.value[0]!.warnings).toContain('guid: scheme "javascript" is not allowed in an identifier; derived from the content');
  });

  it('the ninjs headline of the issue comes out as text', () => {
    const r = normalize('{"uri":"urn:test:1","headlines":[{"role":"main","value":"Council <script>alert(1)</script> votes"}],"body_text":"Text."}');
    expect(r.ok && (toNinjs(r.value[0]!).headlines as Array<{ value: string }>)[0]!.value).toBe('Council votes');
  });
});

/**
 * The fields of the full ninjs model (rights, descriptions, editor's notes, concepts, structured
 * bylines, media of their own, renditions, package members), format by format: each text field
 * carries a marker word and a script or mXSS vector, each link field a hostile link. The story and
 * its ninjs come out clean, every marker comes through, and every hostile link is gone with a
 * warning naming its field (the warning is how a dropped link shows it was read); with a good
 * link instead, every link field carries it.
 */
const F = {
  title: 'Titlemark',
  summary: 'Summark',
  holder: 'Holdmark',
  notice: 'Noticemark',
  terms: 'Termsmark',
  ednote: 'Notemark',
  genre: 'Genremark',
  place: 'Placemark',
  org: 'Orgmark',
  ticker: 'Tickmark',
  person: 'Persmark',
  service: 'Servmark',
  member: 'Membmark',
  author: 'Bymark',
  affiliation: 'Affmark',
  jobTitle: 'Jobmark',
  mediaHeadline: 'Mediamark',
  photographer: 'Photomark',
  caption: 'Capmark',
  credit: 'Credmark',
  alt: 'Altmark',
  city: 'Citymark',
  category: 'Catmark',
  keyword: 'Keymark',
} as const;
type ModelField = keyof typeof F;

/** A link field: where its values are in the story, and the warning path of a dropped one. */
type LinkField = [name: string, read: (s: CanonicalStory) => Array<string | undefined>, warning: RegExp];

interface ModelFormat {
  fields: Array<[ModelField, (s: CanonicalStory) => string | undefined]>;
  /** Fields an HTML attribute of the document displays: decoded once by that markup (see `Format`). */
  displayed?: ModelField[];
  links: LinkField[];
  doc(v: (f: ModelField) => string, link: string): string;
}

const joined = (xs: Array<string | undefined> | undefined): string => (xs ?? []).filter(Boolean).join(' ');
const names = (xs: Array<{ name: string }> | undefined): string => joined(xs?.map((x) => x.name));
const read = {
  title: (s: CanonicalStory) => s.title,
  summary: (s: CanonicalStory) => joined(s.descriptions?.map((d) => d.value)),
  holder: (s: CanonicalStory) => s.copyrightHolder,
  notice: (s: CanonicalStory) => s.copyrightNotice,
  terms: (s: CanonicalStory) => s.usageTerms,
  ednotes: (s: CanonicalStory) => joined(s.ednotes),
  genres: (s: CanonicalStory) => names(s.genres),
  places: (s: CanonicalStory) => names(s.places),
  organisations: (s: CanonicalStory) => names(s.organisations),
  tickers: (s: CanonicalStory) => joined(s.organisations?.flatMap((o) => o.symbols?.map((x) => x.ticker) ?? [])),
  people: (s: CanonicalStory) => names(s.people),
  services: (s: CanonicalStory) => names(s.services),
  members: (s: CanonicalStory) => joined(s.members?.map((m) => m.headline)),
  authors: (s: CanonicalStory) => names(s.bylines),
  affiliations: (s: CanonicalStory) => joined(s.bylines.map((b) => b.affiliation)),
  jobTitles: (s: CanonicalStory) => joined(s.bylines.map((b) => b.title)),
  mediaHeadlines: (s: CanonicalStory) => joined(s.images.map((i) => i.headline)),
  photographers: (s: CanonicalStory) => joined(s.images.map((i) => i.by)),
  captions: (s: CanonicalStory) => joined(s.images.map((i) => i.caption)),
  credits: (s: CanonicalStory) => joined(s.images.map((i) => i.credit)),
  alts: (s: CanonicalStory) => joined(s.images.map((i) => i.alt ?? i.caption)),
  city: (s: CanonicalStory) => s.located?.city,
  subjects: (s: CanonicalStory) => names(s.subjects),
  keywords: (s: CanonicalStory) => joined(s.keywords),
};
const link = {
  bylines: ['bylines[].uri', (s) => s.bylines.map((b) => b.uri), /^bylines\[\d+\]\.uri: /] as LinkField,
  genres: ['genres[].uri', (s) => (s.genres ?? []).map((c) => c.uri), /^genres\[\d+\]\.uri: /] as LinkField,
  places: ['places[].uri', (s) => (s.places ?? []).map((c) => c.uri), /^places\[\d+\]\.uri: /] as LinkField,
  organisations: ['organisations[].uri', (s) => (s.organisations ?? []).map((c) => c.uri), /^organisations\[\d+\]\.uri: /] as LinkField,
  people: ['people[].uri', (s) => (s.people ?? []).map((c) => c.uri), /^people\[\d+\]\.uri: /] as LinkField,
  renditions: ['images[].sourceRenditions[].href', (s) => s.images.flatMap((i) => (i.sourceRenditions ?? []).map((r) => r.href)), /^images\[\d+\]\.sourceRenditions\[\d+\]\.href: /] as LinkField,
  pictureUrl: ['images[].sourceUrl', (s) => s.images.map((i) => i.sourceUrl), /^images\[\d+\]\.sourceUrl: /] as LinkField,
  storyRenditions: ['sourceRenditions[].href', (s) => (s.sourceRenditions ?? []).map((r) => r.href), /^sourceRenditions\[\d+\]\.href: /] as LinkField,
  body: ['bodyHtml <a href>', (s) => [/href="([^"]*)"/.exec(s.bodyHtml)?.[1]], /^bodyHtml: link dropped/] as LinkField,
};
const attrText = (s: string) => xml(s).replace(/'/g, '&#39;');

const MODEL_FORMATS: Record<string, ModelFormat> = {
  ninjs: {
    fields: [['title', read.title], ['summary', read.summary], ['holder', read.holder], ['notice', read.notice], ['terms', read.terms], ['ednote', read.ednotes], ['genre', read.genres], ['place', read.places], ['org', read.organisations], ['person', read.people], ['member', read.members], ['author', read.authors], ['mediaHeadline', read.mediaHeadlines], ['photographer', read.photographers], ['caption', read.captions]],
    links: [link.bylines, link.genres, link.places, link.organisations, link.people, link.renditions],
    doc: (v, l) =>
      JSON.stringify({
        uri: 'urn:test:ninjs:model',
        type: 'text',
        language: 'en',
        headline: 'A story with the whole model',
        title: v('title'),
        descriptions: [{ role: 'summary', value: v('summary') }],
        copyrightHolder: v('holder'),
        copyrightNotice: v('notice'),
        usageTerms: v('terms'),
        edNote: v('ednote'),
        genres: [{ name: v('genre'), uri: l }],
        places: [{ name: v('place'), uri: l, geoJSON: { type: 'Point', coordinates: [10.75, 59.91] } }],
        organisations: [{ name: v('org'), uri: l }],
        people: [{ name: v('author'), rel: 'author', uri: l }, { name: v('person'), rel: 'subject', uri: l }],
        bodies: [{ role: 'text', contentType: 'text/html', value: '<p>The copy of the story, long enough to be a paragraph.</p>' }],
        associations: [
          {
            type: 'picture',
            headline: v('mediaHeadline'),
            by: v('photographer'),
            descriptions: [{ role: 'caption', value: v('caption') }],
            renditions: [{ name: 'main', href: 'https://img.example/m.jpg', contentType: 'image/jpeg', width: 800 }, { name: 'thumb', href: l, contentType: 'image/jpeg', width: 80 }],
          },
          { type: 'text', uri: 'urn:test:ninjs:member:1', rel: 'sidebar', headline: v('member') },
        ],
      }),
  },
  'NewsML-G2': {
    fields: [['title', read.title], ['summary', read.summary], ['holder', read.holder], ['notice', read.notice], ['terms', read.terms], ['ednote', read.ednotes], ['genre', read.genres], ['place', read.places], ['org', read.organisations], ['ticker', read.tickers], ['person', read.people], ['service', read.services], ['author', read.authors]],
    links: [link.bylines, link.genres, link.places, link.organisations, link.people],
    doc: (v, l) => `<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:g2:model" version="1" standard="NewsML-G2" standardversion="2.28">
  <rightsInfo><copyrightHolder><name>${xml(v('holder'))}</name></copyrightHolder><copyrightNotice>${xml(v('notice'))}</copyrightNotice><usageTerms>${xml(v('terms'))}</usageTerms></rightsInfo>
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:TEST"/><versionCreated>2024-03-01T10:00:00Z</versionCreated><title>${xml(v('title'))}</title><edNote>${xml(v('ednote'))}</edNote><service qcode="testsvc:1"><name>${xml(v('service'))}</name></service></itemMeta>
  <contentMeta>
    <creator role="crol:author" uri="${attrText(l)}"><name>${xml(v('author'))}</name></creator>
    <headline>A story with the whole model</headline>
    <description role="drol:summary">${xml(v('summary'))}</description>
    <genre qcode="testgenre:1" uri="${attrText(l)}"><name>${xml(v('genre'))}</name></genre>
    <subject type="cpnat:geoArea" qcode="testgeo:1" uri="${attrText(l)}"><name>${xml(v('place'))}</name></subject>
    <subject type="cpnat:organisation" qcode="testorg:1" uri="${attrText(l)}"><name>${xml(v('org'))}</name><related rel="x"><hasInstrument symbol="XNYS:${attrText(v('ticker'))}"/></related></subject>
    <subject type="cpnat:person" qcode="testpers:1" uri="${attrText(l)}"><name>${xml(v('person'))}</name></subject>
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body><p>The copy of the story, long enough to be a paragraph.</p></body></html></inlineXML></contentSet>
</newsItem>`,
  },
  'NewsML-G2 picture': {
    fields: [['caption', read.captions], ['photographer', read.photographers], ['credit', read.credits]],
    links: [link.renditions],
    doc: (v, l) => `<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:g2:picture" version="1" standard="NewsML-G2" standardversion="2.28">
  <itemMeta><itemClass qcode="ninat:picture"/><provider qcode="nprov:TEST"/><versionCreated>2024-03-01T10:00:00Z</versionCreated></itemMeta>
  <contentMeta><headline>A picture item</headline><creator role="crol:photographer"><name>${xml(v('photographer'))}</name></creator><creditline>${xml(v('credit'))}</creditline><description role="drol:caption">${xml(v('caption'))}</description></contentMeta>
  <contentSet><remoteContent rendition="rnd:highRes" href="https://img.example/g.jpg" contenttype="image/jpeg" width="1600" height="1000"/><remoteContent rendition="rnd:thumbnail" href="${attrText(l)}" contenttype="image/jpeg" width="160" height="100"/></contentSet>
</newsItem>`,
  },
  'NewsML-G2 package': {
    fields: [['title', read.title], ['member', read.members]],
    links: [],
    doc: (v) => `<?xml version="1.0" encoding="UTF-8"?>
<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:g2:package" version="1" standard="NewsML-G2" standardversion="2.28">
  <itemMeta><itemClass qcode="ninat:composite"/><provider qcode="nprov:TEST"/><versionCreated>2024-03-01T10:00:00Z</versionCreated><title>${xml(v('title'))}</title></itemMeta>
  <groupSet root="G1"><group id="G1" role="grpRole:main"><itemRef residref="urn:test:g2:member:1"><itemClass qcode="ninat:text"/><title>${xml(v('member'))}</title></itemRef></group></groupSet>
</packageItem>`,
  },
  NITF: {
    fields: [['title', read.title], ['summary', read.summary], ['holder', read.holder], ['holder', read.notice], ['terms', read.terms], ['ednote', read.ednotes], ['genre', read.genres], ['place', read.places], ['org', read.organisations], ['person', read.people], ['author', read.authors], ['affiliation', read.affiliations], ['jobTitle', read.jobTitles], ['caption', read.captions], ['credit', read.credits]],
    links: [link.renditions],
    doc: (v, l) => `<nitf><head><title>${xml(v('title'))}</title><tobject tobject.type="${attrText(v('genre'))}"/>
<docdata><doc-id id-string="nitf-model" regsrc="TEST"/><doc.copyright holder="${attrText(v('holder'))}" year="2024"/><doc.rights limitations="${attrText(v('terms'))}"/><ed-msg info="${attrText(v('ednote'))}"/><evloc city="${attrText(v('place'))}"/>
<identified-content><person>${xml(v('person'))}</person><org>${xml(v('org'))}</org></identified-content><date.issue norm="20240301T100000Z"/></docdata></head>
<body><body.head><hedline><hl1>A story with the whole model</hl1></hedline><byline><person>${xml(v('author'))}</person><byttl>${xml(v('jobTitle'))}</byttl><org>${xml(v('affiliation'))}</org></byline><abstract><p>${xml(v('summary'))}</p></abstract></body.head>
<body.content><p>The copy of the story, long enough to be a paragraph.</p>
<media media-type="image"><media-reference name="main" source="https://img.example/n.jpg" width="800"/><media-reference name="thumb" source="${attrText(l)}" width="80"/><media-caption>${xml(v('caption'))}</media-caption><media-producer>${xml(v('credit'))}</media-producer></media>
</body.content></body></nitf>`,
  },
  'AP Media API': {
    fields: [['title', read.title], ['summary', read.summary], ['notice', read.notice], ['terms', read.terms], ['ednote', read.ednotes], ['genre', read.genres], ['place', read.places], ['org', read.organisations], ['ticker', read.tickers], ['person', read.people], ['service', read.services], ['member', read.members], ['jobTitle', read.jobTitles], ['mediaHeadline', read.mediaHeadlines], ['photographer', read.photographers], ['caption', read.captions], ['credit', read.credits]],
    links: [link.renditions],
    doc: (v, l) =>
      JSON.stringify({
        api_version: '2',
        data: {
          item: {
            uri: 'https://api.ap.org/media/v/content/model',
            altids: { itemid: 'model' },
            version: 1,
            type: 'text',
            versioncreated: '2024-03-20T18:05:12Z',
            pubstatus: 'usable',
            language: 'en',
            headline: 'A story with the whole model',
            title: v('title'),
            summary: v('summary'),
            copyrightnotice: v('notice'),
            usageterms: v('terms'),
            ednote: v('ednote'),
            bylines: [{ by: 'By Ann Author', parametric: 'Ann Author', title: v('jobTitle') }],
            genre: [{ name: v('genre'), code: 'g1' }],
            places: [{ name: v('place'), code: 'p1' }],
            organizations: [{ name: v('org'), code: 'o1', symbols: [{ ticker: v('ticker'), exchange: 'NYSE' }] }],
            persons: [{ name: v('person'), code: 'x1' }],
            products: [{ id: 42, name: v('service') }],
            body_html: '<p>The copy of the story, long enough to be a paragraph.</p>',
            associations: {
              '1': {
                type: 'picture',
                altids: { itemid: 'pic1' },
                headline: v('mediaHeadline'),
                description_caption: v('caption'),
                creditline: v('credit'),
                photographer: { name: v('photographer') },
                renditions: { main: { rel: 'Main', href: 'https://img.example/ap.jpg', mimetype: 'image/jpeg', width: 800 }, thumbnail: { rel: 'Thumbnail', href: l, mimetype: 'image/jpeg', width: 80 } },
              },
              '2': { type: 'text', altids: { itemid: 'member1' }, headline: v('member') },
            },
          },
        },
      }),
  },
  'AP Media API by reference': {
    fields: [['summary', read.summary]],
    links: [link.storyRenditions],
    doc: (v, l) =>
      JSON.stringify({
        api_version: '2',
        data: { item: { uri: 'https://api.ap.org/media/v/content/byref', altids: { itemid: 'byref' }, version: 0, type: 'text', versioncreated: '2024-03-20T18:05:12Z', headline: 'A text sent by reference', summary: v('summary'), renditions: { nitf: { href: 'https://api.ap.org/media/v/content/byref/download?format=nitf', mimetype: 'text/xml' }, other: { href: l, mimetype: 'text/html' } } } },
      }),
  },
  'RSS 2.0': {
    fields: [['summary', read.summary], ['notice', read.notice], ['place', read.places], ['photographer', read.photographers], ['caption', read.captions]],
    links: [link.renditions],
    doc: (v, l) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:georss="http://www.georss.org/georss"><channel><title>Feed</title><link>https://wire.example/</link><description>d</description>
<item><title>A story with the whole model</title><link>https://wire.example/model</link><guid isPermaLink="false">rss-model</guid><pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>
<description>${xml(`<p>${v('summary')}</p>`)}</description><content:encoded>${xml('<p>The copy of the story, long enough to be a paragraph.</p>')}</content:encoded><copyright>${xml(v('notice'))}</copyright>
<georss:point>59.91 10.75</georss:point><georss:featureName>${xml(v('place'))}</georss:featureName>
<media:group><media:content url="https://img.example/r.jpg" medium="image" width="1200"/><media:content url="${attrText(l)}" medium="image" width="120"/><media:title>${xml(v('caption'))}</media:title><media:credit role="photographer">${xml(v('photographer'))}</media:credit></media:group>
</item></channel></rss>`,
  },
  Atom: {
    fields: [['summary', read.summary], ['notice', read.notice], ['place', read.places]],
    links: [link.pictureUrl],
    doc: (v, l) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:georss="http://www.georss.org/georss"><title>Feed</title><id>urn:test:feed</id><updated>2024-03-01T10:00:00Z</updated><link rel="alternate" href="https://wire.example/"/>
<entry><id>tag:test.example,2024:model</id><title>A story with the whole model</title><updated>2024-03-01T10:00:00Z</updated><author><name>Ann Author</name></author>
<rights>${xml(v('notice'))}</rights><summary type="html">${xml(`<p>${v('summary')}</p>`)}</summary><georss:point>59.91 10.75</georss:point><georss:featureName>${xml(v('place'))}</georss:featureName>
<link rel="enclosure" type="image/jpeg" href="${attrText(l)}"/>
<content type="html">${xml('<p>The copy of the story, long enough to be a paragraph.</p><p>Second paragraph.</p>')}</content></entry></feed>`,
  },
  'Ritzau RBNews': {
    fields: [['summary', read.summary], ['author', read.authors], ['city', read.city], ['category', read.subjects], ['keyword', read.keywords], ['ednote', read.ednotes], ['caption', read.captions], ['credit', read.credits], ['photographer', read.photographers]],
    links: [link.pictureUrl],
    doc: (v, l) => `<?xml version="1.0" encoding="utf-8"?>
<ArrayOfRBNews xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ritzau.RBNews.Api"><RBNews>
<id>55667788</id><version>1</version><headline>A story with the whole model</headline><summary>${xml(v('summary'))}</summary>
<content>${xml('<p>The copy of the story, long enough to be a paragraph.</p>')}</content>
<byLine>${xml(v('author'))}</byLine><byLineEmail>ann.author@example-ritzau.dk</byLineEmail><town>${xml(v('city'))}</town><publishDate>2024-07-02T14:35:00</publishDate>
<categories><string>${xml(v('category'))}</string></categories><keywords><string>${xml(v('keyword'))}</string></keywords><editorialNote>${xml(v('ednote'))}</editorialNote>
<images><image><url>${xml(l)}</url><caption>${xml(v('caption'))}</caption><credit>${xml(v('credit'))}</credit><photographer>${xml(v('photographer'))}</photographer></image></images>
</RBNews></ArrayOfRBNews>`,
  },
  'e-mail': {
    fields: [['author', read.authors], ['alt', read.alts], ['mediaHeadline', read.mediaHeadlines]],
    displayed: ['alt', 'mediaHeadline'],
    links: [link.body],
    doc: (v, l) =>
      [
        `From: "${v('author').replace(/["\\]/g, '')}" <desk@wire.example.org>`,
        'Subject: A story with the whole model',
        'Date: Thu, 07 Nov 2024 09:00:00 +0000',
        'Message-ID: <model@wire.example.org>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        `<html><body><p>The copy of the story, long enough to be a paragraph, <a href="${attrText(l)}">a link</a>.</p><p><img src="cid:pic@wire.example.org" alt="${attrText(v('alt'))}"></p>` +
          `<p><img src="https://img.example/e.jpg" width="800" title="${attrText(v('mediaHeadline'))}"></p></body></html>`,
        '--rel',
        'Content-Type: image/png',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <pic@wire.example.org>',
        '',
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        '--rel--',
        '',
      ].join('\r\n'),
  },
};

const GOOD_LINK = 'HTTPS://Ok.Example/a b';
const GOOD_LINK_OUT = 'https://ok.example/a%20b';

describe('safe output in the fields of the full ninjs model', () => {
  for (const [format, f] of Object.entries(MODEL_FORMATS)) {
    describe(format, () => {
      it.each(HOSTILE_TEXT.map((vector, i) => [vector, HOSTILE_LINKS[i % HOSTILE_LINKS.length]!] as const))('%j in every new text field, link %j: clean story and ninjs, every field read', (vector, hostile) => {
        const story = normalizeOne(f.doc((field) => `${F[field]} ${vector}`, hostile), format);
        expect(outputProblems(story)).toEqual([]);
        expect(outputProblems(toNinjs(story, { hrefFor: (key) => `https://cdn.example/${key}` }))).toEqual([]);
        for (const [field, reader] of f.fields) expect(reader(story) ?? '', `${format} ${field}`).toMatch(new RegExp(F[field], 'i'));
        for (const [name, reader, warning] of f.links) {
          expect(reader(story).filter((x) => x !== undefined && !x.startsWith('https://img.example/') && !x.startsWith('https://api.ap.org/')), `${format} ${name}`).toEqual([]);
          expect(story.warnings, `${format} ${name}`).toEqual(expect.arrayContaining([expect.stringMatching(warning)]));
        }
        for (const w of story.warnings) expect(w).not.toContain(hostile.trim() || '\u0000');
      });

      it('keeps a good link in every link field, normalized, in the story and its ninjs', () => {
        const story = normalizeOne(f.doc((field) => F[field], GOOD_LINK), format);
        const doc = JSON.stringify(toNinjs(story));
        for (const [name, reader] of f.links) {
          expect(reader(story), `${format} ${name}`).toContain(GOOD_LINK_OUT);
          expect(doc, `${format} ${name}`).toContain(GOOD_LINK_OUT);
        }
        expect(story.warnings.filter((w) => /dropped|markup/.test(w))).toEqual([]);
      });

      it('decodes entities exactly once in every new text field', () => {
        const value = 'AT&amp;T &amp;lt;b&amp;gt; 5 &lt; 6';
        const story = normalizeOne(f.doc((field) => `${F[field]} ${value}`, GOOD_LINK), format);
        for (const [field, reader] of f.fields) expect(reader(story) ?? '', `${format} ${field}`).toContain(f.displayed?.includes(field) ? value : 'AT&T &lt;b&gt; 5 < 6');
        expect(outputProblems(story)).toEqual([]);
      });
    });
  }
});

describe('text taken again from text that was decoded is not decoded twice', () => {
  const one = (doc: string): CanonicalStory => normalizeOne(doc, 'test');

  it('a byline paragraph from the body: escaped text stays text, it does not become an address', () => {
    const story = one(JSON.stringify({ uri: 'urn:test:byline-para', headline: 'Harbour fire', bodies: [{ contentType: 'text/html', value: '<p>By Kim Doe [kim&amp;#64;x.example]</p><p>The copy of the story, long enough to be a paragraph.</p>' }] }));
    expect(story.bylines).toEqual([]);
    expect(story.body[0]).toBe('By Kim Doe [kim&#64;x.example]');
  });

  it('a byline paragraph from the body that is one is still read', () => {
    const story = one(JSON.stringify({ uri: 'urn:test:byline-para-2', headline: 'Harbour fire', bodies: [{ contentType: 'text/html', value: '<p>By Kim Do&amp;eacute; [kim@x.example]</p><p>The copy of the story, long enough to be a paragraph.</p>' }] }));
    expect(story.bylines).toEqual([{ name: 'Kim Doé', email: 'kim@x.example' }]);
    expect(story.body).toEqual(['The copy of the story, long enough to be a paragraph.']);
  });

  it('the caption a picture item without a headline gives as its headline, and the alt text', () => {
    const caption = 'Fire &amp;lt;b&amp;gt; at the harbour, seen from the ferry';
    const story = one(
      JSON.stringify({
        uri: 'urn:test:picture-no-headline',
        type: 'picture',
        descriptions: [{ role: 'caption', value: caption }],
        altText: 'Smoke &amp;lt;i&amp;gt; over the quay',
        renditions: [{ name: 'main', href: 'https://img.example/p.jpg', contentType: 'image/jpeg', width: 800 }],
      }),
    );
    expect(story.images[0]?.caption).toBe('Fire &lt;b&gt; at the harbour, seen from the ferry');
    expect(story.headline).toBe('Fire &lt;b&gt; at the harbour, seen from the ferry');
    expect(story.images[0]?.alt).toBe('Smoke &lt;i&gt; over the quay');
  });

  it('a caption paragraph a scraped page prints twice becomes the caption as displayed', () => {
    const caption = 'Harbour &amp;lt;b&amp;gt; fire seen from the quay at dawn on Tuesday [AP/YONHAP]';
    const paragraph = 'The copy of the story goes on for a while, long enough to count as copy on a scraped page.';
    const story = one(`<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><article><h1>Harbour fire</h1><p>${caption}</p><p>${caption}</p><p>${paragraph}</p><p>${paragraph} Two.</p><p>${paragraph} Three.</p><p>${paragraph} Four.</p></article></body></html>`);
    expect(story.images.map((i) => [i.caption, i.credit])).toEqual([['Harbour &lt;b&gt; fire seen from the quay at dawn on Tuesday', 'AP/YONHAP']]);
  });
});

describe('links the parsers used to drop silently reach the safe-output pass, which warns', () => {
  it('relative and file: renditions of a NewsML-G2 picture (IPTC listing 3), a bare id as a NITF picture (NTB)', () => {
    const g2 = normalizeOne(readFileSync(join(FIXTURES, 'newsml-g2/iptc-spec/LISTING_3_Photo_in_NewsML-G2.xml'), 'utf8'), 'NewsML-G2');
    expect(g2.images[0]?.sourceRenditions).toEqual([]);
    expect(g2.warnings).toEqual(expect.arrayContaining(['images[0].sourceRenditions[0].href: not an absolute URI; dropped', 'images[0].sourceRenditions[1].href: scheme "file" is not allowed; dropped']));
    const ntb = normalizeOne(readFileSync(join(FIXTURES, 'nitf/NTB_nitf_sample.xml'), 'utf8'), 'NITF');
    expect(ntb.images[0]).not.toHaveProperty('sourceUrl');
    expect(ntb.warnings).toContain('images[0].sourceUrl: not an absolute URI; dropped');
  });

  it('a picture reference that can be fetched wins over a wider one that cannot', () => {
    const story = normalizeOne(
      `<nitf><head><title>t</title></head><body><body.head><hedline><hl1>Harbour fire</hl1></hedline></body.head><body.content><p>The copy of the story.</p>
<media media-type="image"><media-reference source="ftp://img.example/big.jpg" width="4000"/><media-reference source="https://img.example/small.jpg" width="800"/><media-caption>Smoke over the quay.</media-caption></media></body.content></body></nitf>`,
      'NITF',
    );
    expect(story.images[0]?.sourceUrl).toBe('https://img.example/small.jpg');
    expect(story.images[0]?.sourceRenditions?.map((r) => r.href)).toEqual(['https://img.example/small.jpg']);
    expect(story.warnings).toContain('images[0].sourceRenditions[0].href: scheme "ftp" is not allowed; dropped');
  });
});

describe('ids and uris of the model', () => {
  it("a media object's id that is no link is its guid, an association altId in ninjs; a uri that is one stays its uri", () => {
    const story = normalizeOne(
      JSON.stringify({
        api_version: '2',
        data: { item: { uri: 'https://api.ap.org/media/v/content/ids', altids: { itemid: 'ids' }, version: 0, type: 'text', headline: 'Harbour fire', body_html: '<p>The copy.</p>', associations: { '1': { type: 'picture', altids: { itemid: '7a1b2c' }, renditions: { main: { href: 'https://img.example/a.jpg', mimetype: 'image/jpeg' } } }, '2': { type: 'picture', uri: 'https://api.ap.org/media/v/content/p2', renditions: { main: { href: 'https://img.example/b.jpg', mimetype: 'image/jpeg' } } } } } },
      }),
      'AP Media API',
    );
    expect(story.images.map((i) => [i.guid, i.uri])).toEqual([['7a1b2c', undefined], [undefined, 'https://api.ap.org/media/v/content/p2']]);
    expect(story.warnings.filter((w) => /dropped/.test(w))).toEqual([]);
    const associations = toNinjs(story).associations as Array<Record<string, unknown>>;
    expect(associations[0]).toMatchObject({ uri: `${story.uri}:picture:1`, altIds: [{ role: 'guid', value: '7a1b2c' }] });
    expect(associations[1]).toMatchObject({ uri: 'https://api.ap.org/media/v/content/p2' });
  });

  it("a guid with an apostrophe gives a uri the story keeps (the uri is minted to pass the link check)", () => {
    const story = normalizeOne('{"uri":"urn:test:o\'brien-1","headline":"Harbour fire","body_text":"The copy of the story."}', 'ninjs');
    expect(story.uri).toBe("urn:wire:test:urn%3Atest%3Ao%27brien-1");
    expect(story.warnings.filter((w) => /dropped/.test(w))).toEqual([]);
  });

  it("an e-mail's sender is the byline's address, not a link of the info source: no link dropped", () => {
    const mail = 'From: Jane Doe <jane@news.example>\r\nSubject: Harbour fire\r\nMessage-ID: <a1@news.example>\r\nDate: Tue, 05 Mar 2024 14:30:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nThe copy of the story is here.\r\n';
    const story = normalizeOne(mail, 'e-mail');
    expect(story.bylines).toEqual([{ name: 'Jane Doe', email: 'jane@news.example' }]);
    expect(story.infoSources).toEqual([{ name: 'Jane Doe', role: 'source' }]);
    expect(story.warnings.filter((w) => /dropped/.test(w))).toEqual([]);
  });
});
