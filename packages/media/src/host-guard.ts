import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { MediaError } from './errors';

/**
 * Addresses an outbound fetch must never reach unless allowed: private networks, loopback,
 * link-local (which includes the cloud metadata address 169.254.169.254), CGNAT, "this network",
 * multicast and reserved ranges, for IPv4 and IPv6.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['fd00:ec2::', 32],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** Host names that name metadata services whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** A parsed `WIRE_ALLOW_PRIVATE_HOSTS` list: host names and addresses/CIDRs. */
export interface AllowList {
  hosts: Set<string>;
  nets: BlockList;
}

/**
 * Parse `WIRE_ALLOW_PRIVATE_HOSTS` entries (`localhost`, `127.0.0.1`, `10.0.0.0/8`, `::1`).
 *
 * @example parseAllowList(['127.0.0.1', 'localhost', '10.1.0.0/16'])
 */
export function parseAllowList(entries: readonly string[] | AllowList = []): AllowList {
  if (!Array.isArray(entries)) return entries as AllowList;
  const hosts = new Set<string>();
  const nets = new BlockList();
  for (const raw of entries as readonly string[]) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (!entry) continue;
    const [addr, bits] = entry.split('/');
    const family = isIP(addr ?? '');
    if (family && addr) {
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits !== undefined) nets.addSubnet(addr, Number(bits), type);
      else nets.addAddress(addr, type);
    } else {
      hosts.add(entry);
    }
  }
  return { hosts, nets };
}

/** Strip brackets and an IPv4-mapped IPv6 prefix so `::ffff:127.0.0.1` is judged as 127.0.0.1. */
function canonicalAddress(address: string): { address: string; type: 'ipv4' | 'ipv6' } | null {
  let a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1]) a = mapped[1];
  const family = isIP(a);
  if (!family) return null;
  return { address: a, type: family === 6 ? 'ipv6' : 'ipv4' };
}

/** True when `address` (an IP literal) is in a private, loopback, link-local or reserved range. */
export function isPrivateAddress(address: string): boolean {
  const c = canonicalAddress(address);
  if (!c) return true;
  return BLOCKED.check(c.address, c.type);
}

export type HostCheck = { ok: true } | { ok: false; reason: string };

/**
 * May a request go to `host` that resolved to `address`? Public addresses always may; private,
 * loopback, link-local and metadata ones only when the host name or the address is in `allow`.
 * Pass `address` undefined to check a host name alone (metadata names, IP literals).
 */
export function checkHostAllowed(host: string, address: string | undefined, allow: readonly string[] | AllowList = []): HostCheck {
  const list = parseAllowList(allow);
  const name = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (list.hosts.has(name)) return { ok: true };
  const target = address ?? (isIP(name) ? name : undefined);
  if (METADATA_HOSTS.has(name)) return { ok: false, reason: `${name} is a metadata service host` };
  if (target === undefined) return { ok: true };
  const c = canonicalAddress(target);
  if (!c) return { ok: false, reason: `${target} is not an IP address` };
  if (list.nets.check(c.address, c.type)) return { ok: true };
  if (BLOCKED.check(c.address, c.type)) {
    return { ok: false, reason: `${name} resolves to ${c.address}, a private/loopback/link-local/reserved address not in WIRE_ALLOW_PRIVATE_HOSTS` };
  }
  return { ok: true };
}

type LookupFn = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const defaultLookup: LookupFn = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * Resolve `hostname` and check every address it resolves to; throws a `MediaError`
 * (`WIRE_ERR_MEDIA_BLOCKED_HOST` or `WIRE_ERR_MEDIA_DNS`) otherwise. Returns the addresses.
 *
 * @example await resolveAndCheck('images.example.com', ['127.0.0.1', 'localhost'])
 */
export async function resolveAndCheck(hostname: string, allow: readonly string[] | AllowList = [], lookup: LookupFn = defaultLookup): Promise<LookupAddress[]> {
  const list = parseAllowList(allow);
  const name = hostname.replace(/^\[|\]$/g, '');
  const pre = checkHostAllowed(name, undefined, list);
  if (!pre.ok) throw new MediaError('WIRE_ERR_MEDIA_BLOCKED_HOST', `image host refused: ${pre.reason}`, { host: name });
  const family = isIP(name);
  const addresses: LookupAddress[] = family
    ? [{ address: name, family }]
    : await new Promise<LookupAddress[]>((resolve, reject) =>
        lookup(name, { all: true }, (err, found) =>
          err ? reject(new MediaError('WIRE_ERR_MEDIA_DNS', `image host ${name}: DNS lookup failed (${err.code ?? err.message})`, { host: name }, { cause: err })) : resolve(found),
        ),
      );
  for (const a of addresses) {
    const check = checkHostAllowed(name, a.address, list);
    if (!check.ok) throw new MediaError('WIRE_ERR_MEDIA_BLOCKED_HOST', `image host refused: ${check.reason}`, { host: name, address: a.address });
  }
  return addresses;
}

/**
 * A `lookup` for `net.connect` (undici `connect.lookup`) that refuses blocked addresses at
 * connect time, so a DNS answer that changes between the check and the connection (rebinding)
 * cannot reach a private address.
 */
export function createGuardedLookup(allow: readonly string[] | AllowList = [], lookup: LookupFn = defaultLookup) {
  const list = parseAllowList(allow);
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolveAndCheck(hostname, list, lookup).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`no IPv${wanted} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
