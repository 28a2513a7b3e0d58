import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { normalize } from './normalize';
import { toNinjs } from './ninjs';
import { detectFormat } from './detect';
import { PARSERS } from './formats/registry';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'tests/fixtures');
const SEED_TXT = join(FIXTURES, 'seed/000_3a1e1f91969e4f14.txt');
const SEED_HTML = join(FIXTURES, 'seed/000_3a1e1f91969e4f14.html');

// The ninjs 3.1 schema refers to GeoJSON's schema for places; a permissive local stand-in keeps
// the validation offline (we never emit geoJSON).
const GEOJSON_STANDIN = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' };

function validator(): (doc: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(GEOJSON_STANDIN);
  const schema = JSON.parse(readFileSync(join(FIXTURES, 'wire/schemas/ninjs-schema_3.1.json'), 'utf8')) as object;
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

function ninjsOf(file: string): Record<string, unknown> {
  const r = normalize(readFileSync(file));
  if (!r.ok) throw new Error(`${file}: ${r.error.code} ${r.error.message}`);
  expect(r.value).toHaveLength(1);
  return toNinjs(r.value[0]!);
}

type Pic = { descriptions?: Array<{ role: string; value: string }>; copyrightHolder?: string; renditions?: Array<{ href?: string }> };

function expectSeed(doc: Record<string, unknown>): void {
  expect((doc.headlines as Array<{ role: string; value: string }>)[0]).toEqual({ role: 'main', value: 'Kim Jong-un says visit shows ‘strategic importance’ of ties with Russia' });
  expect(doc.by).toBe('Sarah Kim');
  expect(doc.people).toEqual([{ name: 'Sarah Kim', rel: 'author', contactInfo: [{ type: 'email', value: 'kim.sarah@joongang.co.kr' }] }]);
  expect(doc.language).toBe('en');
  const html = (doc.bodies as Array<{ value: string; contentType: string }>)[0]!;
  expect(html.contentType).toBe('text/html');
  const paragraphs = [...html.value.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
  expect(paragraphs).toHaveLength(18);
  expect(paragraphs[0]).toMatch(/^North Korean leader Kim Jong-un said his trip/);
  expect(paragraphs[17]).toMatch(/^He added that the United States “will not hesitate/);
  // No chrome, caption or byline left in the copy.
  for (const needle of ['Advertisement', 'Must read', 'YONHAP', 'BY SARAH KIM', 'joongang.co.kr', 'Los Angeles', '58 F', 'salutes an honor guard', 'Related Articles', 'Copyright']) {
    expect(html.value).not.toContain(needle);
  }
  const pics = (doc.associations as Pic[]) ?? [];
  expect(pics).toHaveLength(3);
  expect(pics.map((p) => p.copyrightHolder)).toEqual(['YONHAP', 'YONHAP', 'AP/YONHAP']);
  for (const p of pics) {
    expect(p.descriptions?.filter((d) => d.role === 'caption')).toHaveLength(1);
    expect(JSON.stringify(p.descriptions)).not.toContain('[YONHAP]');
  }
  expect(pics[0]!.descriptions![0]!.value).toMatch(/^North Korean leader Kim Jong-un, right, salutes an honor guard .* Wednesday\.$/);
  expect(doc.infoSources).toEqual(expect.arrayContaining([{ name: 'JoongAng Daily', role: 'originator' }]));
}

describe('toNinjs on the seed', () => {
  const validate = validator();

  it('gives the reference result for the plain-text page', () => {
    const doc = ninjsOf(SEED_TXT);
    expectSeed(doc);
    expect(validate(doc)).toEqual([]);
    // A plain-text page has no picture URLs.
    for (const p of doc.associations as Pic[]) expect(p.renditions).toBeUndefined();
  });

  it('gives the same result for the seed as a full HTML page, plus each picture source URL', () => {
    const doc = ninjsOf(SEED_HTML);
    expectSeed(doc);
    expect(validate(doc)).toEqual([]);
    expect((doc.associations as Pic[]).map((p) => p.renditions?.[0]?.href)).toEqual([
      'https://lakoreawire.example.com/wp-content/uploads/2023/09/kim-honor-guard.jpg',
      'https://lakoreawire.example.com/wp-content/uploads/2023/09/kim-train.jpg',
      'https://lakoreawire.example.com/wp-content/uploads/2023/09/kim-kozlov.jpg',
    ]);
    const body = (doc.bodies as Array<{ value: string }>)[0]!.value;
    expect(body).not.toMatch(/script|onclick|onerror|javascript:|style=|Injected by script|Facebook|Most Popular/i);
    expect(body).toContain('<a href="https://en.wikipedia.org/wiki/Vladimir_Putin">Vladimir Putin</a>');
    expect(doc.uri).toBe(ninjsOf(SEED_TXT).uri);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('toNinjs on every wire fixture', () => {
  const validate = validator();
  const files = walk(join(FIXTURES, 'wire')).filter((f) => /\.(xml|json|txt|eml|html?|7901|anpa)$/i.test(f) && !f.includes('/schemas/') && !f.endsWith('expected.json'));

  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  for (const file of files) {
    const name = relative(FIXTURES, file);
    const format = detectFormat(readFileSync(file, 'utf8'));
    it(`${name} (${format ?? 'unknown'}) normalizes and validates as ninjs 3.1`, () => {
      expect(format && PARSERS[format]).toBeTruthy();
      const r = normalize(readFileSync(file));
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      expect(r.value.length).toBeGreaterThan(0);
      for (const story of r.value) {
        const doc = toNinjs(story, { hrefFor: (k) => `https://cdn.example.com/${k}` });
        expect(validate(doc)).toEqual([]);
        // A story without a headline is a metadata-only item, and says so.
        if (story.headline.length === 0) expect(story.warnings.join('\n')).toMatch(/headline: none in the document \(metadata-only/);
      }
    });
  }
});
