import { describe, expect, it } from 'vitest';
import { checkHostAllowed, createGuardedLookup, isPrivateAddress, resolveAndCheck } from './host-guard';
import { MediaError } from './errors';

describe('host guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.2.3.4', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.1.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd12::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['2606:4700::1111', false],
  ])('%s private=%s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('refuses loopback and metadata unless the host or a CIDR is allowed', () => {
    expect(checkHostAllowed('localhost', '127.0.0.1').ok).toBe(false);
    expect(checkHostAllowed('localhost', '127.0.0.1', ['localhost']).ok).toBe(true);
    expect(checkHostAllowed('evil.example', '10.0.0.7', ['10.0.0.0/8']).ok).toBe(true);
    expect(checkHostAllowed('evil.example', '10.0.0.7', ['127.0.0.1']).ok).toBe(false);
    expect(checkHostAllowed('169.254.169.254', undefined).ok).toBe(false);
    expect(checkHostAllowed('metadata.google.internal', undefined).ok).toBe(false);
    expect(checkHostAllowed('news.example', '93.184.216.34').ok).toBe(true);
  });

  it('checks every address a name resolves to', async () => {
    const lookup = (_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ]);
    await expect(resolveAndCheck('rebind.example', [], lookup)).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST' });
    await expect(resolveAndCheck('rebind.example', ['10.0.0.0/8'], lookup)).resolves.toHaveLength(2);
  });

  it('the connect-time lookup refuses a blocked answer', async () => {
    const guarded = createGuardedLookup([]);
    const err = await new Promise<unknown>((resolve) => guarded('localhost', { all: true }, (e) => resolve(e)));
    expect(err).toBeInstanceOf(MediaError);
    const ok = await new Promise<unknown>((resolve) => createGuardedLookup(['localhost'])('localhost', { all: false }, (e, a) => resolve(e ?? a)));
    expect(typeof ok).toBe('string');
  });
});
