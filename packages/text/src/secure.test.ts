import { describe, expect, it } from 'vitest';
import { bodyProblems, HOSTILE_LINKS, HOSTILE_TEXT, textProblems } from './markup.testutil';
import { secureStory } from './secure';

const story = (v: string, link: string) => ({
  uri: 'urn:wire:x:1',
  guid: '1',
  headline: `Headline ${v}`,
  bylines: [{ name: `Kim ${v}`, role: v, email: link }],
  body: [`Para ${v}`],
  bodyHtml: `<p>Para ${v} <a href="${link.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">x</a></p>`,
  images: [{ caption: v, credit: v, alt: v, sourceUrl: link, embedded: { base64: 'AAAA<script>' }, renditions: [{ name: v, key: 'k', href: link }] }],
  subjects: [{ code: v, name: v, scheme: v }],
  keywords: [v, 'kept'],
  infoSources: [{ name: v, uri: link }],
  altIds: [{ type: 'x', value: link }, { type: 'y', value: 'tag:ap.org,2024:1' }],
  people: [{ name: v, contactInfo: [{ type: 'web', value: link }, { type: 'phone', value: `+1 555 ${v}` }] }],
  contentHash: '<not text>',
  translationOf: { uri: link, version: 1 },
  warnings: [`w ${v}`],
});

describe('secureStory: the last pass over a finished story', () => {
  it.each(HOSTILE_TEXT.flatMap((v, i) => [[v, HOSTILE_LINKS[i % HOSTILE_LINKS.length]!] as const]))('cleans every field of a story carrying %j and link %j', (v, link) => {
    const s = secureStory(story(v, link));
    const seen: string[] = [];
    const check = (value: unknown, path: string): void => {
      if (typeof value === 'string') {
        seen.push(path);
        if (path === 'bodyHtml') expect(bodyProblems(value), path).toEqual([]);
        else if (path === 'contentHash' || path.endsWith('base64')) return;
        else expect(textProblems(value), `${path}: ${value}`).toEqual([]);
        if (/(^|\.)(uri|href|sourceUrl)$/.test(path)) expect(value).toMatch(/^(https?:|urn:)/);
      } else if (Array.isArray(value)) value.forEach((x, i) => check(x, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [k, x] of Object.entries(value)) check(x, path ? `${path}.${k}` : k);
    };
    check(s, '');
    // Every link went, each with a warning naming its field and not its value.
    expect(s.infoSources[0]).not.toHaveProperty('uri');
    expect(s.images[0]).not.toHaveProperty('sourceUrl');
    expect(s.images[0]!.renditions[0]).not.toHaveProperty('href');
    expect(s.bylines[0]).not.toHaveProperty('email');
    expect(s.translationOf).not.toHaveProperty('uri');
    expect(s.people[0]!.contactInfo.map((c) => c.type)).toEqual(['phone']);
    expect(s.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^infoSources\[0\]\.uri: .*; dropped$/), expect.stringMatching(/^images\[0\]\.sourceUrl: /), expect.stringMatching(/^bylines\[0\]\.email: /)]));
    for (const w of s.warnings) expect(w).not.toContain(link.trim() || '\u0000');
    // Opaque values are left alone; plain identifiers stay.
    expect(s.contentHash).toBe('<not text>');
    expect(s.images[0]!.embedded.base64).toBe('AAAA<script>');
    expect(s.keywords).toContain('kept');
    expect(s.altIds.map((a) => a.type)).toContain('y');
  });

  it('drops an alternative id with an active scheme, keeps the others, and leaves a clean story as it is', () => {
    const clean = {
      headline: 'AT&T <UAL> rose',
      bodyHtml: '<p>Hi <a href="https://x.example/">x</a></p>',
      altIds: [{ type: 'a', value: 'javascript:alert(1)' }, { type: 'b', value: 'dpa:1' }],
      infoSources: [{ name: 'AP', uri: 'https://ap.org/' }],
      warnings: [],
    };
    const s = secureStory(structuredClone(clean));
    expect(s.altIds).toEqual([{ type: 'b', value: 'dpa:1' }]);
    expect(s.warnings).toEqual(['altIds[0].value: scheme "javascript" is not allowed in an identifier; dropped']);
    expect({ ...s, altIds: clean.altIds, warnings: [] }).toEqual(clean);
  });

  it("checks every guid as an identifier: an entry named by one with an active scheme goes whole, the story's own is removed", () => {
    const s = secureStory({
      guid: 'javascript:alert(1)',
      headline: 'Hi <b>there</b>',
      members: [{ guid: 'urn:wire:x:2', headline: 'Kept' }, { guid: 'data:text/html,x', headline: 'Gone' }],
      images: [{ guid: 'tag:ap.org,2024:p1', caption: 'Kept' }, { guid: 'vbscript:x', caption: 'Gone' }],
      warnings: [],
    });
    expect(s.members).toEqual([{ guid: 'urn:wire:x:2', headline: 'Kept' }]);
    expect(s.images).toEqual([{ guid: 'tag:ap.org,2024:p1', caption: 'Kept' }]);
    // A failing guid at the top does not stop the walk: the headline after it is still cleaned.
    expect(s).not.toHaveProperty('guid');
    expect(s.headline).toBe('Hi there');
    expect(s.warnings).toEqual([
      'guid: scheme "javascript" is not allowed in an identifier; dropped',
      'headline: markup removed',
      'members[1].guid: scheme "data" is not allowed in an identifier; dropped',
      'images[1].guid: scheme "vbscript" is not allowed in an identifier; dropped',
    ]);
  });

  it("drops a source's rendition whose href fails, and keeps a stored rendition without its href", () => {
    const s = secureStory({
      sourceRenditions: [{ name: 'nitf', href: 'https://api.example/a' }, { name: 'bad', href: 'file:///etc/passwd' }],
      images: [{ renditions: [{ name: 'main', key: 'media/a.jpg', href: 'javascript:x' }], sourceRenditions: [{ name: 'thumb', href: '/relative' }] }],
      warnings: [],
    });
    expect(s.sourceRenditions).toEqual([{ name: 'nitf', href: 'https://api.example/a' }]);
    expect(s.images).toEqual([{ renditions: [{ name: 'main', key: 'media/a.jpg' }], sourceRenditions: [] }]);
    expect(s.warnings).toEqual([
      'sourceRenditions[1].href: scheme "file" is not allowed; dropped',
      'images[0].renditions[0].href: scheme "javascript" is not allowed; dropped',
      'images[0].sourceRenditions[0].href: not an absolute URI; dropped',
    ]);
  });

  it('says so when it had to remove markup from plain text', () => {
    expect(secureStory({ headline: 'Hi <b>there</b>', warnings: [] })).toEqual({ headline: 'Hi there', warnings: ['headline: markup removed'] });
  });

  it('notes any number of values (a flood of two hundred thousand keywords with markup)', () => {
    const story = secureStory({ keywords: Array.from({ length: 200_000 }, (_, i) => `<b>k${i}</b>`), warnings: [] });
    expect(story.keywords[199_999]).toBe('k199999');
    expect(story.warnings).toHaveLength(200_000);
  });
});
