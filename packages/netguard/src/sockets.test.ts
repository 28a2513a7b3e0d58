/**
 * The guard on real sockets: a local HTTP server on 127.0.0.1 that counts the connections it
 * accepts, reached through `http.Agent({ lookup: guard.lookup })` — only when allowed, and never
 * when the name's answer changes to a blocked address between the check and the connection.
 */
import { Agent, createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetGuardError, NetGuardErrorCodes } from './errors';
import { NetGuard, type Resolver } from './guard';

let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('reached'));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** GET through an agent whose sockets connect with the guard's lookup. */
function fetchThrough(guard: NetGuard, host: string): Promise<{ status: number; body: string } | { error: unknown }> {
  const agent = new Agent({ lookup: guard.lookup as never });
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/', agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (error) => resolve({ error }));
  }).finally(() => agent.destroy()) as Promise<{ status: number; body: string } | { error: unknown }>;
}

const loopbackFor = (name: string): Resolver => async (host) => (host === name ? [{ address: '127.0.0.1', family: 4 }] : []);

describe('NetGuard on real sockets', () => {
  it('refuses localhost (system resolver) when nothing private is allowed: no connection is made', async () => {
    const before = connections;
    const out = await fetchThrough(new NetGuard(), 'localhost');
    expect('error' in out && out.error).toBeInstanceOf(NetGuardError);
    expect('error' in out && (out.error as NetGuardError).code).toBe(NetGuardErrorCodes.BLOCKED);
    expect(connections).toBe(before);
  });

  it('reaches the server when the name is allowed, or the address', async () => {
    for (const allow of [['partner.test'], ['127.0.0.1'], ['127.0.0.0/8']]) {
      const out = await fetchThrough(new NetGuard({ allow, resolve: loopbackFor('partner.test') }), 'partner.test');
      expect([allow, out]).toEqual([allow, { status: 200, body: 'reached' }]);
    }
  });

  it('refuses a name resolving to loopback when another name is allowed', async () => {
    const before = connections;
    const out = await fetchThrough(new NetGuard({ allow: ['partner.test'], resolve: loopbackFor('evil.test') }), 'evil.test');
    expect('error' in out && (out.error as NetGuardError).code).toBe(NetGuardErrorCodes.BLOCKED);
    expect(connections).toBe(before);
  });

  it('judges the address actually connected: a rebinding answer is refused at connect', async () => {
    let calls = 0;
    // The check sees a public address; the socket's own lookup gets loopback.
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const guard = new NetGuard({ resolve: rebinding });
    expect((await guard.check('rebind.test')).ok).toBe(true);
    const before = connections;
    const out = await fetchThrough(guard, 'rebind.test');
    expect('error' in out && out.error).toMatchObject({ code: NetGuardErrorCodes.BLOCKED, details: { at: 'connect', address: '127.0.0.1' } });
    expect(connections).toBe(before);
  });
});
