import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../draft';
import { input, sample } from './fixtures.testutil';
import { detect, parse } from './iptc7901';

const ok = (text: string) => {
  const r = parse(input(text));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};

describe('IPTC 7901 and ANPA 1312', () => {
  it('detects the control-character framing', () => {
    expect(detect(sample('iptc7901-dpa.txt'))).toBe(true);
    expect(detect(sample('anpa1312-two-messages.txt'))).toBe(true);
    expect(detect('Plain text story\n\nwith paragraphs')).toBe(false);
  });

  it('IPTC 7901: header fields, keyword line, headline ending in " =", indented paragraphs, trailer date', () => {
    const [d, ...rest] = ok(sample('iptc7901-dpa.txt'));
    expect(rest).toHaveLength(0);
    expect(d).toMatchObject({
      format: 'iptc7901',
      urgency: 4,
      slugline: 'Bundestag/Haushalt/',
      headline: 'Bundestag beschließt Haushalt 2024',
      versionCreated: '2024-02-02T15:30:00.000Z',
      infoSources: [{ name: 'dpa', role: 'originator' }],
      subjects: [{ code: 'pl', name: 'pl', scheme: 'iptc7901-category' }],
      bodyText: ['Berlin (dpa) - Der Bundestag hat am Freitag den Haushalt für das Jahr 2024 beschlossen.', 'Die Opposition stimmte dagegen, die Koalition sprach von einem »soliden Etat«.'],
    });
    expect(d?.guid).toBe('dpa:Bundestag/Haushalt/:2024-02-02');
    // no control characters and no trailer lines in the text
    // eslint-disable-next-line no-control-regex
    expect(JSON.stringify(d?.bodyText)).not.toMatch(/[\u0000-\u0008]|dpa xy yz|021530/);
  });

  it('reads CR CR LF line ends (old serial lines) like CR LF', () => {
    const [a] = ok(sample('iptc7901-dpa.txt'));
    const [b] = ok(sample('iptc7901-dpa.txt').replace(/\r\n/g, '\r\r\n'));
    expect(b?.bodyText).toEqual(a?.bodyText);
    expect(b?.headline).toBe(a?.headline);
  });

  it('ANPA 1312: two messages give two stories; priority, lead version, ^ header lines, byline, transmission time', () => {
    const [a, b] = ok(sample('anpa1312-two-messages.txt'));
    expect(a).toMatchObject({
      format: 'anpa1312',
      urgency: 3,
      version: 2,
      slugline: 'BC-Storm-Gulf',
      headline: 'Storm hits Gulf Coast, thousands without power',
      bylines: ['By JOHN ROE, Associated Press Writer'],
      versionCreated: '2024-03-20T22:45:00.000Z',
      guid: 'anpa:BC-Storm-Gulf:2024:03-20',
    });
    expect(a?.bodyText).toEqual([
      'GULFPORT, Miss. (AP) — A storm made landfall on Wednesday, knocking out power to thousands of homes along the coast.',
      'Utility crews worked through the night.',
      '“We have never seen anything like it,” one resident said.',
    ]);
    expect(a?.ednotes).toContain('Eds: UPDATES with power outages, quotes.');
    expect(b).toMatchObject({ headline: 'Stocks end higher', version: 1, urgency: 5, bodyText: ['NEW YORK (AP) — Stocks closed higher on Wednesday.'], dateline: 'NEW YORK (AP) —' });
  });

  it('typed errors: nothing framed, no headline, too many messages', () => {
    const r1 = parse(input('\u0001\u0002\u0003'));
    expect(!r1.ok && r1.error.code).toBe('WIRE_ERR_EMPTY');
    const r2 = parse(input('\u0001dpa0001 4 pl 0001\r\n\u0002\r\n\r\n\u0003'));
    expect(!r2.ok && r2.error.code).toBe('WIRE_ERR_NO_HEADLINE');
    expect(!r2.ok && r2.error.message).toContain('IPTC 7901');
    const r3 = parse({ text: sample('anpa1312-two-messages.txt'), limits: { ...DEFAULT_LIMITS, maxBytes: 1e6, maxItems: 1 } });
    expect(!r3.ok && r3.error.code).toBe('WIRE_ERR_TOO_MANY_ITEMS');
    const flood = parse(input('\u0001'.repeat(4 * 1024 * 1024)));
    expect(!flood.ok && flood.error.code).toBe('WIRE_ERR_TOO_MANY_ITEMS');
  });

  it('never throws on arbitrary input', () => {
    const piece = fc.oneof(fc.constantFrom('\u0001', '\u0002', '\u0003', '\u0004', '\u0016', '\r\n', '^', '<', '=', '   ', 'a0123 r a BC-X 03-20 0100', 'dpa0001 4 pl 0001', '021530 Feb 24', 'AP-NY-13-45-24 2599EST'), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const r = parse(input(parts.join('')));
        if (!r.ok) expect(r.error.code).toMatch(/^WIRE_ERR_(?!INTERNAL)/);
      }),
      { numRuns: 800 },
    );
  });
});
