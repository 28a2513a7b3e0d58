import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { FORMATS, MARKERS, xmlText, type FormatTemplate, type Slots, type TextField } from './formats';
import { BOMB_NAMES, type BombName, type ImageSet } from './images';
import { LINK_VECTORS, loopbackSpellings, PRIVATE_URLS, SCRIPT_VECTORS } from './vectors';

/**
 * The hostile-input corpus: every family of attack, generated vector × field × format from the
 * templates in `formats.ts` and the vectors in `vectors.ts`. The same corpus goes through
 * `wire normalize` (tests/hostile/normalize.test.ts) and the real ingest service
 * (tests/hostile/ingest.test.ts). Deterministic: the same context gives the same bytes.
 */

export const FAMILIES = ['entity', 'nesting', 'flood', 'encoding', 'nul', 'binary', 'bomb', 'script', 'link', 'ssrf', 'image-bomb', 'oversize'] as const;
export type Family = (typeof FAMILIES)[number];

export interface HostileCase {
  /** `family/format/vector`, unique. */
  id: string;
  family: Family;
  /** The format template the case was written in, or `bytes` for input that is no format at all. */
  format: string;
  bytes: Buffer;
  /** What an agency's envelope would say (`contentType`). */
  contentType?: string;
  /** When set, the input must be refused with one of these codes (never turned into a story). */
  refuse?: readonly string[];
  /** Words every story of the case must carry: the fields were read and cleaned, not dropped. */
  markers?: readonly string[];
  /** Text no output may hold (what an expanded entity or an included file would bring in). */
  absent?: readonly string[];
}

export interface CorpusContext {
  /** Port of the loopback server the network guard must keep every request away from. */
  forbiddenPort: number;
  /** Origin of the image server on an allowed address (`/good.jpg`, `/bomb/<name>`, `/redirect?to=`). */
  allowedOrigin: string;
  images: ImageSet;
}

/** The normalize input limit the oversize cases cross (`DEFAULT_LIMITS.maxBytes` of @wire/normalize: 5 MiB). */
const NORMALIZE_MAX_BYTES = 5 * 1024 * 1024;
/** Nesting the normalizer allows (`DEFAULT_LIMITS.maxDepth`). */
const MAX_DEPTH = 64;

/** What each template carries into the story: the marker words of its fields that must come through. */
const CARRIES: Record<string, readonly TextField[]> = {
  ninjs: Object.keys(MARKERS) as TextField[],
  'ap-media-api': (Object.keys(MARKERS) as TextField[]).filter((f) => f !== 'alt'),
  'newsml-g2': (Object.keys(MARKERS) as TextField[]).filter((f) => !['caption', 'credit', 'alt', 'dateline'].includes(f)),
  'newsml-g2 picture': ['headline', 'byline', 'caption', 'credit'],
  nitf: (Object.keys(MARKERS) as TextField[]).filter((f) => f !== 'slug'),
  newsml1: ['headline', 'sub', 'byline', 'caption', 'credit', 'keyword', 'notice', 'title', 'dateline'],
  iptc7901: ['headline', 'slug', 'summary', 'dateline'],
  rss: ['headline', 'byline', 'summary', 'caption', 'credit', 'keyword', 'place', 'notice', 'source'],
  atom: ['headline', 'byline', 'summary', 'place', 'notice', 'source'],
  ritzau: ['headline', 'byline', 'summary', 'caption', 'credit', 'keyword', 'subject', 'place', 'person', 'ednote'],
  email: ['headline', 'byline', 'caption', 'alt'],
  html: ['headline', 'byline', 'summary', 'caption', 'alt', 'source'],
  text: ['headline', 'byline', 'summary'],
};
const BODY_MARKER = 'Bodymark';
/** Templates whose body reaches the story (the picture item has none). */
const HAS_BODY = (f: FormatTemplate) => f.id !== 'newsml-g2 picture';

/** The markers a case written in `f` must keep (its fields and, where it has one, its body). */
function markersOf(f: FormatTemplate): string[] {
  return [...(CARRIES[f.id] ?? []).map((k) => MARKERS[k]), ...(HAS_BODY(f) ? [BODY_MARKER] : [])];
}

/** Deterministic pseudo-random bytes (mulberry32), so a failing case can be rebuilt exactly. */
function noise(seed: number, length: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

const XML_FORMATS = FORMATS.filter((f) => f.xml);
const IMAGE_FORMATS = FORMATS.filter((f) => f.images);
const LINK_FORMATS = FORMATS.filter((f) => f.links);
/** Formats that carry their body as an HTML string (what HTML nesting and floods reach). */
const HTML_BODY_FORMATS = FORMATS.filter((f) => ['ninjs', 'ap-media-api', 'newsml1', 'rss', 'atom', 'ritzau', 'email', 'html'].includes(f.id));
/** Formats that lift `<img src="data:…">` out of their HTML body as an embedded picture. */
const EMBED_FORMATS = FORMATS.filter((f) => ['ninjs', 'ap-media-api', 'rss', 'ritzau', 'email', 'html'].includes(f.id));
/** A placeholder the text slots may carry, replaced by raw markup after the document is written. */
const RAW = 'RAWSLOT';

/** Builds the whole corpus. */
export function buildCorpus(ctx: CorpusContext): HostileCase[] {
  const cases: HostileCase[] = [];
  const ids = new Set<string>();
  const add = (c: Omit<HostileCase, 'id'> & { vector: string }): void => {
    const { vector, ...rest } = c;
    const id = `${c.family}/${c.format}/${vector}`;
    if (ids.has(id)) throw new Error(`duplicate case ${id}`);
    ids.add(id);
    cases.push({ id, ...rest });
  };
  const guidOf = (family: string, format: string, vector: string) => `hostile-${createHash('sha256').update(`${family}/${format}/${vector}`).digest('hex').slice(0, 16)}`;
  const good = `${ctx.allowedOrigin}/good.jpg`;

  /** A document of `f` from benign slots, with `over` replacing some of them. */
  const write = (f: FormatTemplate, guid: string, over: Partial<Omit<Slots, 'text'>> & { text?: (field: TextField) => string } = {}): string =>
    f.doc({
      text: over.text ?? ((field) => `${MARKERS[field]} of the story`),
      html: over.html ?? `<p>${BODY_MARKER} opens the story on the harbour fire.</p>`,
      ...(over.xhtml !== undefined ? { xhtml: over.xhtml } : {}),
      link: over.link ?? 'https://ok.example/a',
      image: over.image ?? good,
      guid,
    });
  /** A document of `f` whose headline carries `raw` markup as is (XML formats: elements or references). */
  const withRawHeadline = (f: FormatTemplate, guid: string, raw: string, over: Parameters<typeof write>[2] = {}): string =>
    write(f, guid, { ...over, text: (field) => (field === 'headline' ? `${MARKERS.headline} ${RAW}` : `${MARKERS[field]} of the story`) }).split(RAW).join(raw);
  /** Inserts `doctype` before the root element of an XML document. */
  const withDoctype = (doc: string, doctype: (root: string) => string): string => {
    const m = /<([A-Za-z_][\w.:-]*)/.exec(doc.replace(/^<\?xml[^>]*\?>/, (d) => ' '.repeat(d.length)));
    if (!m) throw new Error('no root element');
    return `${doc.slice(0, m.index)}${doctype(m[1] as string)}\n${doc.slice(m.index)}`;
  };
  const utf8 = (s: string) => Buffer.from(s, 'utf8');
  const forbidden = `http://127.0.0.1:${ctx.forbiddenPort}`;

  // --- entity: XML entity attacks, refused before anything is expanded or fetched ---------------
  const laughs = (root: string) =>
    `<!DOCTYPE ${root} [<!ENTITY a0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i};`.repeat(10)}">`).join('')}]>`;
  const entityVectors: Array<{ name: string; doctype?: (root: string) => string; ref: string; refuse?: readonly string[] }> = [
    { name: 'xxe-file', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, ref: '&xxe;', refuse: ['WIRE_ERR_XML_ENTITY'] },
    { name: 'xxe-http', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY xxe SYSTEM "${forbidden}/xxe">]>`, ref: '&xxe;', refuse: ['WIRE_ERR_XML_ENTITY'] },
    { name: 'xxe-parameter', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY % p SYSTEM "${forbidden}/p.dtd"> %p;]>`, ref: '', refuse: ['WIRE_ERR_XML_ENTITY'] },
    { name: 'xxe-public', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY xxe PUBLIC "-//W//x" "${forbidden}/pub">]>`, ref: '&xxe;', refuse: ['WIRE_ERR_XML_ENTITY'] },
    { name: 'billion-laughs', doctype: laughs, ref: '&a9;', refuse: ['WIRE_ERR_XML_ENTITY'] },
    // Its 50 KB DOCTYPE hides the root element from format detection (the first 8 KB): refused there.
    { name: 'quadratic-blowup', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY a "${'x'.repeat(50_000)}">]>`, ref: '&a;'.repeat(20_000), refuse: ['WIRE_ERR_XML_ENTITY', 'WIRE_ERR_UNSUPPORTED_FORMAT'] },
    { name: 'internal-subset', doctype: (r) => `<!DOCTYPE ${r} [<!ELEMENT ${r} ANY><!ATTLIST ${r} onload CDATA "alert(1)">]>`, ref: '', refuse: ['WIRE_ERR_XML_DTD'] },
    { name: 'external-dtd', doctype: (r) => `<!DOCTYPE ${r} SYSTEM "${forbidden}/${r}.dtd">`, ref: '' },
    { name: 'external-dtd-public', doctype: (r) => `<!DOCTYPE ${r} PUBLIC "-//IPTC//DTD x//EN" "${forbidden}/public.dtd">`, ref: '' },
    { name: 'xinclude', ref: `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${forbidden}/xi"/>` },
    { name: 'undeclared-reference', ref: '&xxe;&lol9;&#x0;' },
    { name: 'stylesheet-pi', doctype: () => `<?xml-stylesheet type="text/xsl" href="${forbidden}/x.xsl"?>`, ref: '' },
  ];
  for (const f of XML_FORMATS.filter((x) => x.id !== 'newsml-g2 picture')) {
    for (const v of entityVectors) {
      const guid = guidOf('entity', f.id, v.name);
      const doc = withRawHeadline(f, guid, v.ref);
      add({
        family: 'entity',
        format: f.id,
        vector: v.name,
        bytes: utf8(v.doctype ? withDoctype(doc, v.doctype) : doc),
        contentType: f.contentType,
        ...(v.refuse ? { refuse: v.refuse } : { markers: markersOf(f) }),
        absent: ['root:x:0', 'lollollol', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
      });
    }
  }
  // The same declarations inside HTML bodies that other formats carry (and an HTML page's own doctype).
  const bodyEntity: Array<{ name: string; html: string }> = [
    { name: 'xxe-file-in-body', html: `<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>${BODY_MARKER} &xxe;</p>` },
    { name: 'xxe-http-in-body', html: `<!DOCTYPE p [<!ENTITY xxe SYSTEM "${forbidden}/body">]><p>${BODY_MARKER} &xxe;</p>` },
    { name: 'billion-laughs-in-body', html: `${laughs('p')}<p>${BODY_MARKER} &a9;</p>` },
  ];
  for (const f of FORMATS.filter((x) => ['ninjs', 'ap-media-api', 'newsml1', 'rss', 'email', 'html'].includes(x.id))) {
    for (const v of bodyEntity) {
      add({ family: 'entity', format: f.id, vector: v.name, bytes: utf8(write(f, guidOf('entity', f.id, v.name), { html: v.html })), contentType: f.contentType, absent: ['root:x:0', 'lollollol'] });
    }
  }

  // --- nesting: XML, JSON, HTML and MIME trees far deeper than any document needs ----------------
  for (const f of XML_FORMATS.filter((x) => x.id !== 'newsml-g2 picture')) {
    for (const depth of [MAX_DEPTH + 1, 100_000]) {
      const raw = `${'<x>'.repeat(depth)}deep${'</x>'.repeat(depth)}`;
      add({ family: 'nesting', format: f.id, vector: `xml-${depth}`, bytes: utf8(withRawHeadline(f, guidOf('nesting', f.id, `xml-${depth}`), raw)), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_DEEP'] });
    }
  }
  for (const f of FORMATS.filter((x) => x.id === 'nitf' || x.id === 'newsml-g2')) {
    const depth = 50_000;
    const xhtml = `${'<div>'.repeat(depth)}<p>${BODY_MARKER}</p>${'</div>'.repeat(depth)}`;
    add({ family: 'nesting', format: f.id, vector: `xhtml-body-div-${depth}`, bytes: utf8(write(f, guidOf('nesting', f.id, 'xhtml'), { xhtml })), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_DEEP'] });
  }
  const htmlNests: Array<[string, (n: number) => string, number]> = [
    ['div', (n) => `${'<div>'.repeat(n)}<p>${BODY_MARKER}</p>${'</div>'.repeat(n)}`, 50_000],
    ['b', (n) => `<p>${BODY_MARKER} ${'<b>'.repeat(n)}bold${'</b>'.repeat(n)}</p>`, 50_000],
    ['unclosed-span', (n) => `<p>${BODY_MARKER} ${'<span>x'.repeat(n)}</p>`, 50_000],
    ['table', (n) => `<p>${BODY_MARKER}</p>${'<table><tr><td>'.repeat(n)}cell${'</td></tr></table>'.repeat(n)}`, 5_000],
    ['svg-math', (n) => `<p>${BODY_MARKER}</p>${'<svg><math>'.repeat(n)}x${'</math></svg>'.repeat(n)}`, 10_000],
    ['blockquote-just-over', (n) => `<p>${BODY_MARKER}</p>${'<blockquote>'.repeat(n)}quoted${'</blockquote>'.repeat(n)}`, MAX_DEPTH * 4 + 1],
  ];
  HTML_BODY_FORMATS.forEach((f, i) => {
    // Every HTML-string format gets the div tree and one more kind, in turn; the page gets them all.
    const kinds = f.id === 'html' ? htmlNests : [htmlNests[0]!, htmlNests[1 + (i % (htmlNests.length - 1))]!];
    for (const [name, make, depth] of kinds) {
      add({ family: 'nesting', format: f.id, vector: `html-${name}-${depth}`, bytes: utf8(write(f, guidOf('nesting', f.id, name), { html: make(depth) })), contentType: f.contentType });
    }
  });
  for (const f of FORMATS.filter((x) => x.id === 'ninjs' || x.id === 'ap-media-api')) {
    const base = write(f, guidOf('nesting', f.id, 'json'));
    const inject = (extra: string) => `${base.slice(0, -1)},"x":${extra}}`;
    add({ family: 'nesting', format: f.id, vector: 'json-arrays-100000', bytes: utf8(inject(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_DEEP'] });
    add({ family: 'nesting', format: f.id, vector: `json-objects-${MAX_DEPTH + 1}`, bytes: utf8(inject(`${'{"a":'.repeat(MAX_DEPTH + 1)}1${'}'.repeat(MAX_DEPTH + 1)}`)), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_DEEP'] });
    add({ family: 'nesting', format: f.id, vector: 'json-objects-400000', bytes: utf8(inject(`${'{"a":'.repeat(400_000)}1${'}'.repeat(400_000)}`)), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_DEEP'] });
  }
  const email = FORMATS.find((x) => x.id === 'email') as FormatTemplate;
  const mimeNest = (depth: number, type: string) => {
    let part = `Content-Type: text/plain\r\n\r\n${BODY_MARKER} deep inside.\r\n`;
    for (let d = depth; d > 0; d--) {
      part = type === 'message/rfc822'
        ? `Content-Type: message/rfc822\r\n\r\nSubject: level ${d}\r\nMIME-Version: 1.0\r\n${part}`
        : `Content-Type: multipart/mixed; boundary="b${d}"\r\n\r\n--b${d}\r\n${part}\r\n--b${d}--\r\n`;
    }
    return `From: Desk <desk@wire.example.org>\r\nSubject: ${MARKERS.headline} nested\r\nMessage-ID: <nest-${depth}@wire.example.org>\r\nMIME-Version: 1.0\r\n${part}`;
  };
  for (const [type, depth] of [['multipart/mixed', 17], ['multipart/mixed', 2_000], ['message/rfc822', 200]] as const) {
    add({ family: 'nesting', format: email.id, vector: `mime-${type.replace('/', '-')}-${depth}`, bytes: utf8(mimeNest(depth, type)), contentType: email.contentType });
  }

  // --- flood: huge strings, tag and entity floods, item and attribute floods ---------------------
  const K = 1024;
  const floods: Array<{ name: string; over: (f: FormatTemplate) => Parameters<typeof write>[2] }> = [
    { name: 'long-word-1mb', over: () => ({ text: (field) => `${MARKERS[field]} ${field === 'headline' ? 'A'.repeat(1024 * K) : 'of the story'}` }) },
    { name: 'tag-flood', over: () => ({ html: `<p>${BODY_MARKER} ${'<b>x</b><i></i>'.repeat(60 * K)}</p>` }) },
    { name: 'entity-flood', over: () => ({ html: `<p>${BODY_MARKER} ${'&amp;&#x26;&nbsp;&lt;b&gt;&unknown;'.repeat(24 * K)}</p>`, text: (field) => `${MARKERS[field]} ${'&amp;lt;'.repeat(field === 'headline' ? 40 * K : 2)}` }) },
    { name: 'combining-marks', over: () => ({ text: (field) => `${MARKERS[field]} ${field === 'headline' || field === 'byline' ? `Z${'\u0301\u0336'.repeat(128 * K)}` : 'of the story'}`, html: `<p>${BODY_MARKER} ${'e\u0301'.repeat(128 * K)}</p>` }) },
    { name: 'whitespace-flood', over: () => ({ html: `<p>${BODY_MARKER}${' \n\t\u00a0\u2028'.repeat(200 * K)}end</p>`, text: (field) => `${MARKERS[field]}${' \u3000'.repeat(field === 'headline' ? 200 * K : 1)}x` }) },
    { name: 'bidi-zero-width', over: () => ({ text: (field) => `${MARKERS[field]} ${'\u202e\u200b\u2066\ufeff'.repeat(field === 'headline' ? 64 * K : 2)}x`, html: `<p>${BODY_MARKER} ${'\u202e\u200d'.repeat(100 * K)}</p>` }) },
  ];
  FORMATS.forEach((f, i) => {
    // Every format gets the long word and the tag flood, and two more floods in turn.
    const picks = [floods[0]!, floods[1]!, floods[2 + (i % (floods.length - 2))]!, floods[2 + ((i + 1) % (floods.length - 2))]!];
    for (const v of picks) add({ family: 'flood', format: f.id, vector: v.name, bytes: utf8(write(f, guidOf('flood', f.id, v.name), v.over(f))), contentType: f.contentType });
  });
  // Item floods: far more items than `maxItems` (each item as small as the format allows, the
  // document just under the input limit), and `maxItems` items with real bodies.
  const rep = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join('');
  const tinyItems: Record<string, (n: number) => string> = {
    ninjs: (n) => `[${Array.from({ length: n }, (_, i) => `{"uri":"u${i}","headline":"h${i}","body_text":"b"}`).join(',')}]`,
    'ap-media-api': (n) => `{"api_version":"2","data":{"current_item_count":${n},"items":[${Array.from({ length: n }, (_, i) => `{"item":{"altids":{"itemid":"i${i}"},"type":"text","headline":"h${i}","body_html":"<p>b</p>"}}`).join(',')}]}}`,
    rss: (n) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${rep(n, (i) => `<item><title>h${i}</title><description>b</description></item>`)}</channel></rss>`,
    atom: (n) => `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${rep(n, (i) => `<entry><id>e${i}</id><title>h${i}</title><content>b</content></entry>`)}</feed>`,
    ritzau: (n) => `<?xml version="1.0"?><ArrayOfRBNews>${rep(n, (i) => `<RBNews><id>${i}</id><headline>h${i}</headline><content>b</content><byLineEmail>a@b.dk</byLineEmail></RBNews>`)}</ArrayOfRBNews>`,
    newsml1: (n) => `<?xml version="1.0"?><NewsML Version="1.2">${rep(n, (i) => `<NewsItem><Identification><NewsIdentifier><NewsItemId>${i}</NewsItemId></NewsIdentifier></Identification><NewsComponent><NewsLines><HeadLine>h${i}</HeadLine></NewsLines></NewsComponent></NewsItem>`)}</NewsML>`,
    'newsml-g2': (n) => `<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>${rep(n, (i) => `<newsItem guid="g${i}"><contentMeta><headline>h${i}</headline></contentMeta></newsItem>`)}</itemSet></newsMessage>`,
    iptc7901: (n) => rep(n, (i) => `\u0001a${i}\r\n\u0002h${i}\r\n\u0003`),
  };
  for (const [format, make] of Object.entries(tinyItems)) {
    const f = FORMATS.find((x) => x.id === format) as FormatTemplate;
    // As many items as fit in 90% of the input limit (tiny items: the element limit may refuse it first).
    let n = Math.floor((NORMALIZE_MAX_BYTES * 0.9) / (make(1000).length / 1000));
    let doc = make(n);
    while (doc.length > NORMALIZE_MAX_BYTES * 0.9) doc = make((n = Math.floor(n * 0.95)));
    add({ family: 'flood', format, vector: `items-${n}`, bytes: utf8(doc), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_MANY_ITEMS', 'WIRE_ERR_TOO_LARGE'] });
  }
  /** `n` copies of the item (entry, story) of a document of `f`, each with its own id and a body of `bodyBytes`. */
  const manyItems = (f: FormatTemplate, n: number, bodyBytes: number): string | undefined => {
    const body = 'wire copy '.repeat(Math.ceil(bodyBytes / 10));
    const one = (i: number) => write(f, `item-${i}-x`, { html: `<p>${BODY_MARKER} ${i} ${body}</p>`, text: (field) => `${MARKERS[field]} ${i}` });
    const repeat = (pattern: RegExp): string => {
      const doc = one(0);
      const item = pattern.exec(doc)?.[0] ?? '';
      return doc.replace(item, () => Array.from({ length: n }, (_, i) => item.replace(/item-0-x/g, `item-${i}-x`)).join('\n'));
    };
    switch (f.id) {
      case 'ninjs':
        return `[${Array.from({ length: n }, (_, i) => one(i)).join(',')}]`;
      case 'rss':
        return repeat(/<item>[\s\S]*<\/item>/);
      case 'atom':
        return repeat(/<entry>[\s\S]*<\/entry>/);
      case 'ritzau':
        return repeat(/<RBNews>[\s\S]*<\/RBNews>/);
      case 'newsml1':
        return repeat(/<NewsItem>[\s\S]*<\/NewsItem>/);
      case 'newsml-g2': {
        const item = one(0).replace(/^<\?xml[^>]*\?>\s*/, '');
        return `<?xml version="1.0" encoding="UTF-8"?>\n<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header><sent>2024-03-01T10:00:00Z</sent></header><itemSet>${Array.from({ length: n }, (_, i) => item.replace(/item-0-x/g, `item-${i}-x`)).join('\n')}</itemSet></newsMessage>`;
      }
      case 'ap-media-api': {
        const item = JSON.stringify((JSON.parse(one(0)) as { data: { item: unknown } }).data.item);
        return `{"api_version":"2","data":{"current_item_count":${n},"items":[${Array.from({ length: n }, (_, i) => `{"item":${item.replace(/item-0-x/g, `item-${i}-x`)}}`).join(',')}]}}`;
      }
      case 'iptc7901':
        return Array.from({ length: n }, (_, i) => one(i)).join('');
      default:
        return undefined;
    }
  };
  for (const f of FORMATS) {
    // As many items as allowed, the document filling most of the input limit.
    const probe = manyItems(f, 1, 0);
    if (probe === undefined) continue;
    const doc = manyItems(f, 1000, Math.max(0, Math.floor((NORMALIZE_MAX_BYTES * 0.85) / 1000) - Buffer.byteLength(probe)));
    add({ family: 'flood', format: f.id, vector: 'items-1000-with-bodies', bytes: utf8(doc as string), contentType: f.contentType });
  }
  for (const f of FORMATS.filter((x) => x.xml && x.id !== 'newsml-g2 picture')) {
    const attrs = Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(' ');
    add({ family: 'flood', format: f.id, vector: 'attribute-flood-100000', bytes: utf8(withRawHeadline(f, guidOf('flood', f.id, 'attrs'), `<x ${attrs}/>`)), contentType: f.contentType });
  }
  {
    const html = FORMATS.find((x) => x.id === 'html') as FormatTemplate;
    const ninjs = FORMATS.find((x) => x.id === 'ninjs') as FormatTemplate;
    const imgs = Array.from({ length: 20_000 }, (_, i) => `<img src="${ctx.allowedOrigin}/i/${i}.jpg" alt="picture ${i}">`).join('');
    add({ family: 'flood', format: 'html', vector: 'images-20000', bytes: utf8(write(html, guidOf('flood', 'html', 'imgs'), { html: `<p>${BODY_MARKER}</p>${imgs}` })), contentType: html.contentType });
    add({ family: 'flood', format: 'ninjs', vector: 'images-20000', bytes: utf8(write(ninjs, guidOf('flood', 'ninjs', 'imgs'), { html: `<p>${BODY_MARKER}</p>${imgs}` })), contentType: ninjs.contentType });
    const base = JSON.parse(write(ninjs, guidOf('flood', 'ninjs', 'kw'))) as Record<string, unknown>;
    base.keywords = Array.from({ length: 100_000 }, (_, i) => `kw${i}`);
    base.subjects = Array.from({ length: 50_000 }, (_, i) => ({ name: `subject ${i}`, uri: `https://ok.example/s/${i}` }));
    add({ family: 'flood', format: 'ninjs', vector: 'keywords-100000', bytes: utf8(JSON.stringify(base)), contentType: ninjs.contentType });
    const people = JSON.parse(write(ninjs, guidOf('flood', 'ninjs', 'people'))) as Record<string, unknown>;
    people.people = Array.from({ length: 50_000 }, (_, i) => ({ name: `Reporter Number${i}`, rel: 'author', uri: `https://ok.example/p/${i}` }));
    add({ family: 'flood', format: 'ninjs', vector: 'authors-50000', bytes: utf8(JSON.stringify(people)), contentType: ninjs.contentType });
    people.people = Array.from({ length: 50_000 }, () => ({ name: 'Same Reporter', rel: 'author', uri: 'https://ok.example/p' }));
    add({ family: 'flood', format: 'ninjs', vector: 'same-author-50000', bytes: utf8(JSON.stringify(people)), contentType: ninjs.contentType });
    const assoc = JSON.parse(write(ninjs, guidOf('flood', 'ninjs', 'assoc'))) as Record<string, unknown>;
    assoc.associations = Array.from({ length: 20_000 }, (_, i) => ({ type: 'picture', uri: `urn:test:p:${i}`, descriptions: [{ role: 'caption', value: `A long caption of picture number ${i} that goes on for a while` }], renditions: [{ name: 'main', href: `${ctx.allowedOrigin}/p/${i}.jpg`, contentType: 'image/jpeg', width: 800 }] }));
    add({ family: 'flood', format: 'ninjs', vector: 'associations-20000', bytes: utf8(JSON.stringify(assoc)), contentType: ninjs.contentType });
    const rss = FORMATS.find((x) => x.id === 'rss') as FormatTemplate;
    const media = Array.from({ length: 20_000 }, (_, i) => `<media:content url="${ctx.allowedOrigin}/m/${i}.jpg" medium="image" width="${800 + i}"><media:description>caption ${i}</media:description></media:content>`).join('');
    add({ family: 'flood', format: 'rss', vector: 'media-20000', bytes: utf8(write(rss, guidOf('flood', 'rss', 'media')).replace('</item>', `${media}</item>`)), contentType: rss.contentType });
    const links = Array.from({ length: 100_000 }, (_, i) => `<a href="javascript:alert(${i})">x</a>`).join(' ');
    add({ family: 'flood', format: 'ninjs', vector: 'hostile-links-100000', bytes: utf8(write(ninjs, guidOf('flood', 'ninjs', 'links'), { html: `<p>${BODY_MARKER} ${links}</p>` })), contentType: ninjs.contentType });
  }

  // --- encoding: invalid UTF-8, UTF-16 with and without BOM, wrong and hostile declared charsets ---
  const encodings: Array<{ name: string; make: (f: FormatTemplate, guid: string) => { bytes: Buffer; contentType?: string } }> = [
    {
      name: 'invalid-utf8',
      make: (f, guid) => {
        const doc = withRawHeadline(f, guid, 'BADBYTES');
        const [a, b] = doc.split('BADBYTES') as [string, string];
        return { bytes: Buffer.concat([utf8(a), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80, 0xf4, 0x90, 0x80, 0x80]), utf8(b)]) };
      },
    },
    { name: 'utf16le-bom', make: (f, guid) => ({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(write(f, guid), 'utf16le')]) }) },
    {
      name: 'utf16be-bom',
      make: (f, guid) => {
        const le = Buffer.from(write(f, guid), 'utf16le');
        return { bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]) };
      },
    },
    { name: 'utf16le-no-bom', make: (f, guid) => ({ bytes: Buffer.from(write(f, guid), 'utf16le') }) },
    { name: 'utf8-bom-then-utf16', make: (f, guid) => ({ bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(write(f, guid), 'utf16le')]) }) },
    {
      name: 'declared-shift-jis-is-utf8',
      make: (f, guid) => ({ bytes: utf8(write(f, guid, { text: (field) => `${MARKERS[field]} 서울 항구 화재 ${field}` }).replace('encoding="UTF-8"', 'encoding="Shift_JIS"').replace('encoding="utf-8"', 'encoding="Shift_JIS"').replace('charset=utf-8', 'charset=shift_jis')), contentType: `${f.contentType}; charset=shift_jis` }),
    },
    { name: 'declared-utf8-is-latin1', make: (f, guid) => ({ bytes: Buffer.from(write(f, guid, { text: (field) => `${MARKERS[field]} Ærø Ålborg café ${field}` }), 'latin1'), contentType: `${f.contentType}; charset=utf-8` }) },
    { name: 'declared-unknown-charset', make: (f, guid) => ({ bytes: utf8(write(f, guid)), contentType: `${f.contentType}; charset=x-evil-1337` }) },
    {
      name: 'declared-utf7-script',
      make: (f, guid) => ({
        bytes: utf8(write(f, guid, { text: (field) => `${MARKERS[field]} +ADw-script+AD4-alert(1)+ADw-/script+AD4- +ADw-img src+AD0-x onerror+AD0-alert(1)+AD4-`, html: `<p>${BODY_MARKER} +ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>` })),
        contentType: `${f.contentType}; charset=utf-7`,
      }),
    },
    { name: 'declared-utf16-is-utf8', make: (f, guid) => ({ bytes: utf8(write(f, guid)), contentType: `${f.contentType}; charset=utf-16` }) },
    { name: 'mostly-invalid', make: (f, guid) => ({ bytes: Buffer.concat([utf8(write(f, guid).slice(0, 120)), Buffer.from(noise(7, 4096).map((b) => b | 0x80))]), contentType: `${f.contentType}; charset=utf-8` }) },
    {
      name: 'cesu8-surrogates',
      make: (f, guid) => {
        const doc = withRawHeadline(f, guid, 'BADBYTES');
        const [a, b] = doc.split('BADBYTES') as [string, string];
        // U+1F600 as two encoded surrogates (CESU-8), then a lone high surrogate.
        return { bytes: Buffer.concat([utf8(a), Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0xed, 0xa0, 0x80]), utf8(b)]) };
      },
    },
  ];
  FORMATS.forEach((f, i) => {
    const picks = [encodings[0]!, encodings[1 + ((i * 2) % (encodings.length - 1))]!, encodings[1 + ((i * 2 + 1) % (encodings.length - 1))]!];
    for (const v of picks) {
      const { bytes, contentType } = v.make(f, guidOf('encoding', f.id, v.name));
      add({ family: 'encoding', format: f.id, vector: v.name, bytes, contentType: contentType ?? f.contentType });
    }
  });

  // --- nul: NUL bytes at the start, in a field, past the first 8 KB, and as escapes --------------
  FORMATS.forEach((f, i) => {
    const guid = guidOf('nul', f.id, 'x');
    const inField = withRawHeadline(f, guid, 'A\u0000B');
    add({ family: 'nul', format: f.id, vector: 'nul-in-headline', bytes: utf8(inField), contentType: f.contentType });
    const late = write(f, guid, { html: `<p>${BODY_MARKER} ${'padding '.repeat(1500)}</p><p>after\u0000the nul\u0000\u0000</p>` });
    add({ family: 'nul', format: f.id, vector: 'nul-after-8kb', bytes: utf8(late), contentType: f.contentType });
    const escaped = f.xml ? withRawHeadline(f, guid, '&#0;&#x0;&#xD800;&#65535;') : f.id === 'ninjs' || f.id === 'ap-media-api' ? write(f, guid).replace(MARKERS.headline, `${MARKERS.headline} \\u0000\\ud800\\uffff`) : undefined;
    if (escaped) add({ family: 'nul', format: f.id, vector: 'nul-escaped', bytes: utf8(escaped), contentType: f.contentType });
    if (i === 0) add({ family: 'nul', format: f.id, vector: 'nul-first-byte', bytes: Buffer.concat([Buffer.from([0]), utf8(write(f, guid))]), contentType: f.contentType });
  });

  // --- binary: noise, other file types, and noise behind a format's opening ---------------------
  const ninjsDoc = write(FORMATS[0]!, guidOf('binary', 'ninjs', 'gz'));
  const binaries: Array<[string, Buffer]> = [
    ['noise-1kb', noise(1, 1024)],
    ['noise-64kb', noise(2, 64 * 1024)],
    ['noise-1mb', noise(3, 1024 * 1024)],
    ['noise-high-bytes', Buffer.from(noise(4, 64 * 1024).map((b) => b | 0x80))],
    ['noise-no-nul', Buffer.from(noise(5, 64 * 1024).map((b) => b || 1))],
    ['xml-prolog-then-noise', Buffer.concat([utf8('<?xml version="1.0"?><nitf><body><p>'), Buffer.from(noise(6, 32 * 1024).map((b) => b || 1))])],
    ['json-then-noise', Buffer.concat([utf8('{"uri":"x","headline":"'), Buffer.from(noise(8, 32 * 1024).map((b) => b || 1))])],
    ['soh-then-noise', Buffer.concat([Buffer.from([1]), utf8('dpa0123 4 pl 0345\r\n\u0002'), Buffer.from(noise(9, 32 * 1024).map((b) => b || 1))])],
    ['mail-headers-then-noise', Buffer.concat([utf8('From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n'), noise(10, 32 * 1024)])],
    ['html-then-noise', Buffer.concat([utf8('<!DOCTYPE html><html><body><h1>x</h1><p>'), Buffer.from(noise(11, 32 * 1024).map((b) => b || 1))])],
    ['jpeg-file', ctx.images.good],
    ['png-file', ctx.images.bombs['png-zero-36mp']],
    ['gzip-of-ninjs', gzipSync(utf8(ninjsDoc))],
    ['zip-header', Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), noise(12, 4096)])],
    ['pdf-header', Buffer.concat([utf8('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n'), noise(13, 4096)])],
    ['elf-header', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), noise(14, 4096)])],
    ['all-0xff', Buffer.alloc(16 * 1024, 0xff)],
    ['all-nul', Buffer.alloc(16 * 1024, 0)],
    ['empty', Buffer.alloc(0)],
    ['whitespace-only', utf8(' \r\n\t'.repeat(1024))],
  ];
  for (const [name, bytes] of binaries) add({ family: 'binary', format: 'bytes', vector: name, bytes, contentType: 'application/octet-stream' });

  // --- bomb: compressed and MIME bombs ------------------------------------------------------------
  const nitfDoc = write(FORMATS.find((x) => x.id === 'nitf') as FormatTemplate, guidOf('bomb', 'nitf', 'gz'), { html: `<p>${BODY_MARKER}</p>` });
  add({ family: 'bomb', format: 'bytes', vector: 'gzip-16mb-nitf', bytes: gzipSync(Buffer.concat([utf8(nitfDoc.replace('</body.content>', '')), Buffer.alloc(16 * 1024 * 1024, 0x20), utf8('</body.content></body></nitf>')]), { level: 9 }), contentType: 'application/gzip' });
  add({ family: 'bomb', format: 'bytes', vector: 'gzip-declared-xml', bytes: gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x3c), { level: 9 }), contentType: 'application/xml; charset=utf-8' });
  const mail = (headers: string[], body: string) => [`From: Desk <desk@wire.example.org>`, `Message-ID: <bomb@wire.example.org>`, 'MIME-Version: 1.0', ...headers, '', body].join('\r\n');
  const subject = `Subject: ${MARKERS.headline} of the mail`;
  const mimeBombs: Array<[string, string, (readonly string[])?]> = [
    ['mime-parts-900-then-2m-lines', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `${Array.from({ length: 900 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')}--p\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER}${'\r\n'.repeat(2_000_000)}--p--\r\n`), ['WIRE_ERR_TOO_LARGE']],
    ['mime-parts-20000', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `${Array.from({ length: 20_000 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')}--p--\r\n`), ['WIRE_ERR_TOO_MANY_ITEMS']],
    ['rfc2231-continuations-100000', mail([subject, `Content-Type: text/plain; charset=utf-8; ${Array.from({ length: 100_000 }, (_, i) => `name*${i}*=utf-8''a%41`).join('; ')}`], `${BODY_MARKER} of the mail.`)],
    ['rfc2231-sparse-index', mail([subject, `Content-Type: text/plain; charset=utf-8; name*0=a; name*999999999=b; title*4294967295*=utf-8''x`], `${BODY_MARKER} of the mail.`)],
    ['rfc2231-huge-index-attachment', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `--p\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER} of the mail.\r\n--p\r\nContent-Type: application/octet-stream; name*2147483647=x\r\nContent-Disposition: attachment; filename*99999999*=utf-8''a\r\n\r\nzz\r\n--p--\r\n`)],
    ['rfc2047-subject-100000', mail([`Subject: ${MARKERS.headline} ${Array.from({ length: 100_000 }, () => '=?utf-8?B?PHNjcmlwdD4=?=').join(' ')}`, 'Content-Type: text/plain'], `${BODY_MARKER} of the mail.`)],
    ['folded-header-100000-lines', mail([`${subject} ${'\r\n x'.repeat(100_000)}`, 'Content-Type: text/plain'], `${BODY_MARKER} of the mail.`)],
    ['headers-100000', mail([subject, ...Array.from({ length: 100_000 }, (_, i) => `X-H${i}: v`), 'Content-Type: text/plain'], `${BODY_MARKER} of the mail.`)],
    ['boundary-never-closed', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `--p\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER} ${'never closed '.repeat(40_000)}`)],
    ['boundary-empty', mail([subject, 'Content-Type: multipart/mixed; boundary=""'], `--\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER}\r\n----\r\n`)],
    ['boundary-reused-inside', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `--p\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER}\r\n--p--\r\n--p--\r\n`)],
    ['quoted-printable-soft-breaks', mail([subject, 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable'], `${BODY_MARKER} ${'=\r\n'.repeat(300_000)}=3Cscript=3Ealert(1)=3C/script=3E`)],
    ['base64-3mb-attachment', mail([subject, 'Content-Type: multipart/mixed; boundary="p"'], `--p\r\nContent-Type: text/plain\r\n\r\n${BODY_MARKER}\r\n--p\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n${'AAAA'.repeat(768 * 1024)}\r\n--p--\r\n`)],
    ['base64-garbage-body', mail([subject, 'Content-Type: text/html', 'Content-Transfer-Encoding: base64'], `${'!!!!@@@@####'.repeat(20_000)}`)],
    ['charset-parameter-flood', mail([subject, `Content-Type: text/plain; charset="${'utf-8'.repeat(100_000)}"`], `${BODY_MARKER} of the mail.`)],
  ];
  for (const [name, doc, refuse] of mimeBombs) add({ family: 'bomb', format: 'email', vector: name, bytes: utf8(doc), contentType: 'message/rfc822', ...(refuse ? { refuse } : {}) });

  // --- script: script and mXSS vectors in every plain-text and HTML field of every format ---------
  const PER_FORMAT = 8;
  FORMATS.forEach((f, i) => {
    for (let j = 0; j < PER_FORMAT; j++) {
      const k = (i * PER_FORMAT + j) % SCRIPT_VECTORS.length;
      const vector = SCRIPT_VECTORS[k] as string;
      const doc = write(f, guidOf('script', f.id, String(k)), { text: (field) => `${MARKERS[field]} ${vector}`, html: `<p>${BODY_MARKER} ${vector}</p>` });
      add({ family: 'script', format: f.id, vector: `vector-${k}`, bytes: utf8(doc), contentType: f.contentType, markers: markersOf(f) });
    }
  });

  // --- link: javascript:, data: and their disguises in every link field ---------------------------
  const LINKS_PER_FORMAT = 6;
  LINK_FORMATS.forEach((f, i) => {
    for (let j = 0; j < LINKS_PER_FORMAT; j++) {
      const k = (i * LINKS_PER_FORMAT + j) % LINK_VECTORS.length;
      const link = LINK_VECTORS[k] as string;
      const doc = write(f, guidOf('link', f.id, String(k)), { link, html: `<p>${BODY_MARKER} <a href="${xmlText(link)}">click</a> <a href='${link.replace(/'/g, '')}'>again</a></p>` });
      add({ family: 'link', format: f.id, vector: `link-${k}`, bytes: utf8(doc), contentType: f.contentType, markers: markersOf(f) });
    }
  });

  // --- ssrf: every spelling of a private address in every image field ---------------------------
  const redirects = [
    `${ctx.allowedOrigin}/redirect?to=${encodeURIComponent(`${forbidden}/r.jpg`)}`,
    `${ctx.allowedOrigin}/redirect?to=${encodeURIComponent(`http://[::1]:${ctx.forbiddenPort}/r.jpg`)}`,
    `${ctx.allowedOrigin}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
    `${ctx.allowedOrigin}/redirect?to=${encodeURIComponent(`${ctx.allowedOrigin}/redirect?to=${encodeURIComponent(`http://localhost:${ctx.forbiddenPort}/r.jpg`)}`)}`,
  ];
  const ssrf = [...loopbackSpellings(ctx.forbiddenPort), ...PRIVATE_URLS, ...redirects];
  const SSRF_PER_FORMAT = Math.ceil(ssrf.length / IMAGE_FORMATS.length);
  IMAGE_FORMATS.forEach((f, i) => {
    for (let j = 0; j < SSRF_PER_FORMAT; j++) {
      const k = (j * IMAGE_FORMATS.length + i) % ssrf.length;
      const url = ssrf[k] as string;
      const doc = write(f, guidOf('ssrf', f.id, String(k)), { image: url, html: `<p>${BODY_MARKER} <img src="${xmlText(url)}" alt="inline"></p>` });
      add({ family: 'ssrf', format: f.id, vector: `url-${k}`, bytes: utf8(doc), contentType: f.contentType, markers: markersOf(f) });
    }
  });

  // --- image-bomb: pixel floods, huge dimensions, many frames, by URL, data: URI and attachment ---
  BOMB_NAMES.forEach((bomb, i) => {
    const f = IMAGE_FORMATS[i % IMAGE_FORMATS.length] as FormatTemplate;
    add({ family: 'image-bomb', format: f.id, vector: `url-${bomb}`, bytes: utf8(write(f, guidOf('image-bomb', f.id, bomb), { image: `${ctx.allowedOrigin}/bomb/${bomb}` })), contentType: f.contentType, markers: markersOf(f) });
  });
  const embeddable = BOMB_NAMES.filter((b): b is BombName => !['svg-script', 'gzip-jpeg'].includes(b));
  embeddable.forEach((bomb, i) => {
    const bytes = ctx.images.bombs[bomb];
    const f = EMBED_FORMATS[i % EMBED_FORMATS.length] as FormatTemplate;
    const type = bomb.startsWith('gif') ? 'image/gif' : bomb.startsWith('jpeg') ? 'image/jpeg' : 'image/png';
    add({ family: 'image-bomb', format: f.id, vector: `data-uri-${bomb}`, bytes: utf8(write(f, guidOf('image-bomb', f.id, `data-${bomb}`), { html: `<p>${BODY_MARKER} <img src="data:${type};base64,${bytes.toString('base64')}" alt="bomb" width="800"></p>` })), contentType: f.contentType });
    const attached = write(email, guidOf('image-bomb', 'email', bomb)).replace('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', bytes.toString('base64').replace(/.{76}/g, '$&\r\n')).replace('Content-Type: image/png', `Content-Type: ${type}`);
    add({ family: 'image-bomb', format: 'email', vector: `attachment-${bomb}`, bytes: utf8(attached), contentType: email.contentType, markers: markersOf(email) });
  });

  // --- oversize: just over the normalize input limit in every format, and a story too big to send -
  for (const f of FORMATS) {
    const pad = 'wire copy '.repeat(Math.ceil(NORMALIZE_MAX_BYTES / 10));
    const doc = HAS_BODY(f) ? write(f, guidOf('oversize', f.id, 'x'), { html: `<p>${BODY_MARKER} ${pad}</p>` }) : write(f, guidOf('oversize', f.id, 'x'), { text: (field) => `${MARKERS[field]} ${field === 'caption' ? pad : ''}` });
    add({ family: 'oversize', format: f.id, vector: 'over-5mib', bytes: utf8(doc), contentType: f.contentType, refuse: ['WIRE_ERR_TOO_LARGE'] });
  }
  const text = FORMATS.find((x) => x.id === 'text') as FormatTemplate;
  // Under the input limit, but every "&" becomes "&amp;" in the HTML body: the story is far larger than its input.
  add({ family: 'oversize', format: 'text', vector: 'ampersand-expansion', bytes: utf8(`${MARKERS.headline} of the ampersands\n\n${MARKERS.byline}\n\n${BODY_MARKER} ${'& '.repeat(1_200_000)}\n`), contentType: text.contentType });
  add({ family: 'oversize', format: 'bytes', vector: 'over-9mb-raw', bytes: Buffer.alloc(9 * 1024 * 1024, 0x41), contentType: 'text/plain', refuse: ['WIRE_ERR_TOO_LARGE'] });

  return cases;
}

/** Cases per family, in family order. */
export function countByFamily(cases: readonly HostileCase[]): Record<Family, number> {
  const out = Object.fromEntries(FAMILIES.map((f) => [f, 0])) as Record<Family, number>;
  for (const c of cases) out[c.family]++;
  return out;
}
