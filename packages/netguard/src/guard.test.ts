import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseIp } from './address';
import { parseAllowList } from './allow-list';
import { NetGuardError, NetGuardErrorCodes, NetGuardErrors } from './errors';
import { NetGuard, type Resolver } from './guard';
import { classifyAddress } from './ranges';

/** A resolver answering from a table; unknown names fail as getaddrinfo does. */
const table =
  (answers: Record<string, string[]>): Resolver =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const noDns: Resolver = async (host) => {
  throw new Error(`no DNS expected, asked for ${host}`);
};

const verdictCode = async (guard: NetGuard, host: string) => {
  const v = await guard.check(host);
  return v.ok ? 'ok' : v.error.code;
};

describe('blocked ranges (the union of both former guards and more)', () => {
  const guard = new NetGuard({ resolve: noDns });

  it.each([
    // IPv4: this network, private, CGNAT, loopback, link-local and metadata, TEST-NETs, benchmarking, multicast, reserved, broadcast
    '0.0.0.0', '0.1.2.3', '10.1.2.3', '100.64.0.1', '100.127.255.254', '100.100.100.200', '127.0.0.1', '127.255.255.254',
    '168.63.129.16', '169.254.1.1', '169.254.169.254', '169.254.170.2', '172.16.0.1', '172.31.255.255', '192.0.0.8',
    '192.0.2.10', '192.88.99.1', '192.168.1.1', '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9',
    '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    // IPv6: unspecified, loopback, IPv4-compatible, IPv4-mapped and -translated, NAT64, discard, benchmarking, ORCHID, documentation, ULA, metadata, link-local, site-local, multicast
    '::', '::1', '::127.0.0.1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0:10.0.0.1',
    '64:ff9b::8.8.8.8', '64:ff9b:1::1', '100::1', '2001:2::1', '2001:10::1', '2001:db8::1', '3fff::1', 'fc00::1', 'fd12:3456::1',
    'fd00:ec2::254', 'fe80::1', 'fec0::1', 'ff02::1',
    // 6to4 and Teredo embedding a private IPv4 (Teredo's client address is stored inverted)
    '2002:a00:1::1', '2002:7f00:1::1', '2001:0:4136:e378:8000:63bf:f5ff:fffe', '2001:0:a00:1::1',
    // Other spellings of loopback, link-local and metadata
    '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x7f000001', '017700000001', '[::1]', '[::ffff:7f00:1]', 'fe80::1%eth0',
    '[fe80::1%25eth0]', '169.254.43518', '0251.0376.0251.0376', '0xa9fea9fe',
  ])('refuses %s', async (host) => {
    expect(await verdictCode(guard, host)).toBe(NetGuardErrorCodes.BLOCKED);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '93.184.216.34', '11.0.0.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1',
    '198.17.255.255', '198.20.0.0', '223.255.255.255', '2606:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2002:808:808::1',
  ])('lets public %s through', async (host) => {
    expect(await verdictCode(guard, host)).toBe('ok');
  });

  it('sorts ranges into what an allow list can open', () => {
    const kind = (a: string) => classifyAddress(parseIp(a)!)?.kind;
    expect(['10.0.0.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '::1', 'fd12::1', 'fe80::1'].map(kind)).toEqual(Array(7).fill('private'));
    expect(['192.0.2.1', '198.18.0.1', '240.0.0.1', '2001:db8::1', '64:ff9b::1', '::127.0.0.1', '2002:a00:1::1'].map(kind)).toEqual(Array(7).fill('special'));
    expect(['0.0.0.0', '169.254.169.254', 'fd00:ec2::254', '224.0.0.1', '255.255.255.255', '::', '2002:a9fe:a9fe::1'].map(kind)).toEqual(Array(7).fill('never'));
    expect(kind('8.8.8.8')).toBeUndefined();
  });

  it.each(['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'instance-data', 'metadata.goog'])('refuses metadata name %s without resolving it', async (host) => {
    const v = await guard.check(host);
    expect(!v.ok && v.error.message).toContain('metadata');
  });
});

describe('allow lists', () => {
  const dns = table({
    'internal.example': ['10.0.0.1'],
    'evil.example': ['10.0.0.1'],
    'docs.example': ['192.0.2.1'],
    'meta.example': ['169.254.169.254'],
    'mixed.example': ['93.184.216.34', '10.0.0.5'],
    'lab.example': ['10.9.1.1'],
    localhost: ['127.0.0.1', '::1'],
  });

  it('an address or CIDR opens that space to any host', async () => {
    const guard = new NetGuard({ allow: ['10.9.0.0/16', '127.0.0.1'], resolve: dns });
    expect(await verdictCode(guard, '10.9.3.4')).toBe('ok');
    expect(await verdictCode(guard, 'lab.example')).toBe('ok');
    expect(await verdictCode(guard, '10.8.3.4')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, '127.0.0.2')).toBe(NetGuardErrorCodes.BLOCKED);
    // An IPv4-mapped address reaches the IPv4 it carries: judged, and allowed, as that IPv4.
    expect(await verdictCode(guard, '::ffff:127.0.0.1')).toBe('ok');
    expect(await verdictCode(guard, '2130706433')).toBe('ok');
    // localhost also gives ::1, which the list does not open.
    expect(await verdictCode(guard, 'localhost')).toBe(NetGuardErrorCodes.BLOCKED);
  });

  it('an allowed name is still resolved, and may reach only private ranges', async () => {
    const guard = new NetGuard({ allow: ['internal.example', 'docs.example', 'meta.example', 'localhost'], resolve: dns });
    expect(await verdictCode(guard, 'internal.example')).toBe('ok');
    expect(await verdictCode(guard, 'localhost')).toBe('ok');
    expect(await verdictCode(guard, 'evil.example')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, 'docs.example')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, 'meta.example')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, '10.0.0.1')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, 'nowhere.example')).toBe(NetGuardErrorCodes.DNS);
  });

  it('nothing opens the unspecified address, metadata endpoints, multicast or broadcast', async () => {
    const guard = new NetGuard({ allow: ['0.0.0.0/0', '::/0'], resolve: dns });
    expect(await verdictCode(guard, '10.0.0.1')).toBe('ok');
    expect(await verdictCode(guard, '192.0.2.1')).toBe('ok');
    for (const host of ['0.0.0.0', '0', '169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '224.0.0.1', '255.255.255.255', '::', 'meta.example']) {
      expect([host, await verdictCode(guard, host)]).toEqual([host, NetGuardErrorCodes.BLOCKED]);
    }
  });

  it('checks every address a name resolves to', async () => {
    const guard = new NetGuard({ resolve: dns });
    const v = await guard.check('mixed.example');
    expect(!v.ok && v.error.details).toMatchObject({ host: 'mixed.example', address: '10.0.0.5' });
    expect((await new NetGuard({ allow: ['10.0.0.0/8'], resolve: dns }).check('mixed.example')).ok).toBe(true);
  });

  it.each([
    ['not a host!', 'not a host name'],
    ['10.0.0.0/33', 'not an IP address or CIDR'],
    ['10.0.0.0/x', 'not an IP address or CIDR'],
    ['::/129', 'not an IP address or CIDR'],
    ['169.254.169.254', 'never be allowed'],
    ['metadata.google.internal', 'never be allowed'],
  ])('refuses the allow-list entry %s', (entry, why) => {
    const parsed = parseAllowList(['127.0.0.1', entry]);
    expect(!parsed.ok && parsed.error.code).toBe(NetGuardErrorCodes.ALLOW_ENTRY);
    expect(!parsed.ok && parsed.error.message).toContain(why);
    expect(() => new NetGuard({ allow: [entry] })).toThrow(NetGuardError);
  });

  it('reads names, addresses and CIDRs in the spellings people write', () => {
    const parsed = parseAllowList([' LocalHost ', '[::1]', '10.0.0.0/8', 'fd00::/8', '', 'partner-1.internal.example.']);
    expect(parsed.ok && [...parsed.value.names]).toEqual(['localhost', 'partner-1.internal.example']);
    expect(parsed.ok && parsed.value.nets.map((n) => n.bits)).toEqual([128, 8, 8]);
  });
});

describe('resolution', () => {
  it('reports a name that does not resolve, or resolves to nothing, as DNS; an answer that is not an address as blocked', async () => {
    const guard = new NetGuard({ resolve: async (h) => (h === 'empty.example' ? [] : h === 'odd.example' ? [{ address: 'example.org', family: 4 }] : table({})(h)) });
    expect(await verdictCode(guard, 'nowhere.example')).toBe(NetGuardErrorCodes.DNS);
    expect(await verdictCode(guard, 'empty.example')).toBe(NetGuardErrorCodes.DNS);
    expect(await verdictCode(guard, 'odd.example')).toBe(NetGuardErrorCodes.BLOCKED);
    expect(await verdictCode(guard, '')).toBe(NetGuardErrorCodes.BLOCKED);
  });

  it('reuses a verdict for cacheMs, then resolves again', async () => {
    let clock = 0;
    let calls = 0;
    const guard = new NetGuard({ cacheMs: 1_000, now: () => clock, resolve: async () => (calls++, [{ address: '93.184.216.34', family: 4 }]) });
    await guard.check('news.example');
    expect(guard.cached('NEWS.example')?.ok).toBe(true);
    await guard.check('news.example');
    expect(calls).toBe(1);
    clock = 1_001;
    expect(guard.cached('news.example')).toBeUndefined();
    await guard.check('news.example');
    expect(calls).toBe(2);
  });

  it('the connect-time lookup resolves afresh, answers like dns.lookup and refuses a changed answer', async () => {
    const answers = [['93.184.216.34', '2606:2800:220:1::1'], ['10.0.0.1']];
    let calls = 0;
    const guard = new NetGuard({ cacheMs: 60_000, resolve: async () => answers[Math.min(calls++, 1)]!.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) });
    expect((await guard.check('rebind.example')).ok).toBe(true);
    const lookup = (options: object) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
        guard.lookup('rebind.example', options, (err, address, family) => resolve({ err, address, family })),
      );
    calls = 0;
    expect(await lookup({ all: true })).toMatchObject({ err: null, address: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }] });
    calls = 0;
    expect(await lookup({ family: 6 })).toMatchObject({ err: null, address: '2606:2800:220:1::1', family: 6 });
    const refused = await lookup({ all: true });
    expect(refused.err).toBeInstanceOf(NetGuardError);
    expect(refused.err).toMatchObject({ code: NetGuardErrorCodes.BLOCKED, details: { host: 'rebind.example', address: '10.0.0.1', at: 'connect' } });
  });
});

describe('error catalogue', () => {
  it('documents every code', () => {
    for (const code of Object.values(NetGuardErrorCodes)) expect(NetGuardErrors.spec(code).message).toMatch(/\w/);
  });
});
