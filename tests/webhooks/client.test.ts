/**
 * The delivery client against real HTTP servers on loopback: what it reports for each way a
 * partner can answer (or not), including the excerpt cap and bodies cut by the deadline, and the
 * network guard refusing a partner host before the request and at connect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetGuard, type Resolver } from '@wire/netguard';
import { DeliveryClient, WebhookErrorCodes } from '@wire/webhooks';

let server: Server | undefined;
let client: DeliveryClient | undefined;
/** Connections the partner server accepted (a refused send must not add one). */
let connections = 0;
afterEach(async () => {
  await client?.destroy();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
  server = undefined;
  client = undefined;
});

async function partner(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

const send = (url: string, options: { timeoutMs?: number; excerptBytes?: number; guard?: NetGuard } = {}) => {
  client = new DeliveryClient({ guard: options.guard ?? new NetGuard({ allow: ['127.0.0.1'] }), timeoutMs: options.timeoutMs ?? 2_000, excerptBytes: options.excerptBytes ?? 64 });
  return client.send({ url, headers: { 'content-type': 'application/json' }, body: '{"type":"story.published"}' });
};

describe('DeliveryClient', () => {
  it('reports a 204 with an empty excerpt', async () => {
    const out = await send(await partner((_req, res) => res.writeHead(204).end()));
    expect(out).toMatchObject({ ok: true, status: 204, excerpt: '' });
  });

  it('keeps only the first excerptBytes of a long answer', async () => {
    const out = await send(await partner((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('a'.repeat(10) + 'b'.repeat(100_000))), { excerptBytes: 16 });
    expect(out).toMatchObject({ ok: true, status: 200, excerpt: 'aaaaaaaaaabbbbbb' });
  });

  it('reads Retry-After from a 429', async () => {
    const out = await send(await partner((_req, res) => res.writeHead(429, { 'Retry-After': '7' }).end('slow down')));
    expect(out).toMatchObject({ ok: true, status: 429, retryAfter: '7', excerpt: 'slow down' });
  });

  it('keeps the status when the body is still dripping at the deadline', async () => {
    const out = await send(
      await partner((_req, res) => {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.write('accepted');
        // …and never ends.
      }),
      { timeoutMs: 300 },
    );
    expect(out).toMatchObject({ ok: true, status: 201, excerpt: 'accepted' });
  });

  it('reports a timeout when no answer comes', async () => {
    const out = await send(await partner(() => undefined), { timeoutMs: 300 });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.code).toBe(WebhookErrorCodes.TIMEOUT);
  });

  it('reports a network error when nothing listens', async () => {
    const url = await partner(() => undefined);
    server!.close();
    server = undefined;
    const out = await send(url);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.code).toBe(WebhookErrorCodes.NETWORK);
  });
});

describe('DeliveryClient behind the network guard', () => {
  it('refuses every spelling of loopback and metadata hosts, without connecting', async () => {
    const port = new URL(await partner((_req, res) => res.writeHead(204).end())).port;
    const before = connections;
    for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', '[::1]', 'localhost', '169.254.169.254', '[fd00:ec2::254]', 'metadata.google.internal']) {
      const out = await send(`http://${host}:${port}/hook`, { guard: new NetGuard() });
      expect([host, !out.ok && out.error.code]).toEqual([host, WebhookErrorCodes.SSRF_BLOCKED]);
      await client!.destroy();
    }
    expect(connections).toBe(before);
  });

  it('refuses at connect when the answer changes after the check (DNS rebinding): blocked, not a network error', async () => {
    const port = new URL(await partner((_req, res) => res.writeHead(204).end())).port;
    let calls = 0;
    // The send-time check sees a public address; the socket's own lookup is answered loopback, where the partner server listens.
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const before = connections;
    const out = await send(`http://partner.rebind.test:${port}/hook`, { guard: new NetGuard({ resolve: rebinding }) });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.code).toBe(WebhookErrorCodes.SSRF_BLOCKED);
      expect(out.error.details).toMatchObject({ at: 'connect', address: '127.0.0.1' });
    }
    expect(connections).toBe(before);
  });

  it('reaches an allowed name resolved by the guard at connect; a name that does not resolve is a DNS error', async () => {
    const port = new URL(await partner((_req, res) => res.writeHead(204).end())).port;
    const resolve: Resolver = async (host) => {
      if (host === 'partner.internal.test') return [{ address: '127.0.0.1', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    expect(await send(`http://partner.internal.test:${port}/hook`, { guard: new NetGuard({ allow: ['partner.internal.test'], resolve }) })).toMatchObject({ ok: true, status: 204 });
    await client!.destroy();
    const out = await send(`http://nowhere.test:${port}/hook`, { guard: new NetGuard({ resolve }) });
    expect(!out.ok && out.error.code).toBe(WebhookErrorCodes.DNS);
  });
});
