import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type NormalizeLimits } from '../draft';
import { fixture, input } from './fixtures.testutil';
import { detect, parse } from './ninjs';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('ninjs', () => {
  it('detects ninjs JSON but not an AP Media API envelope', () => {
    expect(detect(fixture('ninjs/2.1/dpa_text.json'))).toBe(true);
    expect(detect(fixture('ninjs/3.0/20231016-event-timeline-sample.json'))).toBe(true);
    expect(detect('{"api_version":"2","data":{"item":{"uri":"x"}}}')).toBe(false);
    expect(detect('<nitf/>')).toBe(false);
  });

  it('1.4 simple text: lower-case names, headline, byline, body_xhtml', () => {
    const [d] = ok(fixture('ninjs/1.4/ninjsExSimpleText1.json'));
    expect(d).toMatchObject({
      format: 'ninjs-1',
      guid: 'http://ninjs.example.com/newsitems/20130709simp123',
      type: 'text',
      headline: 'Captain of wrecked cruise ship on trial in Italy',
      bylines: ["Paulo Santalucia and Frances d'Emilio"],
      versionCreated: '2013-07-09T10:37:00.000Z',
    });
    expect(d?.bodyHtml?.match(/<p>/g)).toHaveLength(4);
  });

  it('1.4 complex: associations as a map become images with caption, credit and the largest rendition', () => {
    const [d] = ok(fixture('ninjs/1.4/ninjsExComplex1.json'));
    expect(d?.located).toEqual({ text: 'Grossetto, Italy' });
    expect(d?.images).toEqual([
      expect.objectContaining({
        credit: 'Paulo Santalucia',
        sourceUrl: 'http://hosted.ap.org/photos/2/2643c588-dc8d-4923-bebd-e3b904edbb3a-big.jpg',
        width: 429,
        height: 281,
      }),
    ]);
    expect(d?.images?.[0]?.caption).toMatch(/^The Costa Concordia cruise ship lies on its side/);
  });

  it('2.1 dpa: headlines[], bodies[] html, version, urgency, pubstatus, by, copyright holder', () => {
    const [d] = ok(fixture('ninjs/2.1/dpa_text.json'));
    expect(d).toMatchObject({
      format: 'ninjs-2',
      guid: 'urn:newsml:dpa.com:20090101:190510-99-167362',
      version: 2,
      urgency: 4,
      pubStatus: 'usable',
      language: 'de',
      headline: 'Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?',
      bylines: ['Von Christian Hollmann, dpa'],
      versionCreated: '2019-05-10T14:02:28.000Z',
    });
    expect(d?.bodyHtml?.match(/<p>/g)).toHaveLength(9);
    expect(d?.infoSources).toEqual([{ name: 'dpa', role: 'source' }]);
  });

  it('2.1 and 3.0 TT: lower-case and camelCase give the same story; figure folds into the picture association', () => {
    const [v2] = ok(fixture('ninjs/2.1/tt_text_image_2.json'));
    const [v3] = ok(fixture('ninjs/3.0/tt_text_image_3.json'));
    expect(v2?.format).toBe('ninjs-2');
    expect(v3?.format).toBe('ninjs-3');
    for (const d of [v2, v3]) {
      expect(d?.headline).toBe('Militärövning i jätteformat hålls 2023');
      expect(d?.altIds).toEqual([{ type: 'originaltransmissionreference', value: 'a0f2d045-1058-46d1-9f9a-ad80ed1bc86f' }]);
      expect(d?.versionCreated).toBe('2021-05-26T11:40:18.000Z');
      expect(d?.images).toHaveLength(1);
      expect(d?.images?.[0]).toMatchObject({ credit: 'Karl Melander/TT', width: 4724, sourceUrl: 'https://beta.tt.se/media/text/210526-militarovning-a0f2d045/a001_NormalHires.jpg' });
      expect(d?.bodyHtml).toMatch(/^<p>Pandemin satte stopp/);
      expect(d?.bodyHtml).not.toMatch(/<h1>|figcaption|<title>/);
    }
    const { format: _a, ...rest2 } = v2!;
    const { format: _b, ...rest3 } = v3!;
    expect(rest3).toEqual(rest2);
  });

  it('2.1 AP picture: the item is its own picture (caption, credit line, every rendition), not a body', () => {
    const [d] = ok(fixture('ninjs/2.1/ap_image.json'));
    expect(d?.type).toBe('picture');
    expect(d?.version).toBe(1); // AP counts from 0: version "0" is our 1
    // the per-request qt/et tokens are not part of the story id
    expect(d?.guid).toBe('http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0');
    expect(d?.source).toBe('ap');
    expect(d?.images).toHaveLength(1);
    expect(d?.images?.[0]).toMatchObject({ self: true, credit: 'ASSOCIATED PRESS', width: 3000, height: 2208 });
    expect(d?.images?.[0]?.caption).toMatch(/^FILE - In this Monday, Nov\. 11, 2019 file photo/);
    expect(d?.images?.[0]?.sourceUrl).toMatch(/^http:\/\/api\.ap\.org\/media\/v\/content\/b2b6c3f4642f46deac7509d4db315ca0\.0\/download/);
    expect(d?.images?.[0]?.renditions?.map((r) => [r.name, r.width, r.sizeInBytes])).toEqual([
      ['main', 3000, 4764958],
      ['preview', 512, 120321],
      ['thumbnail', 125, 27098],
      ['caption_nitf', undefined, undefined],
    ]);
    expect(d?.bodyText).toBeUndefined();
    expect(d).toMatchObject({ usageTerms: expect.stringMatching(/^This content is intended for editorial use only/), ednotes: ['TURKEY OUT  NOV. 11, 2019 FILE PHOTO'], title: 'Turkey Islamic State' });
    expect(d?.places?.[0]).toEqual({ name: 'Turkey', code: '661e09b87d5b10048287c076b8e3055c', uri: 'http://cv.ap.org/id/661e09b87d5b10048287c076b8e3055c', geo: { lat: 39, lon: 35 } });
    expect(d?.organisations?.map((o) => o.name)).toEqual(['Islamic State group', 'Turkey government']);
  });

  it('2.1 AP video: caption, every rendition (duration in seconds), people the story is about, copyright notice', () => {
    const [d] = ok(fixture('ninjs/2.1/ap_video.json'));
    expect(d?.type).toBe('video');
    expect(d?.images?.[0]).toMatchObject({ type: 'video', self: true, caption: expect.stringMatching(/^As the Trump impeachment hearings go public/) });
    expect(d?.images?.[0]?.sourceUrl).toBeUndefined();
    const main = d?.images?.[0]?.renditions?.[0];
    expect(main).toMatchObject({ name: 'main', contentType: 'video/mpeg', width: 640, height: 360, duration: 128.929 });
    expect(d?.people?.map((p) => p.name)).toEqual(['Nancy Pelosi', 'Joe Biden', 'Donald Trump']);
    expect(d?.bylines ?? []).toEqual([]);
    expect(d?.copyrightNotice).toBeTruthy();
  });

  it('2.1 TT text: genres, places with geo, expires, copyright holder; dpa: "Von Name, dpa" is one author of dpa', () => {
    const [tt] = ok(fixture('ninjs/2.1/tt_text_image_2.json'));
    expect(tt?.genres).toEqual([{ name: 'Inrikes', code: 'INR', uri: 'http://tt.se/spec/sector/1.0/INR' }]);
    expect(tt?.places).toEqual([{ name: 'Sverige' }, { name: 'Gotland', geo: { lat: 57.6381, lon: 18.2979 } }, { name: 'Finland', geo: { lat: 61.92411, lon: 25.748151 } }]);
    expect(tt?.expires).toBe('2023-05-30T22:00:00.000Z');
    expect(tt?.copyrightHolder).toBe('TT');
    expect(tt?.people).toEqual([{ name: 'Jonas Svensson' }]);
    const [dpa] = ok(fixture('ninjs/2.1/dpa_text.json'));
    expect(dpa?.bylines).toEqual(['Von Christian Hollmann, dpa']);
    expect(dpa?.copyrightNotice).toBeTruthy();
  });

  it('3.0 AP audio and the ADDB NITF body', () => {
    const [audio] = ok(fixture('ninjs/3.0/ap_audio.json'));
    expect(audio).toMatchObject({ type: 'audio', headline: 'Next up in impeachment hearings: A parade of key witnesses', urgency: 4 });
    expect(audio?.images).toEqual([expect.objectContaining({ type: 'audio', self: true })]);
    expect(audio?.images?.[0]?.renditions?.length).toBeGreaterThan(0);
    const [addb] = ok(fixture('ninjs/3.0/20231016-addb-example-press-conference.json'));
    expect(addb?.headline).toBe('World Anti');
    expect(addb?.bodyHtml).toMatch(/^<p class="lead"[^>]*>The Australian Sports Anti-Doping Authority/);
  });

  it('a collection (top-level array) yields one story per item', () => {
    const stories = ok(fixture('ninjs/3.0/20231016-event-timeline-sample.json'));
    const raw = JSON.parse(fixture('ninjs/3.0/20231016-event-timeline-sample.json')) as Array<{ uri: string }>;
    expect(stories).toHaveLength(raw.length);
    expect(stories.map((s) => s.guid)).toEqual(raw.map((r) => r.uri));
    expect(stories[0]?.headline).toBe('Athlete uses medicine containing prohibited substance');
  });

  it('maps people with rel author and an e-mail to a structured byline', () => {
    const [d] = ok(JSON.stringify({ uri: 'u', headline: 'H', body_text: 'a\n\nb', people: [{ name: 'Sarah Kim', rel: 'author', contactInfo: [{ type: 'email', value: 'kim.sarah@joongang.co.kr' }] }], pubStatus: 'canceled' }));
    expect(d?.bylines).toEqual([{ name: 'Sarah Kim', role: 'author', email: 'kim.sarah@joongang.co.kr' }]);
    expect(d?.bodyText).toEqual(['a', 'b']);
    expect(d?.pubStatus).toBe('canceled');
  });

  it('typed errors: malformed JSON, no headline, too deep, too many items, item not an object', () => {
    const code = (t: string, limits?: NormalizeLimits) => {
      const r = parse(limits ? { text: t, limits } : input(t));
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code('{"uri": "x",')).toBe('WIRE_ERR_JSON_MALFORMED');
    expect(code('{"uri": "x", "body_text": "b"}')).toBe('WIRE_ERR_NO_HEADLINE');
    expect(code('{"uri": "x", "type": "text"}')).toBe('WIRE_ERR_NO_HEADLINE');
    expect(code(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toBe('WIRE_ERR_TOO_DEEP');
    expect(code('[{"headline":"a"},{"headline":"b"},{"headline":"c"}]', { ...DEFAULT_LIMITS, maxBytes: 1e6, maxItems: 2 })).toBe('WIRE_ERR_TOO_MANY_ITEMS');
    expect(code('[{"headline":"a"}, 3]')).toBe('WIRE_ERR_SCHEMA');
    expect(code(`{"headline":"${'x'.repeat(6 * 1024 * 1024)}"}`)).toBe('WIRE_ERR_TOO_LARGE');
  });

  it('never throws on arbitrary strings or arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 6 })), (s) => {
        const r = parse(input(s));
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on ninjs-shaped objects with wrong types', () => {
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.anything()));
    const keys = ['uri', 'headline', 'headlines', 'bodies', 'body_html', 'body_text', 'associations', 'renditions', 'descriptions', 'people', 'subjects', 'altids', 'altIds', 'version', 'versioncreated', 'urgency', 'type', 'located', 'infosources', 'by'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue), (o) => {
        const r = parse(input(JSON.stringify(o)));
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
      }),
      { numRuns: 500 },
    );
  });
});
