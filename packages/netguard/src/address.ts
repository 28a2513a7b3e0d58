/**
 * IP literals in every spelling a resolver or URL parser accepts, as bytes. `inet_aton` (and so
 * `getaddrinfo`, and the WHATWG URL parser) read `2130706433`, `0177.0.0.1`, `0x7f.1` and
 * `127.1` as 127.0.0.1; a guard that compares strings lets them through. Judging bytes does not.
 */

/** An IP address as 4 or 16 bytes. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * A host as the guard compares it: trimmed, lower case, brackets of an IPv6 literal and one
 * trailing dot removed.
 *
 * @example normalizeHost(' [FE80::1] ') // 'fe80::1'
 */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.') && !h.includes(':')) h = h.slice(0, -1);
  return h;
}

/**
 * Parse an IP literal in any accepted spelling: IPv4 with 1 to 4 parts, each decimal, octal
 * (leading 0) or hex (0x); IPv6 with `::`, an embedded dotted IPv4 tail, brackets and a zone id
 * (`%eth0`, `%25eth0`), which does not change the address. Undefined when `text` is not an IP.
 *
 * @example parseIp('0x7f.1') // { family: 4, bytes: [127, 0, 0, 1] }
 */
export function parseIp(text: string): IpAddress | undefined {
  const s = normalizeHost(text);
  if (s.includes(':')) {
    const zone = s.indexOf('%');
    const bytes = parseIpv6(zone >= 0 ? s.slice(0, zone) : s);
    return bytes && { family: 6, bytes };
  }
  const bytes = parseIpv4(s);
  return bytes && { family: 4, bytes };
}

/** Dotted-quad text of 4 bytes. */
export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** One part of an `inet_aton` address: decimal, octal with a leading 0, hex with 0x. */
function ipv4Part(part: string): number | undefined {
  if (part === '') return undefined;
  let digits = part;
  let radix = 10;
  if (part.startsWith('0x')) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0; // the WHATWG parser reads a bare "0x" as 0
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  const valid = radix === 16 ? /^[0-9a-f]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits) || digits.length > 12) return undefined;
  return parseInt(digits, radix);
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = ipv4Part(part);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  // All parts but the last are one byte; the last fills the remaining bytes (127.1 = 127.0.0.1).
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  let value = last;
  numbers.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return Uint8Array.of(Math.floor(value / 2 ** 24) & 255, Math.floor(value / 2 ** 16) & 255, Math.floor(value / 2 ** 8) & 255, value & 255);
}

/** Strict dotted decimal, as the IPv4 tail of an IPv6 literal must be. */
function parseDottedQuad(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

function parseIpv6(s: string): Uint8Array | undefined {
  let head = s;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const quad = parseDottedQuad(s.slice(lastColon + 1));
    if (!quad) return undefined;
    tail = [(quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!];
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...left, ...right].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const want = 8 - tail.length;
  const given = left.length + right.length;
  if (halves.length === 1 ? given !== want : given > want - 1) return undefined;
  const words = [...left.map((g) => parseInt(g, 16)), ...new Array<number>(want - given).fill(0), ...right.map((g) => parseInt(g, 16)), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 255;
  });
  return bytes;
}
