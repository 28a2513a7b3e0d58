import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { err, ok, type Result } from '@wire/schema';
import { formatIpv4, normalizeHost, parseIp, type IpAddress } from './address';
import { parseAllowList, type AllowList } from './allow-list';
import { NetGuardError, NetGuardErrorCodes } from './errors';
import { classifyAddress, effectiveAddress, inCidr, METADATA_HOSTS } from './ranges';

/** Resolves a host name to every address it has (`dns.lookup` with `all: true` by default). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

export interface NetGuardOptions {
  /** Allow-list entries: host names, addresses, CIDRs (see `AllowList`). Throws NetGuardError on a bad entry. */
  allow?: readonly string[];
  /** DNS resolution; the system resolver by default. Tests pass their own to play a hostile DNS. */
  resolve?: Resolver;
  /** How long `check` reuses a verdict for a host, ms (0: resolve every time). The connect-time lookup never does. */
  cacheMs?: number;
  now?: () => number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupOptions = { family?: number | string; all?: boolean };

/**
 * The network guard for every outbound request the pipeline makes to a URL it was given (image
 * downloads, partner webhooks). `check(host)` resolves a host and judges every address before a
 * request; `lookup` does the same for the socket itself — pass it as `lookup` to `net.connect`,
 * an `http.Agent` or undici's `connect` — so an answer that changes between the check and the
 * connection (DNS rebinding) is judged on the address actually connected.
 *
 * @example
 * const guard = new NetGuard({ allow: ['127.0.0.1', 'localhost'] });
 * const verdict = await guard.check('images.example.com'); // { ok: true, value: [{ address, family }] }
 * const agent = new undici.Agent({ connect: { lookup: guard.lookup } });
 */
export class NetGuard {
  private readonly allow: AllowList;
  private readonly resolve: Resolver;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; verdict: Result<LookupAddress[], NetGuardError> }>();

  constructor(options: NetGuardOptions = {}) {
    const allow = parseAllowList(options.allow ?? []);
    if (!allow.ok) throw allow.error;
    this.allow = allow.value;
    this.resolve = options.resolve ?? systemResolver;
    this.cacheMs = options.cacheMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /**
   * Why `address` may not be reached as `host`, or undefined when it may. `host` matters only
   * when it is an allowed name (which may resolve into private ranges).
   */
  refusal(host: string, address: IpAddress): string | undefined {
    const range = classifyAddress(address);
    if (!range) return undefined;
    if (range.kind === 'never') return `${range.cidr} ${range.label}, never allowed`;
    const reached = effectiveAddress(address);
    if (this.allow.nets.some((net) => inCidr(reached, net))) return undefined;
    if (range.kind === 'private' && this.allow.names.has(normalizeHost(host))) return undefined;
    return `${range.cidr} ${range.label}, not in the allow list`;
  }

  /** The verdict on `host` while it is cached, else undefined (no promise on the hot path). */
  cached(host: string): Result<LookupAddress[], NetGuardError> | undefined {
    if (this.cacheMs <= 0) return undefined;
    const hit = this.cache.get(normalizeHost(host));
    return hit && this.now() - hit.at < this.cacheMs ? hit.verdict : undefined;
  }

  /**
   * Resolve `host` (a name or an IP literal in any spelling) and judge every address: ok with the
   * addresses when all may be reached; `WIRE_ERR_NET_BLOCKED` when any may not (permanent for
   * that URL), `WIRE_ERR_NET_DNS` when the name does not resolve.
   */
  async check(host: string): Promise<Result<LookupAddress[], NetGuardError>> {
    const hit = this.cached(host);
    if (hit) return hit;
    const verdict = await this.resolveAndJudge(host, 'check');
    if (this.cacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(normalizeHost(host), { at: this.now(), verdict });
    }
    return verdict;
  }

  /**
   * A `dns.lookup` replacement for sockets: resolves afresh, refuses (with the NetGuardError as
   * the lookup error) when any address may not be reached, else answers as `dns.lookup` would.
   */
  readonly lookup = (hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback): void => {
    const cb = (typeof options === 'function' ? options : callback)!;
    const opts: LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    const family = opts.family === 4 || opts.family === 'IPv4' ? 4 : opts.family === 6 || opts.family === 'IPv6' ? 6 : 0;
    this.resolveAndJudge(hostname, 'connect').then(
      (verdict) => {
        if (!verdict.ok) return cb(verdict.error as unknown as NodeJS.ErrnoException, opts.all ? [] : '', 0);
        const usable = family ? verdict.value.filter((a) => a.family === family) : verdict.value;
        if (usable.length === 0) {
          return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (no IPv${family} address)`), { code: 'ENOTFOUND', hostname }), opts.all ? [] : '', 0);
        }
        if (opts.all) return cb(null, usable);
        return cb(null, usable[0]!.address, usable[0]!.family);
      },
      (cause: unknown) => cb(cause as NodeJS.ErrnoException, opts.all ? [] : '', 0),
    );
  };

  private async resolveAndJudge(rawHost: string, at: 'check' | 'connect'): Promise<Result<LookupAddress[], NetGuardError>> {
    const host = normalizeHost(rawHost);
    const blocked = (message: string, details: Record<string, unknown> = {}) =>
      err(new NetGuardError(NetGuardErrorCodes.BLOCKED, `host ${host}: ${message}${at === 'connect' ? ' (refused at connect)' : ''}`, { host, at, ...details }));
    if (host === '') return blocked('empty host');
    if (METADATA_HOSTS.has(host)) return blocked('a cloud metadata host, never allowed');

    const literal = parseIp(host);
    let addresses: Array<{ address: string; family: number; ip: IpAddress }>;
    if (literal) {
      addresses = [{ address: literal.family === 4 ? formatIpv4(literal.bytes) : host.replace(/%.*$/, ''), family: literal.family, ip: literal }];
    } else {
      let found: LookupAddress[];
      try {
        found = await this.resolve(host);
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        return err(new NetGuardError(NetGuardErrorCodes.DNS, `host ${host}: did not resolve (${code ?? (cause as Error).message})`, { host, at, errorCode: code }, { cause }));
      }
      addresses = [];
      for (const a of found) {
        const ip = parseIp(a.address);
        // A resolver that answers something other than an address is not trusted with a connection.
        if (!ip) return blocked(`resolved to "${a.address}", not an IP address`);
        addresses.push({ address: a.address, family: a.family, ip });
      }
      if (addresses.length === 0) return err(new NetGuardError(NetGuardErrorCodes.DNS, `host ${host}: resolved to no address`, { host, at }));
    }
    for (const a of addresses) {
      const why = this.refusal(host, a.ip);
      if (why) return blocked(`${literal ? '' : 'resolves to '}${a.address}, in ${why}`, { address: a.address });
    }
    return ok(addresses.map(({ address, family }) => ({ address, family })));
  }
}
