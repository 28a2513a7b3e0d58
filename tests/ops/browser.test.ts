import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppDeps } from '../../services/ops/src/app';
import { testConfig, testS3Client } from '../helpers/env';
import { startOpsStack, type TestStack } from './harness';
import { listenLoopback, rawRequest, type Target } from './raw-http';

/** What a browser (or a page pretending to be one) sees of the ops service, over real HTTP. */

let s: TestStack;
let t: Target;
const extraApps: FastifyInstance[] = [];

beforeAll(async () => {
  s = await startOpsStack();
  t = await listenLoopback(s.app);
});
afterAll(async () => {
  for (const app of extraApps) await app.close();
  await s?.close();
});

/** Another app over the same stack, with `over` changed, listening on its own port. */
async function variant(over: Partial<AppDeps>): Promise<Target> {
  const app = await buildApp({ ...s.deps, ...over });
  extraApps.push(app);
  return listenLoopback(app);
}

const bearer = () => ({ authorization: `Bearer ${s.token}` });
const partnerBody = (id: string) => JSON.stringify({ id, name: 'Browser check', url: 'https://browser.example/hook' });

describe('Host (DNS rebinding)', () => {
  it('refuses every Host that is not ours, on public and private routes alike, even with the token', async () => {
    const hosts = ['evil.example', `evil.example:${t.port}`, `127.0.0.1.evil.example:${t.port}`, `localhost:${t.port + 1}`, `127.0.0.2:${t.port}`, `[::1]:${t.port}`, `localhost:${t.port}.evil.example`, ''];
    for (const host of hosts) {
      for (const path of ['/', '/healthz', '/readyz', '/metrics', '/api/partners', '/ui/queues', '/no-such-route']) {
        const a = await rawRequest(t, 'GET', path, { ...bearer(), host });
        expect(a.status, `${path} Host ${host}`).toBe(421);
        expect(JSON.parse(a.body).error.code).toBe('WIRE_ERR_OPS_HOST');
        expect(a.body).not.toContain('partners');
      }
    }
  });

  it('refuses a request with no Host at all: node for HTTP/1.1, the guard for HTTP/1.0', async () => {
    expect((await rawRequest(t, 'GET', '/api/partners', { ...bearer(), host: null })).status).toBe(400);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(t.port, t.host, () => socket.write(`GET /api/partners HTTP/1.0\r\nAuthorization: Bearer ${s.token}\r\n\r\n`));
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (text += c));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 421 /);
    expect(answer).toContain('WIRE_ERR_OPS_HOST');
  });

  it('answers the loopback names at its own port, in any case, and the configured hosts', async () => {
    for (const host of [`127.0.0.1:${t.port}`, `localhost:${t.port}`, `LocalHost:${t.port}`, 'localhost:80']) {
      expect((await rawRequest(t, 'GET', '/api/partners', { ...bearer(), host })).status, host).toBe(200);
    }
    const proxied = await variant({ allowedHosts: ['ops.newsroom.example'] });
    expect((await rawRequest(proxied, 'GET', '/healthz', { host: 'ops.newsroom.example' })).status).toBe(200);
    expect((await rawRequest(proxied, 'GET', '/healthz', { host: 'ops.newsroom.example:8443' })).status).toBe(421);
  });
});

describe('Origin (cross-site request forgery)', () => {
  it('refuses a state-changing request from a foreign origin even with the right token, and changes nothing', async () => {
    const id = `csrf-${randomBytes(4).toString('hex')}`;
    const foreign: Array<Record<string, string>> = [
      { origin: 'http://evil.example' },
      { origin: `http://evil.example:${t.port}` },
      { origin: 'null' },
      { origin: 'not a url' },
      { origin: `file://127.0.0.1:${t.port}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      for (const [method, path, body] of [
        ['POST', '/api/partners', partnerBody(id)],
        ['POST', '/api/session', undefined],
        ['PUT', '/ui/queues/api/queues/pause', '{}'],
        ['DELETE', `/api/partners/${id}`, undefined],
      ] as const) {
        const a = await rawRequest(t, method, path, { ...bearer(), ...headers }, body);
        expect(a.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(JSON.parse(a.body).error.code).toBe('WIRE_ERR_OPS_ORIGIN');
        expect(a.headers['set-cookie']).toBeUndefined();
      }
    }
    expect((await rawRequest(t, 'GET', `/api/partners/${id}`, bearer())).status).toBe(404);
    const paused = await s.queues[0]!.isPaused();
    expect(paused).toBe(false);
  });

  it('lets the page itself (same origin) and clients that send no Origin (curl, the CLI) change things', async () => {
    const a = `same-origin-${randomBytes(4).toString('hex')}`;
    const b = `no-origin-${randomBytes(4).toString('hex')}`;
    expect((await rawRequest(t, 'POST', '/api/partners', { ...bearer(), origin: `http://127.0.0.1:${t.port}`, 'sec-fetch-site': 'same-origin' }, partnerBody(a))).status).toBe(201);
    expect((await rawRequest(t, 'POST', '/api/partners', bearer(), partnerBody(b))).status).toBe(201);
    const res = await fetch(`http://127.0.0.1:${t.port}/api/partners/${a}`, { method: 'DELETE', headers: bearer() });
    expect(res.status).toBe(204);
  });

  it('reads are not state-changing: a GET with a foreign Origin is answered, with no CORS header that would let the page read it', async () => {
    const a = await rawRequest(t, 'GET', '/api/partners', { ...bearer(), origin: 'http://evil.example' });
    expect(a.status).toBe(200);
    expect(a.headers['access-control-allow-origin']).toBeUndefined();
    expect(a.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('security headers', () => {
  function expectHardened(headers: Record<string, string | string[] | undefined>, what: string) {
    const csp = String(headers['content-security-policy']);
    expect(csp, what).toContain("frame-ancestors 'none'");
    const scriptSrc = /(?:^|;\s*)script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;\s*)default-src ([^;]*)/.exec(csp)?.[1];
    expect(scriptSrc, `${what}: script-src`).toBeDefined();
    expect(scriptSrc, what).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:|https?:/);
    expect(headers['x-content-type-options'], what).toBe('nosniff');
    expect(headers['referrer-policy'], what).toBe('no-referrer');
    expect(headers['x-frame-options'], what).toBe('DENY');
  }

  it('sets CSP without inline script, nosniff, a referrer policy and no framing on the dashboard, the API, the queue UI and refusals', async () => {
    for (const [path, headers] of [['/', {}], ['/dashboard.js', {}], ['/dashboard.css', {}], ['/healthz', {}], ['/api/partners', bearer()], ['/api/partners', {}], ['/ui/queues', bearer()], ['/no-such-route', {}]] as const) {
      const a = await rawRequest(t, 'GET', path, headers);
      expectHardened(a.headers, `GET ${path} → ${a.status}`);
    }
    // The dashboard's styles come from its file too.
    expect(String((await rawRequest(t, 'GET', '/')).headers['content-security-policy'])).toMatch(/style-src 'self'(;|$)/);
  });

  it('serves a dashboard that needs no inline script, style or handler (so the CSP costs it nothing)', () => {
    const dir = new URL('../../services/ops/src/dashboard/', import.meta.url);
    const html = readFileSync(new URL('index.html', dir), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    const js = readFileSync(new URL('dashboard.js', dir), 'utf8');
    // Markup the script builds carries no inline style or handler either.
    expect(js).not.toMatch(/style=|\bon(click|load|error|mouseover)=|setAttribute\(\s*['"](style|on)/);
    expect(js).not.toMatch(/\beval\(|new Function\(/);
  });

  it('sandboxes media from S3, so an SVG with a script cannot run on the ops origin', async () => {
    const cfg = testConfig();
    const s3 = testS3Client(cfg);
    const key = `${s.id}/media/evil.svg`;
    await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key, Body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', ContentType: 'image/svg+xml' }));
    try {
      const a = await rawRequest(t, 'GET', `/api/media/${key}`, bearer());
      expect(a.status).toBe(200);
      expect(a.body).toContain('<script>');
      expectHardened(a.headers, 'media');
      expect(String(a.headers['content-security-policy'])).toMatch(/(^|;\s*)sandbox(;|$)/);
      expect(String(a.headers['content-security-policy'])).toContain("default-src 'none'");
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key }));
      s3.destroy();
    }
  });
});

describe('the session cookie', () => {
  const cookieOf = async (target: Target, headers: Record<string, string> = {}) => {
    const a = await rawRequest(target, 'POST', '/api/session', { ...bearer(), ...headers });
    expect(a.status).toBe(204);
    return String(a.headers['set-cookie']);
  };

  it('is HttpOnly and SameSite=Strict, and not Secure over plain http', async () => {
    const c = await cookieOf(t);
    expect(c).toMatch(/; HttpOnly/);
    expect(c).toMatch(/; SameSite=Strict/);
    expect(c).not.toMatch(/Secure/);
    // A forwarded proto from a proxy nobody configured is not believed.
    expect(await cookieOf(t, { 'x-forwarded-proto': 'https' })).not.toMatch(/Secure/);
  });

  it('is Secure behind a trusted https proxy, and when the public address is https', async () => {
    const proxied = await variant({ trustProxy: ['127.0.0.1'] });
    expect(await cookieOf(proxied, { 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
    expect(await cookieOf(proxied, { 'x-forwarded-proto': 'http' })).not.toMatch(/Secure/);
    const published = await variant({ publicUrl: 'https://ops.newsroom.example', allowedHosts: ['ops.newsroom.example'] });
    expect(await cookieOf(published, { host: 'ops.newsroom.example', origin: 'https://ops.newsroom.example' })).toMatch(/; Secure/);
  });
});

describe('/readyz and /metrics', () => {
  it('says only ready or not without the token, and why with it', async () => {
    const anon = await rawRequest(t, 'GET', '/readyz');
    // This stack runs no Kafka consumer, so it is not ready, and the reason is infrastructure text.
    expect(anon.status).toBe(503);
    expect(JSON.parse(anon.body)).toEqual({ ok: false });
    for (const headers of [{ authorization: `Bearer ${s.token.slice(0, -1)}` }, { authorization: 'Bearer nope' }]) {
      expect(JSON.parse((await rawRequest(t, 'GET', '/readyz', headers)).body)).toEqual({ ok: false });
    }
    const detailed = JSON.parse((await rawRequest(t, 'GET', '/readyz', bearer())).body);
    expect(detailed.ok).toBe(false);
    expect(detailed.checks.kafka).toBe('kafka not started in this stack');
    expect(detailed.checks.redis).toBe(true);
    expect(Array.isArray(detailed.warnings)).toBe(true);
  });

  it('opens /metrics to anyone while no metrics token is set, and only to that token (or the ops token) once it is', async () => {
    expect((await rawRequest(t, 'GET', '/metrics')).status).toBe(200);
    const metricsToken = randomBytes(24).toString('base64url');
    const guarded = await variant({ metricsToken });
    const wrong: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${metricsToken.slice(0, -1)}` }, { authorization: `Basic ${metricsToken}` }];
    for (const headers of wrong) {
      const a = await rawRequest(guarded, 'GET', '/metrics', headers);
      expect(a.status, JSON.stringify(headers)).toBe(401);
      expect(a.body).not.toContain('wire_queue_jobs');
    }
    for (const token of [metricsToken, s.token]) {
      const a = await rawRequest(guarded, 'GET', '/metrics', { authorization: `Bearer ${token}` });
      expect(a.status).toBe(200);
      expect(a.body).toContain('wire_queue_jobs{queue="deliver",state="waiting"');
    }
    // The metrics token opens nothing else.
    for (const path of ['/api/partners', '/ui/queues', '/api/snapshot']) {
      expect((await rawRequest(guarded, 'GET', path, { authorization: `Bearer ${metricsToken}` })).status, path).toBe(401);
    }
  });
});
