import iconv from 'iconv-lite';
import { err, ok, type Result } from '@wire/schema';
import { normalizeError, type NormalizeError } from './errors';

export interface Decoded {
  text: string;
  /** The charset the bytes were read as (`utf-8`, `windows-1252`, …). */
  charset: string;
  warnings: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Charset names that mean "UTF-8" or its ASCII subset. */
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'unicode-1-1-utf-8']);
// Legacy labels that are really windows-1252 on the wire (the WHATWG encoding standard does the same).
const CP1252_NAMES = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'cp819', 'ibm819', 'iso_8859-1', 'windows-1252', 'cp1252', 'x-cp1252']);

/**
 * Finds a charset the document declares for itself: the envelope content type, an XML
 * declaration, an HTML `<meta charset>` / `http-equiv`, or an e-mail `Content-Type` header.
 * Only the first 2 KB are looked at (read as ASCII).
 */
function declaredCharset(head: string, contentType?: string): string | undefined {
  const fromType = contentType && /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType);
  if (fromType?.[1]) return fromType[1].toLowerCase();
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (xml?.[1]) return xml[1].toLowerCase();
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  if (meta?.[1]) return meta[1].toLowerCase();
  const mail = /^content-type:[^\n]*charset\s*=\s*"?([\w.:-]+)/im.exec(head);
  if (mail?.[1]) return mail[1].toLowerCase();
  return undefined;
}

/**
 * Bytes → text. Order: a BOM decides; then a declared charset (envelope, XML declaration, HTML
 * meta, mail header); otherwise strict UTF-8, falling back to windows-1252 (the superset of
 * Latin-1 that legacy wire systems really send) with a warning. Binary input (NUL bytes outside
 * UTF-16) is refused with `WIRE_ERR_INVALID_UTF8`. Mojibake from UTF-8 read as CP1252 is repaired.
 */
export function decodeInput(input: Uint8Array | string, contentType?: string): Result<Decoded, NormalizeError> {
  if (typeof input === 'string') {
    const { text, repaired } = repairMojibake(input.charCodeAt(0) === 0xfeff ? input.slice(1) : input);
    return ok({ text, charset: 'utf-16', warnings: repaired ? ['text: repaired mojibake (UTF-8 read as windows-1252)'] : [] });
  }
  const bytes = input;
  const warnings: string[] = [];
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return finish(utf8Lenient.decode(bytes.subarray(3)), 'utf-8', warnings, hasInvalidUtf8(bytes.subarray(3)));
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const le = bytes[0] === 0xff;
    return finish(new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2)), le ? 'utf-16le' : 'utf-16be', warnings, false);
  }
  if (looksBinary(bytes)) {
    return err(normalizeError('WIRE_ERR_INVALID_UTF8', { reason: 'input: binary data (NUL bytes), not a text document', where: `byte ${bytes.indexOf(0)}` }));
  }
  const head = latin1Head(bytes);
  const declared = declaredCharset(head, contentType);
  if (declared && !UTF8_NAMES.has(declared)) {
    const name = CP1252_NAMES.has(declared) ? 'windows-1252' : declared;
    if (!iconv.encodingExists(name)) {
      warnings.push(`charset: declared "${declared}" is unknown; read as UTF-8`);
    } else {
      // A document that declares Latin-1 but is valid non-ASCII UTF-8 is mislabelled: trust the bytes.
      if (name === 'windows-1252' && isValidUtf8(bytes) && hasNonAscii(bytes)) {
        warnings.push(`charset: declared "${declared}" but the bytes are UTF-8; read as UTF-8`);
        return finish(utf8Lenient.decode(bytes), 'utf-8', warnings, false);
      }
      return finish(iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name), name, warnings, false);
    }
  }
  try {
    return finish(utf8.decode(bytes), 'utf-8', warnings, false);
  } catch {
    // Not UTF-8. Declared UTF-8 with a handful of bad bytes: keep the text, mark the damage.
    if (declared && UTF8_NAMES.has(declared)) {
      const text = utf8Lenient.decode(bytes);
      const bad = (text.match(/\uFFFD/g) ?? []).length;
      if (bad * 50 > text.length) {
        return err(normalizeError('WIRE_ERR_INVALID_UTF8', { reason: `input: declared ${declared} but ${bad} byte sequences are not valid UTF-8`, where: `byte ${firstInvalidUtf8(bytes)}` }));
      }
      warnings.push(`charset: ${bad} invalid UTF-8 sequence(s) replaced with U+FFFD (first at byte ${firstInvalidUtf8(bytes)})`);
      return finish(text, 'utf-8', warnings, false);
    }
    warnings.push(`charset: not valid UTF-8 (first bad byte at ${firstInvalidUtf8(bytes)}); read as windows-1252`);
    return finish(iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'windows-1252'), 'windows-1252', warnings, false);
  }
}

function finish(text: string, charset: string, warnings: string[], replaced: boolean): Result<Decoded, NormalizeError> {
  if (replaced) warnings.push('charset: invalid UTF-8 sequences replaced with U+FFFD');
  const r = repairMojibake(text);
  if (r.repaired) warnings.push('text: repaired mojibake (UTF-8 read as windows-1252)');
  return ok({ text: r.text, charset, warnings });
}

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

function latin1Head(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 2048)).toString('latin1');
}

function hasNonAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) >= 0x80) return true;
  return false;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function hasInvalidUtf8(bytes: Uint8Array): boolean {
  return !isValidUtf8(bytes);
}

/** Offset of the first byte that breaks UTF-8 (for error messages). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

// --- mojibake -------------------------------------------------------------------------------

/** char → byte for windows-1252 (C1 controls map to themselves, as Latin-1 readers produce them). */
const CP1252_BYTE = new Map<string, number>();
{
  const table = iconv.decode(Buffer.from(Array.from({ length: 128 }, (_, i) => i + 128)), 'windows-1252');
  for (let i = 0; i < 128; i++) {
    const ch = table[i];
    if (ch && ch !== '\uFFFD') CP1252_BYTE.set(ch, i + 128);
    CP1252_BYTE.set(String.fromCharCode(i + 128), i + 128);
  }
}
const CONT_CHARS = [...CP1252_BYTE.entries()].filter(([, b]) => b >= 0x80 && b <= 0xbf).map(([c]) => c);
const CONT = `[${CONT_CHARS.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`;
// A lead byte (0xC2–0xF4 read as Latin-1/CP1252) followed by 1–3 continuation bytes, repeated.
const MOJIBAKE = new RegExp(`(?:[\\u00C2-\\u00F4]${CONT}{1,3})+`, 'g');
const MOJIBAKE_TEST = new RegExp(`[\\u00C2-\\u00F4]${CONT}`);

/**
 * Repairs UTF-8 text that was decoded as windows-1252/Latin-1 somewhere upstream ("â€™" → "’",
 * "Ã©" → "é"). Each suspicious run is re-encoded and decoded strictly as UTF-8; runs that do not
 * decode cleanly are left alone, so real Latin-1 text is never damaged.
 */
export function repairMojibake(text: string): { text: string; repaired: boolean } {
  if (!MOJIBAKE_TEST.test(text)) return { text, repaired: false };
  let repaired = false;
  const out = text.replace(MOJIBAKE, (run) => {
    const bytes = new Uint8Array(run.length);
    for (let i = 0; i < run.length; i++) {
      const b = CP1252_BYTE.get(run[i] ?? '') ?? run.charCodeAt(i);
      if (b > 0xff) return run;
      bytes[i] = b;
    }
    try {
      const fixed = utf8.decode(bytes);
      repaired = true;
      return fixed;
    } catch {
      return run;
    }
  });
  return { text: out, repaired };
}
