import { describe, expect, it } from 'vitest';
import { planBatches, splitLongText, translateInBatches } from './chunk';

describe('splitLongText', () => {
  it('cuts at sentence ends within the limit and loses no words', () => {
    const text = 'One two three. Four five six. Seven eight nine.';
    const pieces = splitLongText(text, 'text', 20);
    expect(pieces.every((p) => p.length <= 20)).toBe(true);
    expect(pieces.join(' ')).toBe(text);
    expect(pieces[0]).toBe('One two three.');
  });

  it('never cuts inside an HTML element', () => {
    const html = '<p>Alpha beta. <b>gamma delta. epsilon.</b> Zeta eta.</p> <p>Theta iota.</p>';
    const pieces = splitLongText(html, 'html', 60);
    expect(pieces).toEqual(['<p>Alpha beta. <b>gamma delta. epsilon.</b> Zeta eta.</p>', '<p>Theta iota.</p>']);
  });

  it('counts UTF-8 bytes when the provider does', () => {
    const text = 'ñandú ñandú ñandú ñandú';
    const pieces = splitLongText(text, 'text', 1000, 14);
    expect(pieces.every((p) => Buffer.byteLength(p) <= 14)).toBe(true);
    expect(pieces.join(' ')).toBe(text);
  });
});

describe('planBatches', () => {
  it('packs same-format texts within text and character limits', () => {
    const segs = [
      { text: 'aaaa', format: 'text' as const },
      { text: '<p>b</p>', format: 'html' as const },
      { text: 'cccc', format: 'text' as const },
      { text: '', format: 'text' as const },
      { text: 'dddd', format: 'text' as const },
    ];
    const batches = planBatches(segs, { maxTextsPerRequest: 2, maxCharsPerRequest: 100 });
    expect(batches.map((b) => [b.format, b.owners])).toEqual([
      ['text', [0, 2]],
      ['html', [1]],
      ['text', [4]],
    ]);
    const mixed = planBatches(segs, { maxTextsPerRequest: 10, maxCharsPerRequest: 100, mixedFormats: true });
    expect(mixed.map((b) => [b.owners, b.formats])).toEqual([[[0, 1, 2, 4], ['text', 'html', 'text', 'text']]]);
  });

  it('reassembles split segments in order', async () => {
    const segs = [{ text: 'One. Two. Three.', format: 'text' as const }, { text: 'Four.', format: 'text' as const }];
    const out = await translateInBatches(segs, { maxTextsPerRequest: 1, maxCharsPerRequest: 6 }, 3, async (texts) => texts.map((t) => t.toUpperCase()));
    expect(out).toEqual(['ONE. TWO. THREE.', 'FOUR.']);
  });
});
