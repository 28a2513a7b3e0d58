import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { input, sample } from './fixtures.testutil';
import { detect, parse } from './email';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('RFC 822 e-mail', () => {
  it('detects a message by its header block', () => {
    expect(detect(sample('email-plain-qp.eml'))).toBe(true);
    expect(detect(sample('email-multipart.eml'))).toBe(true);
    expect(detect('Just some text: with a colon\n\nand more')).toBe(false);
    expect(detect('<nitf/>')).toBe(false);
  });

  it('plain quoted-printable ISO-8859-1: encoded-word subject and sender, Message-ID guid, Date, paragraphs without the signature', () => {
    const [d, ...rest] = ok(sample('email-plain-qp.eml'));
    expect(rest).toHaveLength(0);
    expect(d).toMatchObject({
      format: 'email',
      headline: 'Zürich: Großbrand in der Altstadt',
      guid: '20240305090000.4711@agency.example.de',
      versionCreated: '2024-03-05T09:00:00.000Z',
      language: 'de',
      bylines: [{ name: 'Jürgen Müller', email: 'juergen.mueller@agency.example.de' }],
      bodyText: ['ZÜRICH, 5. März (AE) - In der Züricher Altstadt ist am Dienstagmorgen ein Großbrand ausgebrochen.', 'Die Feuerwehr war mit 80 Einsatzkräften vor Ort.'],
    });
    expect(d?.infoSources?.[0]?.name).toBe('Jürgen Müller');
  });

  it('multipart/mixed with alternative: the base64 HTML wins, its figure and the attached picture become images', () => {
    const [d] = ok(sample('email-multipart.eml'));
    expect(d?.headline).toBe('Talks resume in Geneva');
    expect(d?.guid).toBe('talks-0305@wire.example.org');
    expect(d?.urgency).toBe(2);
    expect(d?.bodyHtml).toBe('<p>GENEVA (Example) — Talks resumed on Tuesday.</p><p>Delegates met for <b>six hours</b>.</p>');
    expect(d?.images).toEqual([
      { caption: 'Delegates arrive. EXAMPLE/Ann Lee', alt: 'Delegates', sourceUrl: 'https://img.example.org/talks.jpg' },
      { embedded: { contentType: 'image/png', base64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' } },
    ]);
  });

  it('decodes RFC 2047 words in the subject (B and Q, adjacent words joined)', () => {
    const [d] = ok('From: a@b.example\nSubject: =?UTF-8?B?U2VvdWwg7ISc7Jq4?= =?utf-8?Q?_news?=\nMessage-ID: <x@b.example>\n\nBody text.');
    expect(d?.headline).toBe('Seoul 서울 news');
  });

  it('typed errors: multipart without boundary, missing subject', () => {
    const r1 = parse(input('From: a@b.c\nSubject: x\nContent-Type: multipart/mixed\n\nbody'));
    expect(!r1.ok && r1.error.code).toBe('WIRE_ERR_MIME_MALFORMED');
    const r2 = parse(input('From: a@b.c\nDate: Tue, 5 Mar 2024 10:00:00 +0100\n\nbody'));
    expect(!r2.ok && r2.error.code).toBe('WIRE_ERR_NO_HEADLINE');
    expect(!r2.ok && r2.error.message).toContain('Subject');
  });

  it('refuses MIME nested deeper than 16 levels', () => {
    let msg = 'Content-Type: text/plain\n\nleaf';
    for (let i = 0; i < 20; i++) msg = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${msg}\n--b${i}--`;
    const r = parse(input(`From: a@b.c\nSubject: deep\n${msg}`));
    expect(!r.ok && r.error.code).toBe('WIRE_ERR_TOO_DEEP');
  });

  it('never throws on arbitrary input', () => {
    const line = fc.constantFrom('From: A <a@b.c>', 'Subject: =?utf-8?B?w6k=?=', 'Content-Type: multipart/alternative; boundary=b', 'Content-Type: text/html; charset=x-unknown', 'Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: base64', '--b', '--b--', '', '=C3=A9=', '<p>x</p>', 'Content-Type: message/rfc822');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(line, { maxLength: 30 }).map((l) => l.join('\n'))), (t) => {
        const r = parse(input(t));
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
      }),
      { numRuns: 500 },
    );
  });
});
