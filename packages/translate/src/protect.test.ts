import { describe, expect, it } from 'vitest';
import { Protector, buildProtectedTerms, findNames } from './protect';

describe('findNames', () => {
  it('finds person names and trims titles, sentence starts and possessives', () => {
    const names = findNames([
      'Former President Moon Jae-in met Lee Jae-myung in Seoul.',
      "The North Korean leader Kim Jong-un's sister spoke.",
      'The National Assembly of South Korea voted on Monday.',
    ]);
    expect(names).toEqual(expect.arrayContaining(['Moon Jae-in', 'Lee Jae-myung', 'Kim Jong-un']));
    expect(names).not.toContain('National Assembly');
    expect(names).not.toContain('South Korea');
    expect(names.some((n) => n.includes('President') || n.includes("'s"))).toBe(false);
  });
});

describe('Protector', () => {
  it('swaps names for placeholders and puts them back, glossary renderings applied', () => {
    const terms = buildProtectedTerms({
      glossary: [{ term: 'National Assembly', translations: { es: 'Asamblea Nacional' } }],
      names: ['Moon Jae-in'],
      targetLanguage: 'es',
    });
    const p = new Protector(terms);
    const text = p.protect('Moon Jae-in spoke at the National Assembly. Moon left.', 'text');
    expect(text).not.toContain('Moon');
    expect(text).not.toContain('National');
    const ids = p.placeholdersIn(text);
    expect(ids).toHaveLength(3);
    // What an engine does: translate around the placeholders.
    const engine = text.replace('spoke at the', 'habló en la').replace('left', 'se fue');
    expect(p.restore(engine, ids)).toEqual({ text: 'Moon Jae-in habló en la Asamblea Nacional. Moon se fue.', missing: [] });
  });

  it('leaves tags and attributes alone in HTML and reports placeholders the engine lost', () => {
    const p = new Protector(buildProtectedTerms({ names: ['Kim Jong-un'], targetLanguage: 'es' }));
    const html = p.protect('<p title="Kim Jong-un">Kim Jong-un &amp; <b>Kim</b></p>', 'html');
    expect(html).toMatch(/^<p title="Kim Jong-un">\w+_\d+ &amp; <b>\w+_\d+<\/b><\/p>$/);
    const ids = p.placeholdersIn(html);
    const lost = html.replace(/<b>\w+_\d+<\/b>/, '<b></b>');
    expect(p.restore(lost, ids)).toEqual({ text: '<p title="Kim Jong-un">Kim Jong-un &amp; <b></b></p>', missing: ['Kim'] });
  });

  it('does not match inside longer words', () => {
    const p = new Protector(buildProtectedTerms({ names: ['Lee Kim'], targetLanguage: 'es' }));
    expect(p.protect('Kimchi and Leeds', 'text')).toBe('Kimchi and Leeds');
  });
});

describe('findNames punctuation', () => {
  it('does not take a weekday at a sentence end into a name', () => {
    const names = findNames(['A photo provided by Primorsky Krai Region Administration Wednesday. Kim left.']);
    expect(names).toEqual(['Primorsky Krai']);
  });
});

describe('buildProtectedTerms', () => {
  it('protects organisations whole, people whole and word by word', () => {
    const terms = buildProtectedTerms({ names: ['Sarah Kim'], organisations: ['JoongAng Daily'], targetLanguage: 'es' }).map((t) => t.term);
    expect(terms).toEqual(expect.arrayContaining(['JoongAng Daily', 'Sarah Kim', 'Sarah', 'Kim']));
    expect(terms).not.toContain('Daily');
    expect(terms).not.toContain('JoongAng');
  });
});
