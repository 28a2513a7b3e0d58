import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pMap from 'p-map';
import { declareScopeAccess, installAccess, UndeclaredAccessError } from '../../services/ops/src/access';
import { registeredRoutes } from '../../services/ops/src/app';
import { startOpsStack, type TestStack } from './harness';
import { listenLoopback, rawRequest, type Answer, type Target } from './raw-http';

/**
 * The deny-by-default probe: every route the ops app registers (bull-board's included), through
 * every spelling of its path a router or a proxy might read differently, with every method and
 * every wrong credential, over real HTTP (node:http sends the path byte for byte: no client
 * normalizes it). Nothing private may answer 2xx.
 */

let s: TestStack;
let base: Target;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> => rawRequest({ ...base, agent }, method, path, headers, body);

const PARTNER = 'probe-partner';
const PARAMS: Record<string, string> = { id: PARTNER, queueName: 'deliver', jobId: 'probe-job', queueStatus: 'failed', schedulerId: 'probe' };

/** A path that reaches the route's handler: its parameters filled with things that exist. */
function concrete(url: string): string {
  if (url === '/api/stories/*') return `/api/stories/${encodeURIComponent('urn:wire:probe:1')}`;
  if (url === '/api/media/*') return '/api/media/probe/media/x.jpg';
  if (url.endsWith('/static/*')) return url.replace('*', 'favicon.ico');
  return url.replace(/:(\w+)/g, (_, name: string) => PARAMS[name] ?? 'x').replace('*', 'x');
}

const pct = (c: string) => `%${c.charCodeAt(0).toString(16)}`;

/**
 * Other spellings of `path`: percent-encoded letters, upper case, doubled slashes, dot segments
 * (plain and encoded, also through a public route), a trailing slash, `;` parameters, encoded
 * slashes, a backslash, an empty query or fragment.
 */
function spellings(path: string): string[] {
  const segs = path.split('/').slice(1);
  const first = segs[0] ?? '';
  const rest = segs.slice(1).join('/');
  const tail = rest ? `/${rest}` : '';
  const out = [
    path,
    `/${first.replace(/[a-z]/i, pct)}${tail}`,
    `/${first.replace(/[a-z]/gi, (c) => pct(c).toUpperCase())}${tail}`,
    path.replace(/%[0-9a-f]{2}|[a-z]/gi, (m) => (m.length === 3 ? m : pct(m))),
    path.toUpperCase(),
    `/${first.toUpperCase()}${tail}`,
    `/${first.charAt(0).toUpperCase()}${first.slice(1)}${tail}`,
    `/${path}`,
    path.replace(/\//g, '//'),
    `/./${path.slice(1)}`,
    `/x/..${path}`,
    `/%2e${path}`,
    `/x/%2e%2e${path}`,
    `/x/%2E%2E${path}`,
    `/healthz/..${path}`,
    `/dashboard.js/%2e%2e${path}`,
    rest ? `/${first}/./${rest}` : `${path}/.`,
    `${path}/`,
    `${path}/.`,
    `${path};`,
    `/${first};x${tail}`,
    `/${segs.join('%2F')}`,
    `/${segs.join('%2f')}`,
    path.replace(/\//g, '\\').replace(/^\\/, '/'),
    `${path}?`,
    `${path}#x`,
  ];
  return [...new Set(out)];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
const PUBLIC = ['GET /healthz', 'GET /readyz', 'GET /', 'GET /dashboard.js', 'GET /dashboard.css'];

beforeAll(async () => {
  s = await startOpsStack();
  base = await listenLoopback(s.app);
  // Things the concrete paths point at, so a request that got through would find its target.
  const created = await s.app.inject({ method: 'POST', url: '/api/partners', headers: s.auth, payload: { id: PARTNER, name: 'Probe', url: 'https://probe.example/hook' } });
  expect(created.statusCode).toBe(201);
  await s.queues.find((q) => q.name === 'deliver')!.add('probe', { probe: true }, { jobId: 'probe-job' });
});

afterAll(async () => {
  agent.destroy();
  await s?.close();
});

describe('ops access is declared by every route', () => {
  it('has a declared access on every registered route, bull-board included, and only the health, readiness, metrics and dashboard shell routes are not private', () => {
    const routes = registeredRoutes(s.app);
    expect(routes.some((r) => r.url.startsWith('/ui/queues/api/'))).toBe(true);
    expect(routes.some((r) => r.url.startsWith('/ui/queues/static/'))).toBe(true);
    for (const r of routes) expect(['public', 'metrics', 'private'], `${r.method} ${r.url}`).toContain(r.access);
    expect(routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
    expect(routes.filter((r) => r.access === 'metrics').map((r) => `${r.method} ${r.url}`)).toEqual(['GET /metrics']);
  });

  it('refuses to register a route that declares no access, so none is public by accident', async () => {
    const app = Fastify();
    installAccess(app, { token: randomBytes(24).toString('base64url') });
    expect(() => app.get('/forgotten', async () => 'open?')).toThrow(UndeclaredAccessError);
    // Inside a plugin (as bull-board registers its routes) the app does not start at all.
    void app.register(async (p) => {
      p.get('/also-forgotten', async () => 'open?');
    });
    await expect(app.ready()).rejects.toThrow(UndeclaredAccessError);
    await app.close().catch(() => undefined);
  });

  it('gives a route in a scope declared private that access, and refuses it without the token', async () => {
    const token = randomBytes(24).toString('base64url');
    const app = Fastify();
    const access = installAccess(app, { token });
    await app.register(async (p) => {
      declareScopeAccess(p, 'private');
      p.get('/inside', async () => 'secret');
    });
    app.get('/outside', { config: { access: 'public' } }, async () => 'hello');
    expect(access.routes.map((r) => `${r.method} ${r.url} ${r.access}`)).toEqual(['GET /inside private', 'GET /outside public']);
    expect((await app.inject({ url: '/inside' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/inside', headers: { authorization: `Bearer ${token}` } })).body).toBe('secret');
    expect((await app.inject({ url: '/outside' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('ops access probe over real HTTP', () => {
  it('answers no private route 2xx: every route × every spelling × every method, with no, a wrong and a one-short token', async () => {
    const routes = registeredRoutes(s.app);
    const priv = routes.filter((r) => r.access === 'private');
    const privatePaths = [...new Set(priv.map((r) => concrete(r.url)))];
    const publicPaths = new Set(routes.filter((r) => r.access !== 'private').map((r) => r.url));
    const wrongTokens: Array<[string, Record<string, string>]> = [
      ['wrong token', { authorization: `Bearer ${randomBytes(24).toString('base64url')}` }],
      ['token one character short', { authorization: `Bearer ${s.token.slice(0, -1)}` }],
      ['one-short token as the cookie', { cookie: `wire_ops_token=${encodeURIComponent(s.token.slice(0, -1))}` }],
    ];
    const probes: Array<{ what: string; run: () => Promise<Answer> }> = [];
    const probe = (method: string, path: string, label: string, headers: Record<string, string>) => {
      // A spelling that is a public route's own path (none is) would not probe this route.
      if (publicPaths.has(path) && (method === 'GET' || method === 'HEAD')) return;
      const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? '{}' : undefined;
      probes.push({ what: `${method} ${path} (${label})`, run: () => send(method, path, headers, body) });
    };
    // Without a token: every private path, every spelling, every method.
    for (const path of privatePaths) for (const spelling of spellings(path)) for (const method of METHODS) probe(method, spelling, 'no token', {});
    // Wrong credentials: every route with its own method (GET's HEAD too), every spelling.
    for (const r of priv) {
      for (const spelling of spellings(concrete(r.url))) {
        for (const method of r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]) for (const [label, headers] of wrongTokens) probe(method, spelling, label, headers);
      }
    }
    // The public routes' paths with any other method match no route, so they are private too.
    for (const path of publicPaths) for (const method of METHODS.filter((m) => m !== 'GET' && m !== 'HEAD')) probe(method, path, 'no token', {});

    const answers = await pMap(probes, (p) => p.run(), { concurrency: 8 });
    const open = probes.map((p, i) => ({ what: p.what, status: answers[i]!.status })).filter((a) => a.status < 400);
    expect(open, 'answered below 400').toEqual([]);
    // Every refusal is the token check's 401: no route, spelling or method slips to another answer.
    const other = probes.map((p, i) => ({ what: p.what, status: answers[i]!.status })).filter((a) => a.status !== 401);
    expect(other).toEqual([]);
    expect(answers.every((a) => a.body.includes('WIRE_ERR_OPS_UNAUTHORIZED') || a.body === '')).toBe(true);
    expect(privatePaths.length).toBeGreaterThan(50);
    expect(probes.length).toBeGreaterThan(privatePaths.length * METHODS.length * 20);
  }, 300_000);

  it('answers a malformed percent-escape 400 without repeating the path', async () => {
    for (const path of ['/api/partners/%zz', '/%6', '/ui/queues/%E0%A4%A']) {
      const a = await send('GET', path);
      expect(a.status, path).toBe(400);
      expect(JSON.parse(a.body)).toEqual({ error: { code: 'WIRE_ERR_OPS_VALIDATION', message: 'the URL is not valid percent-encoding' } });
    }
  });

  it('lets the token through to every private route (the probe paths reach real handlers)', async () => {
    const routes = registeredRoutes(s.app).filter((r) => r.access === 'private');
    // Read-only first; the routes that change or remove things last.
    const order = (m: string) => (m === 'GET' ? 0 : m === 'DELETE' ? 2 : 1);
    for (const r of [...routes].sort((a, b) => order(a.method) - order(b.method))) {
      const body = r.method === 'GET' ? undefined : r.url.endsWith('/replay-failures') ? JSON.stringify({ since: new Date(0).toISOString() }) : '{}';
      const a = await send(r.method, concrete(r.url), { authorization: `Bearer ${s.token}` }, body);
      expect(a.status, `${r.method} ${r.url}`).not.toBe(401);
      expect(a.body, `${r.method} ${r.url} matched no route`).not.toContain('no such route');
    }
  });

  it('answers an unknown path the same 401 without the token and a 404 that repeats nothing of the request with it', async () => {
    const path = '/no-such-route-<script>x</script>';
    const without = await send('GET', encodeURI(path));
    expect(without.status).toBe(401);
    const known = await send('GET', '/api/partners');
    expect(without.body).toBe(known.body);
    const withToken = await send('GET', encodeURI(path), { authorization: `Bearer ${s.token}` });
    expect(withToken.status).toBe(404);
    expect(JSON.parse(withToken.body)).toEqual({ error: { code: 'WIRE_ERR_OPS_NOT_FOUND', message: 'no such route' } });
  });
});
