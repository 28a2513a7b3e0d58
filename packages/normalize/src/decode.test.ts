import { describe, expect, it } from 'vitest';
import { decodeInput, repairMojibake } from './decode';

const bytes = (s: string, enc: BufferEncoding = 'utf8'): Uint8Array => new Uint8Array(Buffer.from(s, enc));

function decoded(input: Uint8Array | string, contentType?: string): { text: string; charset: string; warnings: string[] } {
  const r = decodeInput(input, contentType);
  if (!r.ok) throw r.error;
  return r.value;
}

describe('decodeInput', () => {
  it('reads UTF-8, with or without a BOM', () => {
    expect(decoded(bytes('Kim ‘strategic’ – ok')).text).toBe('Kim ‘strategic’ – ok');
    expect(decoded(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('Seoul')])).text).toBe('Seoul');
  });

  it('reads UTF-16 with a BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Café', 'utf16le')]);
    expect(decoded(new Uint8Array(le)).text).toBe('Café');
  });

  it('falls back to windows-1252 for bytes that are not UTF-8, with a warning', () => {
    const d = decoded(new Uint8Array([0x93, 0x48, 0x69, 0x94, 0x20, 0x63, 0x61, 0x66, 0xe9]));
    expect(d.text).toBe('“Hi” café');
    expect(d.charset).toBe('windows-1252');
    expect(d.warnings[0]).toMatch(/not valid UTF-8 \(first bad byte at 0\)/);
  });

  it('follows a declared legacy charset (XML declaration, HTML meta, content type)', () => {
    expect(decoded(bytes('<?xml version="1.0" encoding="ISO-8859-1"?><nitf>caf\xe9</nitf>', 'latin1')).text).toContain('café');
    expect(decoded(bytes('<meta charset="iso-8859-15"><p>\xa4 5</p>', 'latin1')).text).toContain('€ 5');
    expect(decoded(bytes('caf\xe9', 'latin1'), 'text/plain; charset=latin1').text).toBe('café');
  });

  it('trusts the bytes when a Latin-1 label sits on valid UTF-8', () => {
    const d = decoded(bytes('<?xml version="1.0" encoding="ISO-8859-1"?><p>café ‘x’</p>'));
    expect(d.text).toContain('café ‘x’');
    expect(d.warnings[0]).toContain('read as UTF-8');
  });

  it('refuses binary data and mostly-broken declared UTF-8 with WIRE_ERR_INVALID_UTF8', () => {
    const bin = decodeInput(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0, 0x01]));
    expect(!bin.ok && bin.error.code).toBe('WIRE_ERR_INVALID_UTF8');
    const broken = decodeInput(new Uint8Array([...bytes('<?xml version="1.0" encoding="UTF-8"?>'), ...Array.from({ length: 100 }, () => 0xff)]));
    expect(!broken.ok && broken.error.code).toBe('WIRE_ERR_INVALID_UTF8');
    expect(!broken.ok && broken.error.message).toMatch(/at byte 38/);
  });

  it('keeps declared UTF-8 with a stray bad byte, marking the damage', () => {
    const d = decoded(new Uint8Array([...bytes('<?xml version="1.0" encoding="utf-8"?><p>A long enough paragraph of text '), 0xff, ...bytes(' with one bad byte.</p>')]));
    expect(d.text).toContain('\uFFFD');
    expect(d.warnings.join()).toContain('1 invalid UTF-8 sequence');
  });
});

describe('repairMojibake', () => {
  it('repairs UTF-8 read as windows-1252', () => {
    expect(repairMojibake('Northâ€™s â€œclear manifestationâ€\u009d and SÃ£o Paulo cafÃ©').text).toBe('North’s “clear manifestation” and São Paulo café');
  });

  it('repairs only runs that decode as UTF-8, leaving real Latin-1 text alone', () => {
    expect(repairMojibake('naïve café, Ångström, Â£5').text).toBe('naïve café, Ångström, £5');
    expect(repairMojibake('Ã alone stays').text).toBe('Ã alone stays');
    expect(repairMojibake('Ãx and Ã© stay apart: Ã').text).toBe('Ãx and é stay apart: Ã');
  });
});
