import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CanonicalStory } from '@wire/schema';
import { normalize, storyFromFields } from './normalize';
import { NormalizeError, NormalizeErrors } from './errors';
import { PARSERS } from './formats/registry';
import { FORMATS } from './detect';

const SEED = readFileSync(fileURLToPath(new URL('../../../tests/fixtures/seed/000_3a1e1f91969e4f14.txt', import.meta.url)));
const SEED_HTML = readFileSync(fileURLToPath(new URL('../../../tests/fixtures/seed/000_3a1e1f91969e4f14.html', import.meta.url)), 'utf8');
const DATASET = fileURLToPath(new URL('../../../tests/fixtures/datasets/dedupe-dev.jsonl', import.meta.url));

function one(input: Uint8Array | string, opts = {}): CanonicalStory {
  const r = normalize(input, opts);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  expect(r.value).toHaveLength(1);
  return r.value[0]!;
}

function failure(input: Uint8Array | string, opts = {}): NormalizeError {
  const r = normalize(input, opts);
  if (r.ok) throw new Error('expected a failure');
  expect(r.error).toBeInstanceOf(NormalizeError);
  return r.error;
}

describe('normalize', () => {
  it('produces a canonical story that passes the schema', () => {
    const s = one(SEED);
    expect(CanonicalStory.parse(s)).toEqual(s);
    expect(s.body).toHaveLength(18);
    expect(s.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(s.wordCount).toBeGreaterThan(500);
    expect(s.bodyHtml.match(/<p>/g)).toHaveLength(18);
    expect(s.images.map((i) => i.credit)).toEqual(['YONHAP', 'YONHAP', 'AP/YONHAP']);
  });

  it('lets the envelope override what the document says', () => {
    const s = one(SEED, { source: 'joongang', guid: 'jd-3a1e1f91', version: 3, pubStatus: 'withheld' });
    expect(s).toMatchObject({ source: 'joongang', guid: 'jd-3a1e1f91', version: 3, pubStatus: 'withheld', uri: 'urn:wire:joongang:jd-3a1e1f91' });
  });

  it('refuses a source or guid over 1,024 characters (ids name the story everywhere)', () => {
    expect(one(SEED, { guid: 'g'.repeat(1024) }).guid).toHaveLength(1024);
    const e = failure(SEED, { guid: 'g'.repeat(1025) });
    expect(e.code).toBe('WIRE_ERR_SCHEMA');
    expect(e.message).toMatch(/guid: 1025 characters, more than 1024/);
    expect(failure(SEED, { source: 's'.repeat(5000) }).message).toMatch(/source: 5000 characters/);
  });

  it('derives a stable guid from the content when there is none', () => {
    expect(one(SEED).guid).toBe(one(SEED_HTML).guid);
    expect(one(SEED).guid).toMatch(/^sha256:[0-9a-f]{32}$/);
  });

  it('gives the same copy for the seed as text and as an HTML page', () => {
    const a = one(SEED);
    const b = one(SEED_HTML);
    expect(b.body).toEqual(a.body);
    expect(b.contentHash).toBe(a.contentHash);
    expect(b.images.map((i) => [i.caption, i.credit])).toEqual(a.images.map((i) => [i.caption, i.credit]));
    expect(b.images.every((i) => i.sourceUrl?.startsWith('https://lakoreawire.example.com/wp-content/uploads/'))).toBe(true);
  });

  it('refuses input over the size limit before decoding it', () => {
    const e = failure(new Uint8Array(2048).fill(65), { limits: { maxBytes: 1024 } });
    expect(e.code).toBe('WIRE_ERR_TOO_LARGE');
    expect(e.message).toContain('2048 bytes, limit 1024');
    expect(failure('x'.repeat(5 * 1024 * 1024 + 1)).code).toBe('WIRE_ERR_TOO_LARGE');
  });

  it('refuses HTML nested deeper than the limit before building a DOM, and takes deep real layouts', () => {
    const page = (n: number): string =>
      `<html><body><h1>Deep page</h1>${'<div>'.repeat(n)}${[1, 2, 3, 4].map((i) => `<p>Paragraph ${i}: the storm reached the coast on Tuesday night, forcing thousands to leave.</p>`).join('')}${'</div>'.repeat(n)}</body></html>`;
    const e = failure(page(20_000));
    expect(e.code).toBe('WIRE_ERR_TOO_DEEP');
    expect(e.message).toContain('deeper than 256');
    expect(one(page(120)).body).toHaveLength(4);
    const fields = storyFromFields({ source: 's', guid: 'g', headline: 'Deep page', body: page(20_000) });
    expect(!fields.ok && fields.error.code).toBe('WIRE_ERR_TOO_DEEP');
  });

  it('refuses empty, binary and unknown input with typed errors', () => {
    expect(failure('   \n\t ').code).toBe('WIRE_ERR_EMPTY');
    expect(failure(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])).code).toBe('WIRE_ERR_INVALID_UTF8');
    expect(failure('{"hello": "world"}').code).toBe('WIRE_ERR_UNSUPPORTED_FORMAT');
    expect(failure('<?xml version="1.0"?><catalog><book/></catalog>').code).toBe('WIRE_ERR_UNSUPPORTED_FORMAT');
  });

  it('has a parser for every format it detects', () => {
    expect(FORMATS.filter((f) => !PARSERS[f])).toEqual([]);
  });

  it('refuses XML with entity declarations before any expansion, whatever the root', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE nitf [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n<nitf><body>&xxe;</body></nitf>';
    expect(['WIRE_ERR_XML_ENTITY', 'WIRE_ERR_XML_DTD']).toContain(failure(xxe).code);
    const laughs = `<?xml version="1.0"?><!DOCTYPE newsItem [<!ENTITY a "lol">${'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'}]><newsItem>&b;</newsItem>`;
    expect(['WIRE_ERR_XML_ENTITY', 'WIRE_ERR_XML_DTD']).toContain(failure(laughs).code);
  });

  it('strips scripts, event handlers and non-http links from HTML pages', () => {
    const page = `<html><head><title>Storm hits coast | Site</title><script>alert(1)</script></head><body>
      <article><h1>Storm hits coast</h1>
      <p onclick="steal()">The storm reached the coast on Tuesday night, forcing thousands to leave their homes, officials said.</p>
      <p>Rescue teams <a href="javascript:alert(2)">worked</a> through the night <a href="https://example.org/x" onmouseover="x()">in the area</a> to reach people.</p>
      <p><img src=x onerror="alert(3)">Power was cut to more than 10,000 homes across the region, the utility said on Wednesday.</p>
      <style>p{color:red}</style><iframe src="https://evil.example"></iframe>
      </article></body></html>`;
    const s = one(page);
    expect(s.headline).toBe('Storm hits coast');
    expect(s.bodyHtml).not.toMatch(/script|alert|onclick|onmouseover|onerror|javascript|iframe|style|<img/i);
    expect(s.bodyHtml).toContain('<a href="https://example.org/x">in the area</a>');
    expect(s.body[1]).toBe('Rescue teams worked through the night in the area to reach people.');
  });

  it('takes the dateline off the copy and names the agency it cites', () => {
    const s = one('North Korea fires missile\n\nSEOUL, Sept. 13 (Yonhap) -- North Korea fired a ballistic missile into the East Sea on Wednesday, the military said.\n\nThe launch came hours before the summit.');
    expect(s.dateline).toBe('SEOUL, Sept. 13 (Yonhap) --');
    expect(s.located).toEqual({ city: 'Seoul', text: 'SEOUL, Sept. 13 (Yonhap) --' });
    expect(s.body[0]).toBe('North Korea fired a ballistic missile into the East Sea on Wednesday, the military said.');
    expect(s.infoSources).toContainEqual({ name: 'Yonhap', role: 'originator' });
    expect(s.source).toBe('yonhap');
  });

  it('decodes Latin-1 bytes and repairs mojibake', () => {
    const latin1 = Buffer.from('Caf\xe9 owners in S\xe3o Paulo said prices rose\n\nThe caf\xe9 association said on Monday that prices had risen sharply this year.', 'latin1');
    const s = one(latin1);
    expect(s.headline).toBe('Café owners in São Paulo said prices rose');
    expect(s.warnings.join(' ')).toContain('windows-1252');
    const moji = one('Kim says visit shows â€˜strategic importanceâ€™\n\nThe Northâ€™s official news agency said on Wednesday that the trip was a success.');
    expect(moji.headline).toBe('Kim says visit shows ‘strategic importance’');
    expect(moji.body[0]).toContain('North’s');
  });

  it('never throws and fails only with catalogue codes on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = normalize(bytes);
        if (!r.ok) {
          expect(r.error).toBeInstanceOf(NormalizeError);
          expect(Object.values(NormalizeErrors.codes)).toContain(r.error.code);
          expect(r.error.code, r.error.message).not.toBe('WIRE_ERR_INTERNAL');
        } else for (const s of r.value) expect(CanonicalStory.safeParse(s).success).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary strings shaped like wire documents', () => {
    const piece = fc.constantFrom('<p>', '</p>', '<html>', '<script>', '</script>', '<figure><img src="a.jpg" alt="x">', '<figcaption>', '[YONHAP]', 'BY A B [a@b.kr]', 'SEOUL, Sept. 13 (Yonhap) -- ', '\n\n', '{"uri":', '"headline":"x"', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "b">]>', '<nitf>', '<newsItem>', '&amp;', '&#0;', '\u0000', '\u0001', 'â€™', '- Advertisement -', 'Related Articles');
    const doc = fc.array(fc.oneof(piece, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(doc, (text) => {
        const r = normalize(text);
        if (!r.ok) {
          expect(r.error).toBeInstanceOf(NormalizeError);
          expect(r.error.code, r.error.message).not.toBe('WIRE_ERR_INTERNAL');
        } else for (const s of r.value) expect(CanonicalStory.safeParse(s).success).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('HTML pages in four site layouts', () => {
  const dir = fileURLToPath(new URL('../../../tests/fixtures/wire/html/', import.meta.url));
  const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as Record<string, { headline: string; paragraphs: string[] }>;
  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: exactly the copy, no chrome`, () => {
      const s = one(readFileSync(`${dir}${file}`));
      expect(s.format).toBe('html');
      expect(s.body).toEqual(want.paragraphs);
      expect(s.bodyHtml).not.toMatch(/Advertisement|Related|Most Read|Trending|Subscribe|Copyright|<script|Facebook/i);
    });
  }
});

describe('storyFromFields', () => {
  const items = readFileSync(DATASET, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; kind: string; cluster: string; source: string; guid: string; version: number; receivedAt: string; headline: string; body: string });

  it('strips a republishing site’s chrome down to the copy the agency sent', () => {
    const chrome = items.filter((i) => i.kind === 'chrome');
    expect(chrome.length).toBeGreaterThan(50);
    let compared = 0;
    for (const c of chrome) {
      const original = items.find((i) => i.cluster === c.cluster && i.kind === 'original');
      if (!original) continue;
      const a = storyFromFields(c);
      const b = storyFromFields(original);
      if (!a.ok || !b.ok) throw new Error(`${c.id}: ${!a.ok ? a.error.message : ''}`);
      expect(a.value.body, c.id).toEqual(b.value.body);
      expect(a.value.bylines.length, c.id).toBe(1);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('keeps the envelope identity and takes the given headline', () => {
    const item = items[0]!;
    const r = storyFromFields(item);
    if (!r.ok) throw r.error;
    expect(r.value).toMatchObject({ source: item.source, guid: item.guid, version: item.version, headline: item.headline, versionCreated: '2024-04-29T00:01:38.000Z' });
    expect(r.value.uri).toBe(`urn:wire:reuters:${encodeURIComponent(item.guid)}`);
  });

  it('never throws on arbitrary fields', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 400 }), (headline, body) => {
        const r = storyFromFields({ source: 'src', guid: 'g1', headline, body });
        if (!r.ok) expect(r.error.code).not.toBe('WIRE_ERR_INTERNAL');
        else expect(CanonicalStory.safeParse(r.value).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('takes a scraped HTML page as the body', () => {
    const r = storyFromFields({ source: 'la-site', guid: 'p1', headline: 'Kim Jong-un says visit shows ‘strategic importance’ of ties with Russia', body: SEED_HTML });
    if (!r.ok) throw r.error;
    expect(r.value.body).toEqual(one(SEED).body);
  });
});
