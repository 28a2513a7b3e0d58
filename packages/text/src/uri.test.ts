import { describe, expect, it } from 'vitest';
import { HOSTILE_LINKS } from './markup.testutil';
import { checkEmail, checkIdentifier, checkUri, effectiveScheme } from './uri';

describe('checkUri', () => {
  it('allows absolute http, https and urn links, serializing http(s) as the URL parser does', () => {
    expect(checkUri('https://example.com/a b?q="x"')).toEqual({ ok: true, uri: 'https://example.com/a%20b?q=%22x%22' });
    expect(checkUri(' HTTP://Example.COM/x ')).toEqual({ ok: true, uri: 'http://example.com/x' });
    expect(checkUri('urn:newsml:dpa.com:20090101:190510-99-167362')).toEqual({ ok: true, uri: 'urn:newsml:dpa.com:20090101:190510-99-167362' });
  });

  it.each(HOSTILE_LINKS)('refuses %j as a link and as contact details', (link) => {
    expect(checkUri(link).ok).toBe(false);
    expect(checkUri(link, 'contact').ok).toBe(false);
  });

  it('sees the scheme a browser would act on', () => {
    expect(effectiveScheme('java&#x9;script&colon;alert(1)')).toBe('javascript');
    expect(effectiveScheme(' \u0000\u001fJAVASCRIPT:x')).toBe('javascript');
    expect(effectiveScheme('/path:with-colon')).toBeUndefined();
  });

  it('refuses what it cannot emit as checked: a scheme spelled with entities, a broken URL, a urn without a namespace, odd characters', () => {
    expect(checkUri('ht&#116;p://example.com/')).toMatchObject({ ok: false, reason: 'scheme written with entities or control characters' });
    expect(checkUri('http://')).toMatchObject({ ok: false });
    expect(checkUri('urn:x')).toMatchObject({ ok: false, reason: 'not a urn' });
    expect(checkUri('urn:x:<script>')).toMatchObject({ ok: false, reason: 'characters not allowed in a URI' });
  });

  it('allows mailto for contact details only', () => {
    expect(checkUri('mailto:desk@agency.example').ok).toBe(false);
    expect(checkUri('mailto:desk@agency.example', 'contact')).toEqual({ ok: true, uri: 'mailto:desk@agency.example' });
    expect(checkUri('mailto:javascript:alert(1)', 'contact').ok).toBe(false);
  });
});

describe('checkIdentifier and checkEmail', () => {
  it("keeps agencies' own id prefixes and refuses active schemes however spelled", () => {
    for (const id of ['tag:ap.org,2024:123', 'dpa:Bundestag/Haushalt/:2024-02-02', 'sha256:0f76d9b5', 'urn:newsml:x:1', 'AEN20240429000100315', 'http://tt.se/media/text/1']) {
      expect(checkIdentifier(id)).toEqual({ ok: true });
    }
    for (const id of HOSTILE_LINKS.filter((l) => /script|data|file|about/i.test(l))) expect(checkIdentifier(id).ok, id).toBe(false);
  });

  it('reads addresses, with or without mailto:, and nothing else', () => {
    expect(checkEmail('Kim.Sarah@JoongAng.co.kr')).toBe('kim.sarah@joongang.co.kr');
    expect(checkEmail('mailto:desk@agency.example')).toBe('desk@agency.example');
    for (const bad of ['javascript:alert(1)', 'a@b', '"><script>@x.y', 'a b@c.d']) expect(checkEmail(bad)).toBeUndefined();
  });
});
