/**
 * Every address range an outbound request from the pipeline may not reach unless allowed, and
 * what an allow-list entry can open. Three kinds:
 *
 * - `private`: loopback, private networks, CGNAT, link-local, unique local. An allowed host name
 *   may resolve into these; an allowed address or CIDR opens them for any host.
 * - `special`: documentation and test networks, benchmarking, reserved, NAT64, IPv4-compatible
 *   IPv6, 6to4 and Teredo addresses that embed a non-public IPv4. Only an address or CIDR entry
 *   opens them: no name should resolve there.
 * - `never`: the unspecified address (0.0.0.0 connects to this host), cloud metadata endpoints,
 *   multicast and broadcast. No entry opens them.
 *
 * IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-translated (`::ffff:0:a.b.c.d`) addresses reach the
 * IPv4 they carry, so they are judged as that IPv4 — allow list included.
 */
import { formatIpv4, parseIp, type IpAddress } from './address';

type RangeKind = 'private' | 'special' | 'never';

/** The range an address falls in, when it is not public. */
export interface RangeMatch {
  /** The range as written, e.g. `10.0.0.0/8`. */
  cidr: string;
  /** What it is, e.g. `private network (RFC 1918)`. */
  label: string;
  kind: RangeKind;
}

/** A parsed CIDR. */
export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  bits: number;
}

const TABLE: Array<[cidr: string, label: string, kind: RangeKind]> = [
  ['0.0.0.0/8', 'unspecified / "this network"', 'never'],
  ['10.0.0.0/8', 'private network (RFC 1918)', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (RFC 6598)', 'private'],
  ['100.100.100.200/32', 'cloud metadata endpoint (Alibaba)', 'never'],
  ['127.0.0.0/8', 'loopback', 'private'],
  ['168.63.129.16/32', 'cloud platform endpoint (Azure WireServer)', 'never'],
  ['169.254.0.0/16', 'link-local', 'private'],
  ['169.254.169.254/32', 'cloud metadata endpoint', 'never'],
  ['169.254.170.2/32', 'cloud metadata endpoint (ECS task credentials)', 'never'],
  ['172.16.0.0/12', 'private network (RFC 1918)', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments', 'special'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)', 'special'],
  ['192.88.99.0/24', '6to4 relay anycast (deprecated)', 'special'],
  ['192.168.0.0/16', 'private network (RFC 1918)', 'private'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)', 'special'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)', 'special'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)', 'special'],
  ['224.0.0.0/4', 'multicast', 'never'],
  ['240.0.0.0/4', 'reserved', 'special'],
  ['255.255.255.255/32', 'broadcast', 'never'],
  ['::/128', 'unspecified', 'never'],
  ['::1/128', 'loopback', 'private'],
  ['::/96', 'IPv4-compatible IPv6 (deprecated)', 'special'],
  ['64:ff9b::/96', 'NAT64 (RFC 6052)', 'special'],
  ['64:ff9b:1::/48', 'local-use NAT64 (RFC 8215)', 'special'],
  ['100::/64', 'discard-only (RFC 6666)', 'special'],
  ['2001:2::/48', 'benchmarking (RFC 5180)', 'special'],
  ['2001:10::/28', 'ORCHID (deprecated)', 'special'],
  ['2001:db8::/32', 'documentation (RFC 3849)', 'special'],
  ['3fff::/20', 'documentation (RFC 9637)', 'special'],
  ['fc00::/7', 'unique local (ULA)', 'private'],
  ['fd00:ec2::254/128', 'cloud metadata endpoint (AWS IPv6)', 'never'],
  ['fe80::/10', 'link-local', 'private'],
  ['fec0::/10', 'site-local (deprecated)', 'private'],
  ['ff00::/8', 'multicast', 'never'],
];

/**
 * Host names of metadata services, refused whatever they resolve to (a resolver inside a cloud
 * answers them; outside one, a hostile resolver could).
 */
export const METADATA_HOSTS: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

/**
 * Parse `addr/bits` (or a bare address, as a /32 or /128). Undefined when it is neither.
 *
 * @example parseCidr('10.0.0.0/8') // { family: 4, bytes: [10, 0, 0, 0], bits: 8 }
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, bits: max };
  const rawBits = text.slice(slash + 1).trim();
  if (!/^[0-9]{1,3}$/.test(rawBits) || Number(rawBits) > max) return undefined;
  return { ...ip, bits: Number(rawBits) };
}

/** True when `ip` lies in `net`. */
export function inCidr(ip: IpAddress, net: Cidr): boolean {
  if (ip.family !== net.family) return false;
  const whole = net.bits >> 3;
  for (let i = 0; i < whole; i++) if (ip.bytes[i] !== net.bytes[i]) return false;
  const rest = net.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip.bytes[whole]! & mask) === (net.bytes[whole]! & mask);
}

// Most specific first, so 169.254.169.254/32 (never) wins over 169.254.0.0/16 (private).
const RANGES = TABLE.map(([cidr, label, kind]) => ({ net: parseCidr(cidr)!, match: { cidr, label, kind } })).sort((a, b) => b.net.bits - a.net.bits);

const MAPPED = parseCidr('::ffff:0:0/96')!;
const TRANSLATED = parseCidr('::ffff:0:0:0/96')!;
const SIX_TO_FOUR = parseCidr('2002::/16')!;
const TEREDO = parseCidr('2001::/32')!;

const v4 = (bytes: Uint8Array): IpAddress => ({ family: 4, bytes });

/**
 * The IPv4 a connection to `ip` actually reaches: the one carried by an IPv4-mapped or
 * IPv4-translated IPv6 address; `ip` itself otherwise.
 *
 * @example effectiveAddress(parseIp('::ffff:7f00:1')!) // 127.0.0.1
 */
export function effectiveAddress(ip: IpAddress): IpAddress {
  if (inCidr(ip, MAPPED) || inCidr(ip, TRANSLATED)) return v4(ip.bytes.slice(12));
  return ip;
}

function lookupRange(ip: IpAddress): RangeMatch | undefined {
  return RANGES.find((r) => inCidr(ip, r.net))?.match;
}

/**
 * The non-public range `ip` is in, or undefined for a public address. 6to4 and Teredo addresses
 * are judged by the IPv4 addresses they embed (a relay would forward to it).
 *
 * @example classifyAddress(parseIp('169.254.169.254')!) // { kind: 'never', label: 'cloud metadata endpoint', … }
 */
export function classifyAddress(address: IpAddress): RangeMatch | undefined {
  const ip = effectiveAddress(address);
  const direct = lookupRange(ip);
  if (direct || ip.family === 4) return direct;
  const embedded: Array<[string, Uint8Array]> = [];
  if (inCidr(ip, SIX_TO_FOUR)) embedded.push(['6to4', ip.bytes.slice(2, 6)]);
  if (inCidr(ip, TEREDO)) {
    embedded.push(['Teredo server', ip.bytes.slice(4, 8)]);
    embedded.push(['Teredo client', ip.bytes.slice(12, 16).map((b) => b ^ 0xff)]);
  }
  for (const [what, bytes] of embedded) {
    const inner = lookupRange(v4(bytes));
    if (inner) {
      return { cidr: what === '6to4' ? '2002::/16' : '2001::/32', label: `${what} address embedding ${formatIpv4(bytes)} (${inner.label})`, kind: inner.kind === 'never' ? 'never' : 'special' };
    }
  }
  return undefined;
}
