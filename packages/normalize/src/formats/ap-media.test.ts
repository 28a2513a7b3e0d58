import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
import { fixture, input, sample } from './fixtures.testutil';
import { detect, parse } from './ap-media';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('AP Media API JSON', () => {
  it('detects the AP envelope, not plain ninjs', () => {
    expect(detect(sample('ap-media-item.json'))).toBe(true);
    expect(detect(sample('ap-media-feed.json'))).toBe(true);
    expect(detect(fixture('ninjs/2.1/ap_image.json'))).toBe(false);
  });

  it('a single item: itemid guid, version moved to count from 1, embedded NITF body, byline, dateline location, picture association', () => {
    const [d, ...rest] = ok(sample('ap-media-item.json'));
    expect(rest).toHaveLength(0);
    expect(d).toMatchObject({
      format: 'ap-media-api',
      guid: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      version: 2,
      type: 'text',
      urgency: 2,
      language: 'en',
      pubStatus: 'usable',
      headline: 'Fed holds rates steady, signals cuts later this year',
      bylines: [{ name: 'JANE DOE', role: 'author', title: 'AP Economics Writer' }],
      title: 'Federal Reserve',
      descriptions: [{ role: 'summary', value: 'The Federal Reserve kept its key rate unchanged.' }],
      source: 'ap',
      located: { city: 'Washington', country: 'United States', text: 'WASHINGTON' },
      versionCreated: '2024-03-20T18:05:12.000Z',
    });
    expect(d?.bodyHtml?.match(/<p>/g)).toHaveLength(3);
    expect(d?.bodyHtml).toMatch(/^<p>WASHINGTON \(AP\) — The Federal Reserve kept/);
    expect(d?.images).toEqual([
      {
        uri: 'ffee00112233445566778899aabbccdd',
        headline: 'Federal Reserve building',
        caption: 'Federal Reserve building',
        sourceUrl: 'https://api.ap.org/media/v/content/ffee00112233445566778899aabbccdd.0/download?role=main',
        width: 5000,
        height: 3333,
        renditions: [{ name: 'main', href: 'https://api.ap.org/media/v/content/ffee00112233445566778899aabbccdd.0/download?role=main', contentType: 'image/jpeg', width: 5000, height: 3333 }],
      },
    ]);
    expect(d?.altIds).toContainEqual({ type: 'friendlykey', value: '6543210987' });
  });

  it('a feed page: one story per item — text without embedded body, picture, kill', () => {
    const stories = ok(sample('ap-media-feed.json'));
    expect(stories.map((s) => s.guid)).toEqual(['0001', '0002', '0003']);
    const [text, picture, kill] = stories;
    expect(text?.version).toBe(1);
    expect(text?.bodyText).toEqual(['A storm made landfall on Wednesday.']);
    expect(text?.warnings?.[0]).toContain('https://api.ap.org/media/v/content/0001.0/download?type=text&format=NITF');
    expect(picture).toMatchObject({ type: 'picture', version: 4 });
    // The picture item is its own picture: photographer, credit, every rendition; no body.
    expect(picture?.images).toEqual([
      {
        self: true,
        uri: '0002',
        headline: 'Storm Gulf Coast',
        caption: 'Waves crash over a seawall in Gulfport, Miss., Wednesday, March 20, 2024. (AP Photo/Jane Smith)',
        credit: 'AP',
        by: 'Jane Smith',
        sourceUrl: 'https://api.ap.org/media/v/content/0002.3/download?role=main',
        width: 4000,
        height: 2667,
        renditions: [
          { name: 'main', href: 'https://api.ap.org/media/v/content/0002.3/download?role=main', contentType: 'image/jpeg', width: 4000, height: 2667 },
          { name: 'preview', href: 'https://api.ap.org/media/v/content/0002.3/download?role=preview', contentType: 'image/jpeg', width: 512, height: 341 },
        ],
      },
    ]);
    expect(picture?.bodyText).toBeUndefined();
    expect(picture?.bylines).toEqual([{ name: 'Jane Smith', role: 'photographer', title: 'STF' }]);
    expect(kill).toMatchObject({ pubStatus: 'canceled', bodyText: ['Editors: the story has been eliminated.', 'Do not use.'] });
  });

  it('typed errors', () => {
    const code = (t: string) => {
      const r = parse(input(t));
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('{"api_version":"2"}')).toBe('WIRE_ERR_SCHEMA');
    expect(code('{"api_version":"2","data":{"items":[]}}')).toBe('WIRE_ERR_EMPTY');
    expect(code('{"api_version":"2","data":{"item":{"type":"text"}}}')).toBe('WIRE_ERR_NO_HEADLINE');
    expect(code('{"api_version":"2","data":{"items":[1]}}')).toBe('WIRE_ERR_SCHEMA');
    expect(code('{"api_version":')).toBe('WIRE_ERR_JSON_MALFORMED');
    const r = parse({ text: sample('ap-media-feed.json'), limits: { ...DEFAULT_LIMITS, maxBytes: 1e6, maxItems: 2 } });
    expect(!r.ok && r.error.code).toBe('WIRE_ERR_TOO_MANY_ITEMS');
  });

  it('an embedded NITF with an entity attack is skipped with a warning, never expanded', () => {
    const t = JSON.stringify({ api_version: '2', data: { item: { headline: 'H', summary: 'S', nitf: '<!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]><nitf><body><body.content><p>&x;</p></body.content></body></nitf>' } } });
    const [d] = ok(t);
    expect(d?.bodyHtml).toBeUndefined();
    expect(d?.warnings?.join(' ')).toContain('XXE refused');
  });

  it('never throws on arbitrary input or AP-shaped items with wrong types', () => {
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.anything()));
    const keys = ['uri', 'altids', 'version', 'type', 'headline', 'bylines', 'renditions', 'associations', 'subject', 'keywords', 'editorialtypes', 'datelinelocation', 'nitf', 'body_html', 'photographer', 'infosource'];
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }).map((s) => s), fc.dictionary(fc.constantFrom(...keys), anyValue).map((item) => JSON.stringify({ api_version: '2', data: { item } }))), (t) => {
        const r = parse(input(t));
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
      }),
      { numRuns: 500 },
    );
  });
});
