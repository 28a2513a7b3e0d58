import type { CanonicalStory } from '@wire/schema';
import { bodyProblems, HOSTILE_LINKS, HOSTILE_TEXT, textProblems } from '@wire/text/testing';
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
const keywords = (s: CanonicalStory) => s.keywords.join(' ');
const subjects = (s: CanonicalStory) => s.subjects.map((x) => x.name).join(' ');
const sources = (s: CanonicalStory) => s.infoSources.map((x) => x.name).join(' ');

const FORMATS: Record<string, Format> = {
  'ninjs 2': {
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['slug', (s) => s.slugline], ['byline', byline], ['caption', caption], ['credit', credit], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body], ['dateline', (s) => s.located?.text]],
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
    fields: [['headline', headline], ['sub', (s) => s.subheadline], ['byline', byline], ['dateline', (s) => s.dateline], ['caption', caption], ['credit', credit], ['keyword', keywords], ['subject', subjects], ['source', sources], ['body', body]],
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

/** Every string of a canonical story, judged by what its field is. */
function storyProblems(story: CanonicalStory): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string') {
      if (key === 'bodyHtml') out.push(...bodyProblems(value).map((p) => `${path}: ${p}`));
      else if (key === 'contentHash' || key === 'base64') return;
      else {
        out.push(...textProblems(value).map((p) => `${path}: ${p}`));
        if (/^(uri|href|sourceUrl)$/.test(key) && !/^(https?:\/\/|urn:)/i.test(value)) out.push(`${path}: link ${JSON.stringify(value)}`);
      }
    } else if (Array.isArray(value)) value.forEach((x, i) => visit(x, `${path}[${i}]`, key));
    else if (value && typeof value === 'object') for (const [k, x] of Object.entries(value)) visit(x, path ? `${path}.${k}` : k, k);
  };
  visit(story, '', '');
  return out;
}

/** Every string of a ninjs document: bodies by their content type, links by their key, text otherwise. */
function ninjsProblems(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: string, key: string, parent: Record<string, unknown> | undefined): void => {
    if (typeof value === 'string') {
      if (key === 'value' && typeof parent?.contentType === 'string' && /html/.test(parent.contentType)) out.push(...bodyProblems(value).map((p) => `${path}: ${p}`));
      else {
        out.push(...textProblems(value).map((p) => `${path}: ${p}`));
        if (/^(uri|href)$/.test(key) && !/^(https?:\/\/|urn:)/i.test(value)) out.push(`${path}: link ${JSON.stringify(value)}`);
      }
    } else if (Array.isArray(value)) value.forEach((x, i) => visit(x, `${path}[${i}]`, key, parent));
    else if (value && typeof value === 'object') for (const [k, x] of Object.entries(value)) visit(x, path ? `${path}.${k}` : k, k, value as Record<string, unknown>);
  };
  visit(doc, '', '', undefined);
  return out;
}

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
        expect(storyProblems(story)).toEqual([]);
        const doc = toNinjs(story, { hrefFor: (key) => `https://cdn.example/${key}` });
        expect(ninjsProblems(doc)).toEqual([]);
        for (const [field, read] of f.fields) expect(read(story) ?? '', `${format} ${field}`).toMatch(new RegExp(M[field], 'i'));
      });

      it('decodes entities exactly once in every text field', () => {
        const value = 'AT&amp;T &amp;lt;b&amp;gt; 5 &lt; 6';
        const story = normalizeOne(f.doc((field) => `${M[field]} ${value}`, 'https://ok.example/a'), format);
        for (const [field, read] of f.fields) expect(read(story) ?? '', `${format} ${field}`).toContain(f.displayed?.includes(field) ? value : 'AT&T &lt;b&gt; 5 < 6');
        expect(storyProblems(story)).toEqual([]);
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
