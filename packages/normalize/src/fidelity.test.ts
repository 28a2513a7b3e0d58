import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { CanonicalStory } from '@wire/schema';
import { detectFormat } from './detect';
import { normalize } from './normalize';
import { toNinjs } from './ninjs';

/**
 * What partners pay for arrives in the ninjs they receive: every test here normalizes a document
 * as an agency sends it (samples in tests/fixtures/wire/samples, written in each format's
 * published shape, and the shared IPTC fixtures) and checks the ninjs 3.1 a partner gets — which
 * must validate against the IPTC schema.
 */

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/wire/', import.meta.url));
const GEOJSON_STANDIN = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' };

const validate = (() => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(GEOJSON_STANDIN);
  const v = ajv.compile(JSON.parse(readFileSync(join(FIXTURES, 'schemas/ninjs-schema_3.1.json'), 'utf8')) as object);
  return (doc: unknown): string[] => (v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
})();

// The ninjs documents are JSON checked against the IPTC schema, not a TypeScript type: read loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ninjs = Record<string, any>;

function stories(rel: string | { text: string }): CanonicalStory[] {
  const r = normalize(typeof rel === 'string' ? readFileSync(join(FIXTURES, rel)) : rel.text);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function ninjs(rel: string | { text: string }): Ninjs[] {
  return stories(rel).map((s) => {
    const doc = toNinjs(s, { hrefFor: (k) => `https://cdn.example.com/${k}` });
    expect(validate(doc)).toEqual([]);
    return doc;
  });
}

describe('1. the ninjs model, filled from every format that carries it', () => {
  it('ninjs from another system: summary, rights, ednote, genres, places with geo, organisations, expires, contentCreated, title, keywords, authors with roles', () => {
    const [text] = ninjs('samples/ninjs-search-envelope.json');
    expect(text).toMatchObject({
      type: 'text',
      title: 'FINANSLOV',
      contentCreated: '2024-03-11T06:45:00.000Z',
      expires: '2024-03-17T23:00:00.000Z',
      copyrightHolder: 'Example Nyhedsbureau',
      copyrightNotice: '© 2024 Example Nyhedsbureau. All rights reserved.',
      usageTerms: 'Editorial use only. Not for resale.',
      edNote: 'Opdateret med kommentar fra oppositionen.',
      genres: [{ name: 'Current', uri: 'http://cv.iptc.org/newscodes/genre/Current' }],
      places: [{ name: 'København', geoJSON: { type: 'Point', coordinates: [12.5683, 55.6761] } }],
      organisations: [{ name: 'Finansministeriet' }],
    });
    expect(text!.descriptions).toContainEqual({ role: 'summary', value: 'Finansministeren lover lavere skat på arbejde og flere penge til sundhed.' });
    // "Name, Affiliation" is one person; the structured list adds the e-mail and the photographer.
    expect(text!.by).toBe('Mette Holm, Example Nyhedsbureau');
    expect(text!.people).toEqual([
      { name: 'Mette Holm', rel: 'author', contactInfo: [{ type: 'email', value: 'mette.holm@example-newsroom.dk' }] },
      { name: 'Jens Lund', rel: 'photographer' },
      { name: 'Nicolai Wammen', rel: 'subject' },
    ]);
    expect(text!.subjects).toEqual(expect.arrayContaining([{ name: 'finanslov', rel: 'keyword' }, { name: 'skat', rel: 'keyword' }]));
  });

  it('AP Media API: the products of the feed page and the structured bylines', () => {
    const [item] = ninjs('samples/ap-media-item.json');
    expect(item!.subjects).toContainEqual({ name: 'AP Top News', literal: 'approduct:31989', rel: 'product' });
    expect(item!.people).toContainEqual({ name: 'Jane Doe', rel: 'author' });
    expect(item!.title).toBe('Federal Reserve');
  });

  it('NewsML-G2: rights, edNote, service, genre, title; creators with their roles', () => {
    const [doc] = ninjs('newsml-g2/iptc-spec/LISTING_1_A_NewsML-G2_News_Item.xml');
    expect(doc).toMatchObject({ copyrightHolder: 'Example Enews LLP', genres: [{ name: 'Interview', literal: 'genre:interview' }] });
    expect(doc!.copyrightNotice).toMatch(/Copyright/);
    expect(doc!.usageTerms).toBeTruthy();
    expect(doc!.edNote).toBeTruthy();
    expect(doc!.subjects).toContainEqual({ name: 'UK News Service', literal: 'svc:uknews', rel: 'service' });
    expect(doc!.people).toEqual([{ name: 'Meredith Jameson', rel: 'author', uri: 'http://www.example.com/staff/mjameson' }]);
  });

  it('NewsML 1.2 (AFP): genres, news products and service, advisory lines as the edNote, people pictured, the sign-off off the copy', () => {
    const [doc] = ninjs('newsml-1.2/afp.com_newsml1.2_sample.xml');
    expect(doc!.genres).toEqual([{ name: 'Article' }, { name: 'Update' }]);
    expect(doc!.edNote).toContain('RECASTS with attack on Hamas targets');
    expect(doc!.subjects).toContainEqual({ name: 'DGTE', literal: 'newsservice:DGTE', rel: 'service' });
    expect(doc!.subjects).toContainEqual({ name: 'PAW', literal: 'newsproduct:PAW', rel: 'product' });
    expect(doc!.people.filter((p: Ninjs) => p.rel === 'subject').map((p: Ninjs) => p.name)).toContain('Joe Biden');
    // "Adel Zaanoun with Guillaume Lavallee in Jerusalem": two authors, no place in a name.
    expect(doc!.people.filter((p: Ninjs) => p.rel === 'author').map((p: Ninjs) => p.name)).toEqual(['Adel Zaanoun', 'Guillaume Lavallee']);
    expect(doc!.bodies[0].value).not.toContain('bur-dar-gl/fz');
    expect(doc!.title).toBe('Israel-Palestinians-conflict');
  });

  it('NITF (NTB): genres from tobject, places from evloc, the Norwegian subject names, the distributor', () => {
    const [doc] = ninjs('nitf/NTB_nitf_sample.xml');
    expect(doc!.genres).toEqual([{ name: 'Utenriks' }, { name: 'Nyheter' }]);
    expect(doc!.places.map((p: Ninjs) => p.name)).toEqual(['India', 'Asia']);
    expect(doc!.subjects).toEqual(
      expect.arrayContaining([
        { name: 'Sykdom', uri: 'http://cv.iptc.org/newscodes/subjectcode/07001000', literal: 'iptc-subjectcode:07001000' },
        { name: 'Medisin og helse', uri: 'http://cv.iptc.org/newscodes/subjectcode/07000000', literal: 'iptc-subjectcode:07000000' },
      ]),
    );
    expect(doc!.language).toBe('nb-NO');
  });
});

describe('2. picture, graphic and video items carry their media at the top level', () => {
  it('a ninjs photo: caption in descriptions, every rendition, photographer in by, credit in copyrightHolder, no body and no association', () => {
    const [, photo] = ninjs('samples/ninjs-search-envelope.json');
    expect(photo).toMatchObject({ type: 'picture', by: 'Jens Lund', copyrightHolder: 'Example Nyhedsbureau' });
    expect(photo!.descriptions).toEqual([{ role: 'caption', value: 'Finansministeren ankommer til pressemødet i Finansministeriet tirsdag.' }]);
    expect(photo!.renditions).toEqual([
      { name: 'original', href: 'https://media.example-newsroom.dk/77/original.jpg', contentType: 'image/jpeg', width: 5000, height: 3333, sizeInBytes: 4200000 },
      { name: 'preview', href: 'https://media.example-newsroom.dk/77/preview.jpg', contentType: 'image/jpeg', width: 800, height: 533, sizeInBytes: 120000 },
      { name: 'thumbnail', href: 'https://media.example-newsroom.dk/77/thumb.jpg', contentType: 'image/jpeg', width: 200, height: 133 },
    ]);
    expect(photo!.bodies).toBeUndefined();
    expect(photo!.associations).toBeUndefined();
  });

  it('a stored picture item lists our renditions first, then the agency’s', () => {
    const [, photo] = stories('samples/ninjs-search-envelope.json');
    const stored = { ...photo!, images: photo!.images.map((i) => ({ ...i, key: 'media/abc.jpg', renditions: [{ name: 'thumbnail', key: 'media/abc-t.jpg', contentType: 'image/jpeg', width: 320, height: 213 }] })) };
    const doc = toNinjs(stored, { hrefFor: (k) => `https://cdn.example.com/${k}` });
    expect(validate(doc)).toEqual([]);
    expect((doc.renditions as Ninjs[]).map((r) => r.name)).toEqual(['thumbnail', 'original', 'preview', 'source-thumbnail']);
  });

  it('a graphic of a text is an association of type graphic with its renditions', () => {
    const [text] = ninjs('samples/ninjs-search-envelope.json');
    expect(text!.associations).toEqual([
      {
        name: 'graphic1',
        uri: 'https://content.example-newsroom.dk/item/2024-0311-budget-chart',
        type: 'graphic',
        rel: 'graphic',
        descriptions: [{ role: 'caption', value: 'Sådan fordeles de nye milliarder.' }],
        renditions: [{ name: 'web', href: 'https://media.example-newsroom.dk/2024-0311-chart.png', contentType: 'image/png', width: 1200, height: 800 }],
      },
    ]);
  });

  it('NewsML-G2 photo (Getty, listing 3) and video (listing 4) items', () => {
    const [photo] = ninjs('newsml-g2/iptc-spec/LISTING_3_Photo_in_NewsML-G2.xml');
    expect(photo).toMatchObject({ type: 'picture', by: 'Spencer Platt', copyrightHolder: 'Getty Images North America' });
    expect(photo!.descriptions[0]).toMatchObject({ role: 'caption' });
    expect(photo!.bodies).toBeUndefined();
    const [video] = ninjs('newsml-g2/iptc-spec/LISTING_4_Multiple_Renditions_of_a_Video_in_NewsML-G2.xml');
    expect(video!.type).toBe('video');
    expect(video!.renditions.length).toBeGreaterThan(1);
    expect(video!.renditions.every((r: Ninjs) => /^video\//.test(r.contentType))).toBe(true);
  });
});

describe('3. subjects named from the IPTC vocabularies', () => {
  it('a media topic sent as a bare uri gets its name; an agency code keeps its own scheme', () => {
    const [text] = ninjs('samples/ninjs-search-envelope.json');
    expect(text!.subjects).toContainEqual({ name: 'politics', uri: 'http://cv.iptc.org/newscodes/mediatopic/11000000', literal: 'medtop:11000000' });
    expect(text!.subjects).toContainEqual({ name: 'Finanslov', literal: 'nyhedsbureau:NB-BUDGET' });
  });

  it('NewsML-G2: medtop and subject codes resolved, the finer level kept, agency codes labelled, places and organisations apart', () => {
    const [doc] = ninjs('samples/newsml-g2-dateline-conflict.xml');
    expect(doc!.subjects).toEqual([
      { name: 'conflict, war and peace', uri: 'http://cv.iptc.org/newscodes/mediatopic/16000000', literal: 'medtop:16000000' },
      { name: 'war', uri: 'http://cv.iptc.org/newscodes/subjectcode/16009000', literal: 'iptc-subjectcode:16009000' },
      { name: 'Ukraine war', literal: 'exw:UKR-WAR' },
    ]);
    expect(doc!.places).toEqual([{ name: 'Kyiv', literal: 'geo:kyiv' }]);
    expect(doc!.organisations).toEqual([{ name: 'National Guard', literal: 'exw:org:natl-guard' }]);
  });

  it('names in the story language where the vocabulary has them (German), else English', () => {
    // The listing's subjects without the names the document gives: the vocabulary names them.
    const item = readFileSync(join(FIXTURES, 'newsml-g2/iptc-spec/LISTING_1_A_NewsML-G2_News_Item.xml'), 'utf8').replace(/<name xml:lang="[^"]+">(?:labour market|Arbeitsmarkt|economy, business and finance)<\/name>\s*/g, '');
    const [de] = stories({ text: item.replace('xml:lang="en-GB">', 'xml:lang="de">') });
    expect(de!.language).toBe('de');
    expect(de!.subjects.map((s) => s.name)).toEqual(['economy, business and finance', 'Arbeitsmarkt']);
    const [en] = stories({ text: item });
    expect(en!.subjects.map((s) => s.name)).toEqual(['economy, business and finance', 'labour market']);
  });
});

describe('4. datelines and bylines', () => {
  it('the printed dateline wins over a metadata city; "By X" on its own line is a byline; <br/> is a line break', () => {
    const [s] = stories('samples/newsml-g2-dateline-conflict.xml');
    expect(s!.dateline).toBe('KYIV, Ukraine (AP) —');
    expect(s!.located).toEqual({ city: 'Kyiv', country: 'Ukraine', text: 'KYIV, Ukraine (AP) —' });
    expect(s!.warnings).toContain('located: the metadata names New York, the printed dateline Kyiv; the dateline wins');
    expect(s!.bylines).toEqual([{ name: 'Jane Roe' }]);
    expect(s!.body).toEqual(['Russian drones and missiles struck the capital overnight, officials said on Tuesday.', 'Air defences shot down most of the targets.\nTwo people were injured by falling debris.']);
    const doc = toNinjs(s!);
    expect(validate(doc)).toEqual([]);
    expect(doc.located).toBe('Kyiv, Ukraine');
    expect(doc.descriptions).toContainEqual({ role: 'dateline', value: 'KYIV, Ukraine (AP) —' });
    expect((doc.bodies as Ninjs[])[0]!.value).toBe('<p>Russian drones and missiles struck the capital overnight, officials said on Tuesday.</p><p>Air defences shot down most of the targets.<br>Two people were injured by falling debris.</p>');
  });

  it('hard-wrapped text: a "By X" run into the dateline is a byline, not part of the city; the desk sign-off is dropped', () => {
    const [s] = stories('samples/iptc7901-byline-dateline.txt');
    expect(s!.bylines).toEqual([{ name: 'Jane Roe' }]);
    expect(s!.located?.city).toBe('Kyiv');
    expect(s!.dateline).toBe('KYIV, Ukraine (AP) —');
    expect(s!.body).toEqual(['Russian drones and missiles struck the capital overnight, officials said on Tuesday.', 'Air defences shot down most of the targets, the military said.']);
    expect(s!.source).toBe('dpa');
  });

  it('sign-offs are neither bylines nor paragraphs (Ritzau "hh/ph/ts/hd", a metadata byline "gr/bp")', () => {
    const [storm] = stories('samples/ritzau-rbnews.xml');
    expect(storm!.body.join('\n')).not.toContain('hh/ph');
    const r = stories({ text: JSON.stringify({ uri: 'urn:x:1', headline: 'H', by: 'gr/bp', body_text: 'One paragraph of copy.\n\ngr/bp' }) });
    expect(r[0]!.bylines).toEqual([]);
    expect(r[0]!.body).toEqual(['One paragraph of copy.']);
  });
});

describe('5. language', () => {
  it('a declared regional tag is kept', () => {
    expect(stories('samples/newsml-g2-dateline-conflict.xml')[0]!.language).toBe('en-GB');
    expect(stories('samples/atom-vendor-namespace.xml')[0]!.language).toBe('nb-NO');
  });

  it('no guess from a few words: too short is unknown, not a wrong code', () => {
    const [short] = stories({ text: JSON.stringify({ uri: 'urn:x:short', headline: 'Storm lukker broen', body_text: 'Broen er lukket.' }) });
    expect(short!.language).toBeUndefined();
    const [long] = stories({ text: JSON.stringify({ uri: 'urn:x:long', headline: 'Storm closes the bridge', body_text: 'The bridge was closed to light vehicles on Tuesday afternoon, and the operator said it would stay shut until the wind eased in the evening.' }) });
    expect(long!.language).toBe('en');
  });
});

describe('6. the uri namespace is the feed’s provider', () => {
  it('one AP feed page lands under one namespace, whatever each item’s info source', () => {
    const feed = JSON.parse(readFileSync(join(FIXTURES, 'samples/ap-media-feed.json'), 'utf8')) as { data: { items: Array<{ item: Record<string, unknown> }> } };
    feed.data.items.forEach((w, i) => Object.assign(w.item, { infosource: [{ name: ['AP', 'DHA', 'Reuters'][i] }], copyrightholder: ['AP', 'DHA', 'Reuters'][i] }));
    const uris = stories({ text: JSON.stringify(feed) }).map((s) => s.uri);
    expect(uris.every((u) => u.startsWith('urn:wire:ap:'))).toBe(true);
    expect(stories('ninjs/2.1/ap_image.json')[0]!.uri).toMatch(/^urn:wire:ap:/);
  });
});

describe('7. Atom feeds with vendor namespaces', () => {
  it('a placeholder atom:content gives way to the vendor body; vendor tags, dates and xml:lang are read', () => {
    const [entry, plain] = stories('samples/atom-vendor-namespace.xml');
    expect(entry!.body[0]).toBe('Regjeringen foreslår å øke overføringene til kommunene med to milliarder kroner i revidert nasjonalbudsjett.');
    expect(entry!.body).not.toContain('Les hele saken hos Example Agency.');
    expect(entry!.dateline).toBe('OSLO (Example Agency) –');
    expect(entry!.keywords).toEqual(['budsjett', 'kommuner', 'økonomi']);
    expect(entry!.firstCreated).toBe('2024-05-14T07:00:00.000Z');
    expect(entry!.contentCreated).toBe('2024-05-14T06:40:00.000Z');
    expect(entry!.copyrightNotice).toBe('© 2024 Example Agency AS');
    expect(entry!.descriptions).toEqual([{ role: 'summary', value: 'Regjeringen gir kommunene to milliarder kroner mer i revidert budsjett.' }]);
    expect(entry!.body.join('\n')).not.toContain('kn/ola');
    expect(entry!.source).toBe('example-agency');
    expect(plain!.language).toBe('nb');
    ninjs('samples/atom-vendor-namespace.xml');
  });
});

describe('8. ninjs from other systems', () => {
  it('a search-result envelope gives one story per item; non-standard types map to the standard ones', () => {
    expect(detectFormat(readFileSync(join(FIXTURES, 'samples/ninjs-search-envelope.json'), 'utf8'))).toBe('ninjs');
    const docs = ninjs('samples/ninjs-search-envelope.json');
    expect(docs.map((d) => d.type)).toEqual(['text', 'picture', 'text']);
  });
});

describe('9. Ritzau RBNews XML', () => {
  it('is detected and read: escaped HTML, byLine/byLineEmail, town, Copenhagen time, nil headline from the first sentence', () => {
    const text = readFileSync(join(FIXTURES, 'samples/ritzau-rbnews.xml'), 'utf8');
    expect(detectFormat(text)).toBe('ritzau');
    const [storm, quake] = stories({ text });
    expect(storm).toMatchObject({
      guid: 'ritzau:11223344',
      version: 2,
      source: 'ritzau',
      headline: 'Storm lukker Storebæltsbroen for lette køretøjer',
      subheadline: 'Vindstød af stormstyrke ventes hele eftermiddagen.',
      bylines: [{ name: 'Anders Jensen', role: 'author', email: 'anders.jensen@example-ritzau.dk' }],
      located: { city: 'Korsør' },
      // 14:35 in Copenhagen in July is CEST, UTC+2.
      versionCreated: '2024-07-02T12:35:00.000Z',
      language: 'da-DK',
      urgency: 3,
    });
    expect(storm!.body).toEqual(['Storebæltsbroen er lukket for lette køretøjer og motorcykler, oplyser Sund & Bælt.', 'Vejdirektoratet opfordrer bilister til at blive hjemme.\nDMI venter, at vinden topper sidst på eftermiddagen.']);
    expect(storm!.subjects.map((s) => s.name)).toEqual(['Indland', 'Trafik']);
    // January is CET, UTC+1; no headline: the first sentence.
    expect(quake).toMatchObject({ headline: 'Et jordskælv med en styrke på 4,1 er registreret ud for Bornholm.', versionCreated: '2024-01-15T07:05:00.000Z', bylines: [] });
    expect(quake!.warnings).toContain('headline: nil in the document; taken from the first sentence of the body (Ritzau RBNews)');
    ninjs({ text });
  });
});

describe('10. attachments and embeds', () => {
  it('WordPress: the attachment of a post, the in-body picture (srcset renditions) and the video embed are associations; a post with only a picture is a picture item', () => {
    const [post, sunset, ...rest] = ninjs('samples/wordpress-wxr.xml');
    expect(rest).toHaveLength(0);
    expect(post!.type).toBe('text');
    const assoc = post!.associations as Ninjs[];
    expect(assoc.map((a) => a.type)).toEqual(['picture', 'video', 'picture']);
    expect(assoc[0]!.renditions).toEqual([
      { name: 'w800', href: 'https://gazette.example.org/wp-content/uploads/2024/06/lifeboat-800x533.jpg', width: 800 },
      { name: 'w2400', href: 'https://gazette.example.org/wp-content/uploads/2024/06/lifeboat.jpg', width: 2400 },
    ]);
    expect(assoc[1]).toMatchObject({ type: 'video', headlines: [{ role: 'main', value: 'Rescue footage' }], renditions: [{ name: 'player', href: 'https://www.youtube.com/embed/AbCdEf12345', contentType: 'text/html', width: 560, height: 315 }] });
    expect(assoc[2]).toMatchObject({ headlines: [{ role: 'main', value: 'Harbour at dawn' }], descriptions: [{ role: 'caption', value: 'The harbour at dawn before the call-out.' }] });
    expect(assoc[2]!.renditions[0].href).toBe('https://gazette.example.org/wp-content/uploads/2024/06/harbour-dawn.jpg');
    expect(sunset).toMatchObject({ type: 'picture', headlines: [{ role: 'main', value: 'Sunset over the breakwater' }] });
    expect(sunset!.renditions[0].href).toBe('https://gazette.example.org/wp-content/uploads/2024/06/sunset.jpg');
    expect(sunset!.bodies).toBeUndefined();
  });

  it('e-mail: an inline (cid) picture is an association with its alt text as caption; a message with only a picture is a picture item', () => {
    const [mail] = stories('samples/email-inline-picture.eml');
    expect(mail!.type).toBe('text');
    expect(mail!.images).toEqual([expect.objectContaining({ caption: 'Traffic crosses the reopened bridge on Thursday.', embedded: expect.objectContaining({ contentType: 'image/png' }) })]);
    expect(mail!.body).toHaveLength(2);
    const [photo] = stories('samples/email-picture-only.eml');
    expect(photo).toMatchObject({ type: 'picture', headline: 'PHOTO: Flood waters recede in Valencia', source: 'example-agency' });
    expect(photo!.images[0]).toMatchObject({ self: true, embedded: { contentType: 'image/png' } });
  });

  it('ninjs and AP HTML bodies: a bare in-body picture and a <video> with its sources become associations', () => {
    const html = '<p>The mayor opened the new tram line on Monday, the city said.</p><p><img src="https://img.example.com/tram.jpg" alt="The first tram leaves the depot" width="1600" height="900"></p><video poster="https://img.example.com/tram-poster.jpg"><source src="https://video.example.com/tram.mp4" type="video/mp4"><source src="https://video.example.com/tram.webm" type="video/webm"></video>';
    const [doc] = ninjs({ text: JSON.stringify({ uri: 'urn:x:tram', headline: 'New tram line opens', body_html: html }) });
    const assoc = doc!.associations as Ninjs[];
    expect(assoc.map((a) => a.type)).toEqual(['picture', 'video']);
    expect(assoc[1]!.renditions.map((r: Ninjs) => [r.href, r.contentType])).toEqual([
      ['https://video.example.com/tram.mp4', 'video/mp4'],
      ['https://video.example.com/tram.webm', 'video/webm'],
    ]);
    const feed = JSON.parse(readFileSync(join(FIXTURES, 'samples/ap-media-feed.json'), 'utf8')) as { data: { items: Array<{ item: Record<string, unknown> }> } };
    Object.assign(feed.data.items[0]!.item, { body_html: html });
    const [ap] = stories({ text: JSON.stringify(feed) });
    expect(ap!.images.map((i) => i.type ?? 'picture')).toEqual(['picture', 'video']);
  });

  it('a text sent only by reference keeps the link as its rendition', () => {
    const [, , byReference] = ninjs('samples/ninjs-search-envelope.json');
    expect(byReference!.renditions).toEqual([{ name: 'nitf', href: 'https://content.example-newsroom.dk/item/2024-0311-nitf-only.xml', contentType: 'application/nitf+xml' }]);
    const [ap] = ninjs('samples/ap-media-feed.json');
    expect((ap!.renditions as Ninjs[]).map((r) => r.href)).toContain('https://api.ap.org/media/v/content/0001.0/download?type=text&format=NITF');
  });
});

describe('11. the IPTC samples that were known gaps', () => {
  it('the news package gives its four items and a composite whose associations are those items', () => {
    const docs = ninjs('newsml-g2/iptc-spec/LISTING_24_News_Message_conveying_a_complete_News_Package.xml');
    expect(docs).toHaveLength(5);
    const pkg = docs[4]!;
    expect(pkg.type).toBe('composite');
    expect((pkg.associations as Ninjs[]).map((a) => a.uri)).toEqual(docs.slice(0, 4).map((d) => d.uri));
  });

  it('the hop history and the AP metadata example convert', () => {
    const [hop] = ninjs('newsml-g2/iptc-spec/LISTING_29_Hop_History.xml');
    expect(hop!.infoSources).toContainEqual({ name: 'Thomson Reuters', role: 'originator' });
    const [ap] = ninjs('newsml-g2/iptc-spec/ap_metadata_example.xml');
    expect(ap).toMatchObject({ type: 'video', organisations: [{ name: 'Volkswagen AG', symbols: [{ symbol: 'VOW3', exchange: 'XETRA' }] }] });
    expect(ap!.places[0]).toMatchObject({ name: 'Kentucky', geoJSON: { type: 'Point' } });
  });
});
