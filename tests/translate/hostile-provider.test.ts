import { afterEach, describe, expect, it } from 'vitest';
import { createLibreTranslateTranslator, createStoryTranslator, createTranslationRouter } from '@wire/translate';
import { bodyProblems, HOSTILE_TEXT, textProblems } from '@wire/text/testing';
import { yonhapStory } from './helpers';
import { startLibreTranslate } from './provider-servers';

const open: Array<{ close(): Promise<void> }> = [];
const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** A story translated by a real (local) LibreTranslate server that adds `tamper`'s output to every answer. */
async function translateWith(tamper: (translated: string, format: 'text' | 'html') => string) {
  const server = track(await startLibreTranslate({ tamper }));
  const router = createTranslationRouter({ providers: [track(createLibreTranslateTranslator({ url: server.url }))], routes: { 'en>es': ['libretranslate'] } });
  return createStoryTranslator({ router }).translate(yonhapStory(), 'es');
}

/** What a partner would be hurt by in a variant: markup in plain text, anything outside the body subset. */
function variantProblems(v: Awaited<ReturnType<typeof translateWith>>['variant']): string[] {
  return [
    ...bodyProblems(v.bodyHtml).map((p) => `bodyHtml: ${p}`),
    ...[v.headline, v.subheadline ?? '', ...v.body, ...v.images.map((i) => i.caption ?? '')].flatMap((t) => textProblems(t).map((p) => `${t}: ${p}`)),
  ];
}

describe('what a translation engine sends back passes the one sanitizer', () => {
  it.each(HOSTILE_TEXT)('an engine adding %j to every text and every HTML block: the variant is clean', async (vector) => {
    const { variant, provider } = await translateWith((t, format) => (format === 'html' ? t.replace(/<\/p>$/, ` ${vector}</p>`) : `${t} ${vector}`));
    expect(provider).toBe('libretranslate');
    expect(variantProblems(variant)).toEqual([]);
    // The translation itself came through: the engine's dictionary words are there.
    expect(variant.body.join(' ')).toMatch(/perro/);
    expect(variant.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops the engine’s links with other schemes and its event handlers, and says so', async () => {
    const { variant } = await translateWith((t, format) =>
      format === 'html' ? t.replace(/^<p>/, '<p onclick="alert(1)"><a href="javascript:alert(1)">a</a> <a href="https://ok.example/">b</a> ') : `${t} <b onmouseover=alert(1)>!</b>`,
    );
    expect(variant.bodyHtml).not.toMatch(/onclick|javascript/);
    expect(variant.bodyHtml).toContain('<a href="https://ok.example/">b</a>');
    expect(variant.headline).not.toMatch(/[<>]|onmouseover/);
    expect(variant.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^bodyHtml: link dropped from the libretranslate translation \(scheme "javascript" is not allowed\)$/), 'headline: markup removed']));
  });

  it('escapes nothing twice and decodes nothing twice', async () => {
    const { variant } = await translateWith((t, format) => (format === 'html' ? t.replace(/<\/p>$/, ' AT&amp;T &amp;lt;b&amp;gt;</p>') : `${t} AT&T &lt;b&gt;`));
    // HTML from the engine: escaped once in the body, decoded once in the plain text.
    expect(variant.bodyHtml).toContain('AT&amp;T &amp;lt;b&amp;gt;</p>');
    expect(variant.body[0]).toMatch(/AT&T &lt;b&gt;$/);
    // Plain text from the engine is text already: nothing is decoded.
    expect(variant.headline).toMatch(/AT&T &lt;b&gt;$/);
    expect(variant.warnings.filter((w) => /markup|dropped/.test(w))).toEqual([]);
  });
});
