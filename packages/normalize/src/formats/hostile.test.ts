import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
import * as apMedia from './ap-media';
import * as newsml1 from './newsml1';
import * as newsmlG2 from './newsml-g2';
import * as ninjs from './ninjs';
import * as nitf from './nitf';
import * as rss from './rss';
import { normalize } from '../normalize';

/** Every XML format goes through the one safe entry point: the same hostile input gets the same typed code. */
const XML_PARSERS = { nitf, 'newsml-g2': newsmlG2, newsml1, rss } as const;
const ROOT: Record<keyof typeof XML_PARSERS, string> = { nitf: 'nitf', 'newsml-g2': 'newsItem', newsml1: 'NewsML', rss: 'rss' };

const xxe = (root: string) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<${root}>&xxe;</${root}>`;
const laughs = (root: string) =>
  `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><${root}>&j;</${root}>`;
const subset = (root: string) => `<!DOCTYPE ${root} [<!ELEMENT ${root} ANY><!ATTLIST ${root} a CDATA "x">]><${root}/>`;
const deep = (root: string) => `<${root}>${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}</${root}>`;
const huge = (root: string) => `<${root}>${'<p>lorem ipsum dolor sit amet</p>'.repeat(200_000)}</${root}>`;

describe('hostile XML through every XML format parser', () => {
  for (const [name, mod] of Object.entries(XML_PARSERS)) {
    const root = ROOT[name as keyof typeof XML_PARSERS];
    it(`${name}: XXE, billion laughs, internal subset, 10k-deep nesting and 6 MB each get their typed code`, () => {
      const code = (text: string) => {
        const r = mod.parse({ text, limits: DEFAULT_LIMITS });
        return r.ok ? 'ok' : r.error.code;
      };
      expect(code(xxe(root))).toBe('WIRE_ERR_XML_ENTITY');
      expect(code(laughs(root))).toBe('WIRE_ERR_XML_ENTITY');
      expect(code(subset(root))).toBe('WIRE_ERR_XML_DTD');
      expect(code(deep(root))).toBe('WIRE_ERR_TOO_DEEP');
      expect(huge(root).length).toBeGreaterThan(6 * 1024 * 1024);
      expect(code(huge(root))).toBe('WIRE_ERR_TOO_LARGE');
    });
  }

  it('JSON formats: deep nesting, 6 MB and prototype keys are handled as data', () => {
    for (const mod of [ninjs, apMedia]) {
      const deepJson = `{"api_version":"2","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      const r1 = mod.parse({ text: deepJson, limits: DEFAULT_LIMITS });
      expect(!r1.ok && r1.error.code).toBe('WIRE_ERR_TOO_DEEP');
      const r2 = mod.parse({ text: `{"headline":"${'x'.repeat(6 * 1024 * 1024)}"}`, limits: DEFAULT_LIMITS });
      expect(!r2.ok && r2.error.code).toBe('WIRE_ERR_TOO_LARGE');
    }
    const r = ninjs.parse({ text: '{"__proto__":{"headline":"polluted"},"constructor":"x","uri":"u","headline":"H"}', limits: DEFAULT_LIMITS });
    expect(r.ok && r.value[0]?.headline).toBe('H');
    expect(({} as Record<string, unknown>).headline).toBeUndefined();
  });
});

describe('per-item limits, in every format', () => {
  const code = (r: ReturnType<typeof normalize>) => (r.ok ? 'ok' : r.error.code);
  const deepHtml = (n: number) => `${'<div>'.repeat(n)}<p>Copy of the story.</p>${'</div>'.repeat(n)}`;

  it('an HTML body nested deeper than an HTML page may is refused (the sanitizer would take the square of its depth)', () => {
    const limit = DEFAULT_LIMITS.maxDepth * 4;
    expect(code(normalize(JSON.stringify({ uri: 'u', headline: 'Deep', body_html: deepHtml(20_000) })))).toBe('WIRE_ERR_TOO_DEEP');
    const rss = (html: string) => `<rss version="2.0"><channel><title>t</title><item><title>Deep</title><description>${html.replace(/</g, '&lt;')}</description></item></channel></rss>`;
    const r = normalize(rss(deepHtml(limit + 1)));
    expect(!r.ok && r.error.message).toMatch(/^body \(rss\): HTML elements nest deeper than 256/);
    expect(code(normalize(rss(deepHtml(limit - 2))))).toBe('ok');
    // In a feed, only the deep item is dropped.
    const feed = JSON.stringify([{ uri: 'a', headline: 'Deep', body_html: deepHtml(20_000) }, { uri: 'b', headline: 'Flat', body_html: '<p>Copy.</p>' }]);
    const both = normalize(feed);
    expect(both.ok && both.value.map((s) => [s.guid, s.warnings.at(-1)])).toEqual([['b', 'input: 1 item(s) dropped (item 1: WIRE_ERR_TOO_DEEP)']]);
  });

  it(`an item keeps at most ${DEFAULT_LIMITS.maxImages} pictures, with a warning`, () => {
    const imgs = Array.from({ length: 20_000 }, (_, i) => `<img src="https://img.example/${i}.jpg" alt="picture ${i}" width="800">`).join('');
    const r = normalize(JSON.stringify({ uri: 'u', headline: 'Pictures', body_html: `<p>Copy of the story.</p>${imgs}` }));
    if (!r.ok) throw r.error;
    expect(r.value[0]?.images).toHaveLength(DEFAULT_LIMITS.maxImages);
    expect(r.value[0]?.warnings).toContain(`images: the item holds 20000 pictures and media, the first ${DEFAULT_LIMITS.maxImages} are kept (ninjs-1)`);
  });

  it('fifty thousand bylines of one person are one', () => {
    const r = normalize(JSON.stringify({ uri: 'u', headline: 'Bylines', body_text: 'Copy.', people: Array.from({ length: 50_000 }, () => ({ name: 'Kim Doe', rel: 'author' })) }));
    expect(r.ok && r.value[0]?.bylines).toEqual([{ name: 'Kim Doe', role: 'author' }]);
  });

  it('an e-mail is counted before the MIME parser: too many parts, or parts × lines beyond it, are refused', () => {
    const mail = (parts: number, tail: number) =>
      `From: Desk <desk@wire.example.org>\r\nSubject: Parts\r\nMessage-ID: <p@wire.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n` +
      `${Array.from({ length: parts }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')}--p\r\nContent-Type: text/plain\r\n\r\nlast${'\r\n'.repeat(tail)}--p--\r\n`;
    expect(code(normalize(mail(20_000, 0)))).toBe('WIRE_ERR_TOO_MANY_ITEMS');
    const r = normalize(mail(900, 2_000_000));
    expect(!r.ok && r.error.message).toMatch(/^input: e-mail of 901 MIME parts over \d+ lines; the MIME parser reads parts × lines/);
    expect(code(normalize(mail(900, 10)))).toBe('ok');
  });

  it('a plain-text page of four hundred thousand lines is read', () => {
    const r = normalize(`Harbour fire spreads\n\n${'Copy.\n'.repeat(400_000)}`, { contentType: 'text/plain' });
    expect(r.ok && r.value[0]?.headline).toBe('Harbour fire spreads');
  });
});
