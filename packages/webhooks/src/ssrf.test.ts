import { describe, expect, it } from 'vitest';
import { WebhookErrorCodes } from './errors';
import { SsrfGuard } from './ssrf';

const fixed = (map: Record<string, string[]>) => async (host: string) => (map[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('SsrfGuard', () => {
  const guard = new SsrfGuard({
    cacheMs: 0,
    lookup: fixed({ 'partner.example': ['93.184.216.34'], 'rebind.example': ['93.184.216.34', '10.0.0.5'], 'meta.example': ['169.254.169.254'] }),
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:10.0.0.1', '0.0.0.0', '100.64.0.1'])(
    'refuses %s',
    async (ip) => {
      const out = await guard.check(ip);
      expect(!out.ok && out.error.code).toBe(WebhookErrorCodes.SSRF_BLOCKED);
    },
  );

  it('allows public addresses and names resolving only to them', async () => {
    expect((await guard.check('8.8.8.8')).ok).toBe(true);
    expect((await guard.check('partner.example')).ok).toBe(true);
  });

  it('refuses a name when any address it resolves to is private', async () => {
    expect((await guard.check('rebind.example')).ok).toBe(false);
    expect((await guard.check('meta.example')).ok).toBe(false);
  });

  it('passes hosts and CIDRs from the allow list', async () => {
    const allowing = new SsrfGuard({ cacheMs: 0, allow: ['127.0.0.1', 'internal.example', '10.9.0.0/16'], lookup: fixed({ 'internal.example': ['10.0.0.1'] }) });
    expect((await allowing.check('127.0.0.1')).ok).toBe(true);
    expect((await allowing.check('internal.example')).ok).toBe(true);
    expect((await allowing.check('10.9.3.4')).ok).toBe(true);
    expect((await allowing.check('10.8.3.4')).ok).toBe(false);
    expect((await allowing.check('127.0.0.2')).ok).toBe(false);
  });

  it('reports a name that does not resolve', async () => {
    const out = await guard.check('nowhere.example');
    expect(!out.ok && out.error.code).toBe(WebhookErrorCodes.DNS);
  });
});
