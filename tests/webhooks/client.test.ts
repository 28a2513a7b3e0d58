/**
 * The delivery client against real HTTP servers on loopback: what it reports for each way a
 * partner can answer (or not), including the excerpt cap and bodies cut by the deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryClient, SsrfGuard, WebhookErrorCodes } from '@wire/webhooks';

let server: Server | undefined;
let client: DeliveryClient | undefined;
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
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

const send = (url: string, options: { timeoutMs?: number; excerptBytes?: number } = {}) => {
  client = new DeliveryClient({ guard: new SsrfGuard({ allow: ['127.0.0.1'] }), timeoutMs: options.timeoutMs ?? 2_000, excerptBytes: options.excerptBytes ?? 64 });
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
