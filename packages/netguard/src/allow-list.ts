import { err, ok, type Result } from '@wire/schema';
import { normalizeHost, parseIp } from './address';
import { NetGuardError, NetGuardErrorCodes } from './errors';
import { classifyAddress, METADATA_HOSTS, parseCidr, type Cidr } from './ranges';

/**
 * A parsed allow list (`WIRE_ALLOW_PRIVATE_HOSTS` and its per-use variants): host names, and
 * addresses or CIDRs.
 *
 * - An address or CIDR opens that address space to any host (except what can never be allowed).
 * - A host name lets that name resolve into private ranges (loopback, RFC 1918, CGNAT,
 *   link-local, ULA): the name is still resolved at connect time and every address it gives is
 *   checked. It opens no documentation, reserved or metadata address.
 */
export interface AllowList {
  names: ReadonlySet<string>;
  nets: readonly Cidr[];
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Check one allow-list entry; the error names the entry and the rule.
 *
 * @example parseAllowEntry('10.1.0.0/16') // { ok: true, value: { net: … } }
 */
export function parseAllowEntry(raw: string): Result<{ name: string } | { net: Cidr }, NetGuardError> {
  const entry = normalizeHost(raw);
  const bad = (why: string) => err(new NetGuardError(NetGuardErrorCodes.ALLOW_ENTRY, `allow-list entry "${raw}": ${why}`, { entry: raw }));
  if (entry.includes('/') || parseIp(entry)) {
    const net = parseCidr(entry);
    if (!net) return bad('not an IP address or CIDR (address/bits)');
    if (net.bits === (net.family === 4 ? 32 : 128) && classifyAddress(net)?.kind === 'never') return bad(`${classifyAddress(net)!.label} can never be allowed`);
    return ok({ net });
  }
  if (!HOST_NAME.test(entry)) return bad('not a host name, an IP address or a CIDR');
  if (METADATA_HOSTS.has(entry)) return bad('a cloud metadata host can never be allowed');
  return ok({ name: entry });
}

/**
 * Parse allow-list entries (blanks skipped); the error names the first bad entry.
 *
 * @example parseAllowList(['127.0.0.1', 'localhost', '10.1.0.0/16'])
 */
export function parseAllowList(entries: readonly string[]): Result<AllowList, NetGuardError> {
  const names = new Set<string>();
  const nets: Cidr[] = [];
  for (const raw of entries) {
    if (raw.trim() === '') continue;
    const parsed = parseAllowEntry(raw);
    if (!parsed.ok) return parsed;
    if ('name' in parsed.value) names.add(parsed.value.name);
    else nets.push(parsed.value.net);
  }
  return ok({ names, nets });
}
