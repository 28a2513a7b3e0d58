/**
 * SSRF guard: a partner URL's host is resolved at send time and every address it resolves to is
 * checked against private, loopback, link-local, metadata and other non-public ranges. Hosts or
 * CIDRs in the allow list (`WIRE_ALLOW_PRIVATE_HOSTS`) pass although private.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { err, ok, type Result } from '@wire/schema';
import { WebhookError, WebhookErrorCodes } from './errors';

/** Ranges no partner endpoint may resolve to (RFC 6890 special-purpose, metadata, multicast). */
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including 169.254.169.254 cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach IPv4 private space
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local, including fd00:ec2::254 metadata
  ['fe80::', 10],
  ['ff00::', 8],
];

function blockedList(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of BLOCKED_V4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of BLOCKED_V6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; other addresses unchanged. */
function unmapV4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}

export type LookupFn = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface SsrfGuardOptions {
  /** Hosts (names or IPs) and CIDRs allowed although private, e.g. `['127.0.0.1', 'localhost', '10.1.0.0/16']`. */
  allow?: readonly string[];
  /** DNS resolution; defaults to the system resolver (`dns.lookup`, all addresses). */
  lookup?: LookupFn;
  /** How long a host's verdict is reused, ms (0 = resolve on every send). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Decides whether a host may be called. `check(hostname)` resolves it and refuses when any
 * address is non-public and not allowed.
 *
 * @example
 * const guard = new SsrfGuard({ allow: ['127.0.0.1'] });
 * await guard.check('169.254.169.254'); // { ok: false, error: WIRE_ERR_WEBHOOK_SSRF_BLOCKED }
 */
export class SsrfGuard {
  private readonly blocked = blockedList();
  private readonly allowNets = new BlockList();
  private readonly allowHosts = new Set<string>();
  private readonly lookup: LookupFn;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: Result<string[], WebhookError> }>();

  constructor(options: SsrfGuardOptions = {}) {
    this.lookup = options.lookup ?? defaultLookup;
    this.cacheMs = options.cacheMs ?? 5_000;
    this.now = options.now ?? Date.now;
    for (const raw of options.allow ?? []) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (!entry) continue;
      const [net, prefix] = entry.split('/', 2);
      const family = net ? isIP(net) : 0;
      if (family && prefix !== undefined) {
        this.allowNets.addSubnet(net!, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      } else if (family) {
        this.allowNets.addAddress(net!, family === 6 ? 'ipv6' : 'ipv4');
      } else {
        this.allowHosts.add(entry);
      }
    }
  }

  /** True when `hostname` is named in the allow list. */
  hostAllowed(hostname: string): boolean {
    return this.allowHosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  }

  /** True when `address` (an IP) is public, or private but allowed. */
  addressAllowed(address: string): boolean {
    const ip = unmapV4(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowNets.check(ip, family)) return true;
    return !this.blocked.check(ip, family);
  }

  /** The verdict on `hostname` while it is cached (`check` without a lookup or a promise), else undefined. */
  cached(hostname: string): Result<string[], WebhookError> | undefined {
    if (this.cacheMs <= 0) return undefined;
    const hit = this.cache.get(hostname.toLowerCase().replace(/^\[|\]$/g, ''));
    return hit && this.now() - hit.at < this.cacheMs ? hit.result : undefined;
  }

  /** Resolve `hostname` and check every address; ok with the addresses when all may be called. */
  async check(hostname: string): Promise<Result<string[], WebhookError>> {
    const hit = this.cached(hostname);
    if (hit) return hit;
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const result = await this.resolveAndCheck(host);
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(host, { at: this.now(), result });
    }
    return result;
  }

  private async resolveAndCheck(host: string): Promise<Result<string[], WebhookError>> {
    if (this.allowHosts.has(host)) return ok([host]);
    let addresses: string[];
    if (isIP(host)) {
      addresses = [host];
    } else {
      try {
        addresses = (await this.lookup(host)).map((a) => a.address);
      } catch (cause) {
        return err(new WebhookError(WebhookErrorCodes.DNS, `partner host ${host}: did not resolve`, { host }, { cause }));
      }
      if (addresses.length === 0) {
        return err(new WebhookError(WebhookErrorCodes.DNS, `partner host ${host}: resolved to no address`, { host }));
      }
    }
    const refused = addresses.filter((a) => !this.addressAllowed(a));
    if (refused.length > 0) {
      return err(
        new WebhookError(
          WebhookErrorCodes.SSRF_BLOCKED,
          `partner host ${host}: resolves to ${refused.join(', ')}, a private/loopback/link-local/metadata address not in WIRE_ALLOW_PRIVATE_HOSTS`,
          { host, addresses: refused },
        ),
      );
    }
    return ok(addresses);
  }
}
