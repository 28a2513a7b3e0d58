/**
 * One small, complete document per input format the normalizer accepts, written from slots: every
 * plain-text field, the HTML body, every link field and every image field of the format take the
 * value the case puts there. A family fills the slots (a script vector in every text field, a
 * private address in every image field, a deep tree as the body) and gets the same attack in every
 * format, each in that format's own syntax (escaped as XML text, a JSON string, an HTML attribute).
 */

/** The plain-text fields a format may carry (each format uses those it has). */
export type TextField =
  | 'headline'
  | 'sub'
  | 'slug'
  | 'byline'
  | 'summary'
  | 'caption'
  | 'credit'
  | 'alt'
  | 'keyword'
  | 'subject'
  | 'place'
  | 'org'
  | 'person'
  | 'notice'
  | 'ednote'
  | 'title'
  | 'source'
  | 'dateline';

/** A marker word per field: a field that was silently dropped instead of cleaned would show. */
export const MARKERS: Record<TextField, string> = {
  headline: 'Hedmark',
  sub: 'Submark',
  slug: 'Slugmark',
  byline: 'Bymark',
  summary: 'Summark',
  caption: 'Capmark',
  credit: 'Credmark',
  alt: 'Altmark',
  keyword: 'Keymark',
  subject: 'Subjmark',
  place: 'Placemark',
  org: 'Orgmark',
  person: 'Persmark',
  notice: 'Noticemark',
  ednote: 'Notemark',
  title: 'Titlemark',
  source: 'Srcmark',
  dateline: 'Datemark',
};

export interface Slots {
  /** The value of a plain-text field. */
  text(field: TextField): string;
  /** The body as HTML markup (formats that carry HTML as a string put it there as is). */
  html: string;
  /**
   * The body as XML markup for formats whose body is an XML tree (NITF, NewsML-G2 inline XHTML),
   * inserted as is; by default the HTML body as the text of one paragraph (escaped), so markup that
   * is not well-formed does not make the whole document malformed.
   */
  xhtml?: string;
  /** Link fields (a person's or concept's uri, an info source, a rendition, a body link). */
  link: string;
  /** Image fields (a picture's rendition, an enclosure, an `<img src>`). */
  image: string;
  /** The document's own id. */
  guid: string;
}

export interface FormatTemplate {
  /** Format id as `normalize` reports it in `CanonicalStory.format` (`ninjs`, `nitf`, …). */
  id: string;
  /** Content type an agency would send it with (the envelope's `contentType`). */
  contentType: string;
  /** XML formats: the document is XML (entity attacks apply to its prolog). */
  xml: boolean;
  /** The format has image fields (`image` is used). */
  images: boolean;
  /** The format has link fields (`link` is used). */
  links: boolean;
  doc(s: Slots): string;
}

export const xmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const json = (s: string): string => JSON.stringify(s);
const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const line = (s: string): string => s.replace(/[\r\n]+/g, ' ');
const xhtmlOf = (s: Slots): string => s.xhtml ?? `<p>${xmlText(s.html)}</p>`;
const PARA = 'The copy of the story goes on for a while, long enough to count as a paragraph of wire copy.';

export const FORMATS: readonly FormatTemplate[] = [
  {
    id: 'ninjs',
    contentType: 'application/json',
    xml: false,
    images: true,
    links: true,
    doc: (s) =>
      `{"uri":${json(s.guid)},"version":"1","type":"text","language":"en","headlines":[{"role":"main","value":${json(s.text('headline'))}},{"role":"sub","value":${json(s.text('sub'))}}],` +
      `"slugline":${json(s.text('slug'))},"by":${json(s.text('byline'))},"title":${json(s.text('title'))},"copyrightNotice":${json(s.text('notice'))},"edNote":${json(s.text('ednote'))},` +
      `"descriptions":[{"role":"summary","value":${json(s.text('summary'))}}],"people":[{"name":${json(s.text('byline'))},"rel":"author","uri":${json(s.link)}},{"name":${json(s.text('person'))},"rel":"subject","uri":${json(s.link)}}],` +
      `"organisations":[{"name":${json(s.text('org'))},"uri":${json(s.link)}}],"places":[{"name":${json(s.text('place'))},"uri":${json(s.link)}}],` +
      `"located":${json(s.text('dateline'))},"subjects":[{"name":${json(s.text('subject'))},"uri":${json(s.link)}}],"keywords":[${json(s.text('keyword'))}],` +
      `"infoSources":[{"name":${json(s.text('source'))},"uri":${json(s.link)}}],` +
      `"bodies":[{"role":"text","contentType":"text/html","value":${json(s.html)}}],` +
      `"associations":[{"type":"picture","uri":"urn:test:hostile:pic","descriptions":[{"role":"caption","value":${json(s.text('caption'))}}],"by":${json(s.text('credit'))},"altText":${json(s.text('alt'))},` +
      `"renditions":[{"name":"main","href":${json(s.image)},"contentType":"image/jpeg","width":800},{"name":"thumb","href":${json(s.link)},"contentType":"image/jpeg","width":80}]}]}`,
  },
  {
    id: 'ap-media-api',
    contentType: 'application/json',
    xml: false,
    images: true,
    links: true,
    doc: (s) =>
      `{"api_version":"2","data":{"item":{"uri":${json(`https://api.ap.org/media/v/content/${encodeURIComponent(s.guid)}`)},"altids":{"itemid":${json(s.guid)}},"version":1,"type":"text","versioncreated":"2024-03-20T18:05:12Z","pubstatus":"usable","language":"en",` +
      `"headline":${json(s.text('headline'))},"headline_extended":${json(s.text('sub'))},"slugline":${json(s.text('slug'))},"title":${json(s.text('title'))},"summary":${json(s.text('summary'))},"copyrightnotice":${json(s.text('notice'))},"ednote":${json(s.text('ednote'))},` +
      `"bylines":[{"by":${json(s.text('byline'))}}],"located":${json(s.text('dateline'))},"places":[{"name":${json(s.text('place'))},"code":"p1"}],"organizations":[{"name":${json(s.text('org'))},"code":"o1"}],"persons":[{"name":${json(s.text('person'))},"code":"x1"}],` +
      `"subject":[{"code":"s1","name":${json(s.text('subject'))}}],"keywords":[${json(s.text('keyword'))}],"infosource":[{"name":${json(s.text('source'))}}],` +
      `"body_html":${json(s.html)},` +
      `"associations":{"1":{"type":"picture","altids":{"itemid":"pic1"},"headline":${json(s.text('caption'))},"creditline":${json(s.text('credit'))},` +
      `"renditions":{"main":{"rel":"Main","href":${json(s.image)},"mimetype":"image/jpeg","width":800},"thumbnail":{"rel":"Thumbnail","href":${json(s.link)},"mimetype":"image/jpeg","width":80}}}}}}}`,
  },
  {
    id: 'newsml-g2',
    contentType: 'application/xml',
    xml: true,
    images: false,
    links: true,
    doc: (s) => `<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="${xmlText(s.guid)}" version="1" standard="NewsML-G2" standardversion="2.28">
  <rightsInfo><copyrightNotice>${xmlText(s.text('notice'))}</copyrightNotice></rightsInfo>
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:TEST"/><versionCreated>2024-03-01T10:00:00Z</versionCreated><title>${xmlText(s.text('title'))}</title><edNote>${xmlText(s.text('ednote'))}</edNote></itemMeta>
  <contentMeta>
    <infoSource uri="${xmlText(s.link)}" role="cpnat:originator"><name>${xmlText(s.text('source'))}</name></infoSource>
    <creator role="crol:author" uri="${xmlText(s.link)}"><name>${xmlText(s.text('byline'))}</name></creator>
    <subject type="cpnat:abstract" qcode="medtop:20000013" uri="${xmlText(s.link)}"><name>${xmlText(s.text('subject'))}</name></subject>
    <subject type="cpnat:geoArea" qcode="testgeo:1" uri="${xmlText(s.link)}"><name>${xmlText(s.text('place'))}</name></subject>
    <subject type="cpnat:organisation" qcode="testorg:1"><name>${xmlText(s.text('org'))}</name></subject>
    <subject type="cpnat:person" qcode="testpers:1"><name>${xmlText(s.text('person'))}</name></subject>
    <keyword>${xmlText(s.text('keyword'))}</keyword>
    <slugline>${xmlText(s.text('slug'))}</slugline>
    <headline>${xmlText(s.text('headline'))}</headline>
    <headline role="hlrole:sub">${xmlText(s.text('sub'))}</headline>
    <description role="drol:summary">${xmlText(s.text('summary'))}</description>
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>${xhtmlOf(s)}<p>${PARA}</p></body></html></inlineXML></contentSet>
</newsItem>`,
  },
  {
    id: 'newsml-g2 picture',
    contentType: 'application/xml',
    xml: true,
    images: true,
    links: true,
    doc: (s) => `<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="${xmlText(s.guid)}" version="1" standard="NewsML-G2" standardversion="2.28">
  <itemMeta><itemClass qcode="ninat:picture"/><provider qcode="nprov:TEST"/><versionCreated>2024-03-01T10:00:00Z</versionCreated></itemMeta>
  <contentMeta><headline>${xmlText(s.text('headline'))}</headline><creator role="crol:photographer"><name>${xmlText(s.text('byline'))}</name></creator><creditline>${xmlText(s.text('credit'))}</creditline><description role="drol:caption">${xmlText(s.text('caption'))}</description></contentMeta>
  <contentSet><remoteContent rendition="rnd:highRes" href="${xmlText(s.image)}" contenttype="image/jpeg" width="1600" height="1000"/><remoteContent rendition="rnd:thumbnail" href="${xmlText(s.link)}" contenttype="image/jpeg" width="160" height="100"/></contentSet>
</newsItem>`,
  },
  {
    id: 'nitf',
    contentType: 'application/xml',
    xml: true,
    images: true,
    links: true,
    doc: (s) => `<?xml version="1.0" encoding="UTF-8"?>
<nitf><head><title>${xmlText(s.text('title'))}</title><tobject tobject.type="${xmlText(s.text('keyword'))}"><tobject.subject tobject.subject.refnum="04000000" tobject.subject.matter="${xmlText(s.text('subject'))}"/></tobject>
<docdata><doc-id id-string="${xmlText(s.guid)}" regsrc="${xmlText(s.text('source'))}"/><doc.copyright holder="${xmlText(s.text('notice'))}" year="2024"/><ed-msg info="${xmlText(s.text('ednote'))}"/><evloc city="${xmlText(s.text('place'))}"/>
<identified-content><person>${xmlText(s.text('person'))}</person><org>${xmlText(s.text('org'))}</org></identified-content><key-list><keyword key="${xmlText(s.text('keyword'))}"/></key-list><date.issue norm="20240301T100000Z"/></docdata></head>
<body><body.head><hedline><hl1>${xmlText(s.text('headline'))}</hl1><hl2>${xmlText(s.text('sub'))}</hl2></hedline><byline>${xmlText(s.text('byline'))}</byline><dateline>${xmlText(s.text('dateline'))}</dateline><abstract><p>${xmlText(s.text('summary'))}</p></abstract></body.head>
<body.content>${xhtmlOf(s)}<p>${PARA}</p>
<media media-type="image"><media-reference name="main" source="${xmlText(s.image)}" alternate-text="${xmlText(s.text('alt'))}" width="800"/><media-reference name="thumb" source="${xmlText(s.link)}" width="80"/><media-caption>${xmlText(s.text('caption'))}</media-caption><media-producer>${xmlText(s.text('credit'))}</media-producer></media>
</body.content></body></nitf>`,
  },
  {
    id: 'newsml1',
    contentType: 'application/xml',
    xml: true,
    images: true,
    links: false,
    doc: (s) => `<?xml version="1.0" encoding="UTF-8"?>
<NewsML Version="1.2"><NewsEnvelope><DateAndTime>20240301T120000Z</DateAndTime></NewsEnvelope>
<NewsItem><Identification><NewsIdentifier><ProviderId>test.example</ProviderId><DateId>20240301</DateId><NewsItemId>${xmlText(s.guid)}</NewsItemId><RevisionId>1</RevisionId></NewsIdentifier><NameLabel>${xmlText(s.text('title'))}</NameLabel></Identification>
<NewsManagement><NewsItemType FormalName="News"/><ThisRevisionCreated>20240301T110000Z</ThisRevisionCreated><Status FormalName="Usable"/></NewsManagement>
<NewsComponent><NewsLines><HeadLine>${xmlText(s.text('headline'))}</HeadLine><SubHeadLine>${xmlText(s.text('sub'))}</SubHeadLine><ByLine>${xmlText(s.text('byline'))}</ByLine><DateLine>${xmlText(s.text('dateline'))}</DateLine><CopyrightLine>${xmlText(s.text('notice'))}</CopyrightLine><KeywordLine>${xmlText(s.text('keyword'))}</KeywordLine></NewsLines>
<NewsComponent><Role FormalName="Main"/><ContentItem><MediaType FormalName="Text"/><MimeType FormalName="text/html"/><DataContent>${cdata(`${s.html}<p>${PARA}</p>`)}</DataContent></ContentItem></NewsComponent>
<NewsComponent><Role FormalName="Photo"/><NewsLines><HeadLine>${xmlText(s.text('caption'))}</HeadLine><CreditLine>${xmlText(s.text('credit'))}</CreditLine></NewsLines>
<ContentItem Href="${xmlText(s.image)}"><MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/></ContentItem></NewsComponent>
</NewsComponent></NewsItem></NewsML>`,
  },
  {
    id: 'iptc7901',
    contentType: 'text/plain',
    xml: false,
    images: false,
    links: false,
    doc: (s) =>
      `\u0001dpa0123 4 pl 0345 dpa 0123\r\n${line(s.text('slug'))}\r\n\u0002${line(s.text('headline'))} =\r\n\r\n   ${line(s.text('dateline'))} (dpa) - ${line(s.html)}\r\n   ${line(s.text('summary'))}\r\n   ${PARA}\r\n\r\ndpa xy\r\n021530 Feb 24\r\n\u0003\u0004`,
  },
  {
    id: 'rss',
    contentType: 'application/rss+xml',
    xml: true,
    images: true,
    links: true,
    doc: (s) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:georss="http://www.georss.org/georss"><channel><title>${xmlText(s.text('source'))}</title><link>https://wire.example/</link><description>d</description>
<item><title>${xmlText(s.text('headline'))}</title><link>${xmlText(s.link)}</link><guid isPermaLink="false">${xmlText(s.guid)}</guid><pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>
<dc:creator>${xmlText(s.text('byline'))}</dc:creator><category>${xmlText(s.text('keyword'))}</category><copyright>${xmlText(s.text('notice'))}</copyright>
<description>${xmlText(`<p>${s.text('summary')}</p>`)}</description>
<content:encoded>${xmlText(`${s.html}<p>${PARA}</p>`)}</content:encoded>
<georss:point>59.91 10.75</georss:point><georss:featureName>${xmlText(s.text('place'))}</georss:featureName>
<enclosure url="${xmlText(s.image)}" type="image/jpeg" length="1000"/>
<media:content url="${xmlText(s.image)}" medium="image" width="1200"><media:description>${xmlText(s.text('caption'))}</media:description><media:credit>${xmlText(s.text('credit'))}</media:credit></media:content>
</item></channel></rss>`,
  },
  {
    id: 'atom',
    contentType: 'application/atom+xml',
    xml: true,
    images: true,
    links: true,
    doc: (s) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:georss="http://www.georss.org/georss"><title>${xmlText(s.text('source'))}</title><id>urn:test:feed</id><updated>2024-03-01T10:00:00Z</updated><link rel="alternate" href="https://wire.example/"/>
<entry><id>${xmlText(s.guid)}</id><title type="html">${xmlText(s.text('headline'))}</title><updated>2024-03-01T10:00:00Z</updated><author><name>${xmlText(s.text('byline'))}</name></author>
<rights>${xmlText(s.text('notice'))}</rights><summary type="html">${xmlText(`<p>${s.text('summary')}</p>`)}</summary><georss:point>59.91 10.75</georss:point><georss:featureName>${xmlText(s.text('place'))}</georss:featureName>
<link rel="alternate" href="${xmlText(s.link)}"/><link rel="enclosure" type="image/jpeg" href="${xmlText(s.image)}"/>
<content type="html">${xmlText(`${s.html}<p>${PARA}</p>`)}</content></entry></feed>`,
  },
  {
    id: 'ritzau',
    contentType: 'application/xml',
    xml: true,
    images: true,
    links: false,
    doc: (s) => `<?xml version="1.0" encoding="utf-8"?>
<ArrayOfRBNews xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/Ritzau.RBNews.Api"><RBNews>
<id>${xmlText(s.guid)}</id><version>1</version><headline>${xmlText(s.text('headline'))}</headline><summary>${xmlText(s.text('summary'))}</summary>
<content>${xmlText(`${s.html}<p>${PARA}</p>`)}</content>
<byLine>${xmlText(s.text('byline'))}</byLine><byLineEmail>ann.author@example-ritzau.dk</byLineEmail><town>${xmlText(s.text('place'))}</town><publishDate>2024-07-02T14:35:00</publishDate>
<categories><string>${xmlText(s.text('subject'))}</string></categories><keywords><string>${xmlText(s.text('keyword'))}</string></keywords><editorialNote>${xmlText(s.text('ednote'))}</editorialNote>
<images><image><url>${xmlText(s.image)}</url><caption>${xmlText(s.text('caption'))}</caption><credit>${xmlText(s.text('credit'))}</credit><photographer>${xmlText(s.text('person'))}</photographer></image></images>
</RBNews></ArrayOfRBNews>`,
  },
  {
    id: 'email',
    contentType: 'message/rfc822',
    xml: false,
    images: true,
    links: true,
    doc: (s) =>
      [
        `From: "${line(s.text('byline')).replace(/["\\]/g, '')}" <desk@wire.example.org>`,
        `Subject: ${line(s.text('headline'))}`,
        'Date: Thu, 07 Nov 2024 09:00:00 +0000',
        `Message-ID: <${line(s.guid).replace(/[<>\s]/g, '')}@wire.example.org>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        `<html><body>${s.html}<p>${PARA} <a href="${xmlText(s.link)}">a link</a>.</p><p><img src="cid:pic@wire.example.org" alt="${xmlText(s.text('alt'))}"></p>` +
          `<p><img src="${xmlText(s.image)}" width="800" title="${xmlText(s.text('caption'))}"></p></body></html>`,
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
  {
    id: 'html',
    contentType: 'text/html',
    xml: false,
    images: true,
    links: true,
    doc: (s) => `<!DOCTYPE html><html lang="en"><head><title>${xmlText(s.text('title'))}</title><meta name="author" content="${xmlText(s.text('byline'))}"><meta property="og:site_name" content="${xmlText(s.text('source'))}"><meta property="og:image" content="${xmlText(s.image)}"><link rel="canonical" href="https://news.example/${encodeURIComponent(s.guid)}"></head>
<body><article><h1>${xmlText(s.text('headline'))}</h1>
<figure><img src="${xmlText(s.image)}" alt="${xmlText(s.text('alt'))}" width="800" height="600"><figcaption>${xmlText(s.text('caption'))}</figcaption></figure>
${s.html}
<p>${xmlText(s.text('summary'))} and the copy of the story goes on for a while so the page reads as an article <a href="${xmlText(s.link)}">link</a>.</p>
<p>Second paragraph of the story, long enough to count as copy on a scraped page of this kind.</p>
<p>Third paragraph of the story, long enough to count as copy on a scraped page of this kind.</p></article></body></html>`,
  },
  {
    id: 'text',
    contentType: 'text/plain',
    xml: false,
    images: false,
    links: false,
    doc: (s) => `${line(s.text('headline'))}\n\n${line(s.text('byline'))}\n\n${line(s.html)}\n\n${line(s.text('summary'))}\n\n${PARA}\n\n${PARA} Two.\n`,
  },
];
