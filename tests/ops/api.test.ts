import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { StoryEvent } from '@wire/queues';
import { registeredRoutes } from '../../services/ops/src/app';
import { startOpsStack, type TestStack } from './harness';

let s: TestStack;

beforeAll(async () => {
  s = await startOpsStack();
});
afterAll(async () => {
  await s?.close();
});

/** A concrete URL for each route pattern, so every registered /api route can be called. */
function concrete(url: string): string {
  return url.replace(':id', 'some-partner').replace('*', encodeURIComponent('urn:wire:x:y'));
}

function event(partial: Partial<StoryEvent> & Pick<StoryEvent, 'uri' | 'version'>): StoryEvent {
  return {
    type: 'story.new',
    source: 'joongang',
    headline: 'Kim Jong-un says visit shows strategic importance of ties with Russia',
    language: 'en',
    decision: { kind: 'new', of: null, scores: {}, reasons: [] },
    at: new Date().toISOString(),
    ...partial,
  };
}

describe('ops API auth', () => {
  it('refuses every /api route without the token, with a wrong token and with a non-bearer scheme', async () => {
    const api = registeredRoutes(s.app).filter((r) => r.url === '/api' || r.url.startsWith('/api/'));
    // The contract's routes are all there (and so is each one the app adds).
    for (const want of ['POST /api/partners', 'GET /api/partners', 'GET /api/partners/:id', 'PATCH /api/partners/:id', 'DELETE /api/partners/:id',
      'POST /api/partners/:id/rotate-secret', 'GET /api/stories', 'GET /api/stories/*', 'GET /api/deliveries', 'GET /api/dead-letters',
      'POST /api/dead-letters/:id/replay']) {
      expect(api.map((r) => `${r.method} ${r.url}`)).toContain(want);
    }
    for (const r of api) {
      const url = concrete(r.url);
      const method = r.method as 'GET';
      for (const headers of [{}, { authorization: 'Bearer not-the-token' }, { authorization: `Basic ${s.token}` }, { cookie: 'wire_ops_token=nope' }]) {
        const res = await s.app.inject({ method, url, headers, payload: method === 'GET' ? undefined : {} });
        expect(res.statusCode, `${r.method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json().error.code).toBe('WIRE_ERR_OPS_UNAUTHORIZED');
      }
    }
  });

  it('refuses the queue UI without the token and serves it with one', async () => {
    expect((await s.app.inject({ url: '/ui/queues' })).statusCode).toBe(401);
    const page = await s.app.inject({ url: '/ui/queues', headers: s.auth });
    expect(page.statusCode).toBe(200);
    const queues = await s.app.inject({ url: '/ui/queues/api/queues?activeQueue=deliver&page=1', headers: s.auth });
    expect(queues.statusCode).toBe(200);
    expect((queues.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort()).toEqual(['deliver', 'media-retry', 'translate']);
  });

  it('signs a browser in: POST /api/session trades the bearer token for an HttpOnly cookie that opens the queue UI', async () => {
    const session = await s.app.inject({ method: 'POST', url: '/api/session', headers: s.auth });
    expect(session.statusCode).toBe(204);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    expect((await s.app.inject({ url: '/ui/queues', headers: { cookie: pair } })).statusCode).toBe(200);
    expect((await s.app.inject({ url: '/api/partners', headers: { cookie: pair } })).statusCode).toBe(200);
    // The dashboard page itself is public; everything it shows comes through the API.
    const page = await s.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/dashboard.js');
  });

  it('lets health and metrics through without a token', async () => {
    expect((await s.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const metrics = await s.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('wire_queue_jobs{queue="deliver",state="waiting"');
  });
});

describe('ops API validation', () => {
  const post = (payload: unknown) => s.app.inject({ method: 'POST', url: '/api/partners', headers: s.auth, payload: payload as object });

  it.each([
    [{ name: 'A', url: 'https://a.example/hook' }, 'id'],
    [{ id: 'has space', name: 'A', url: 'https://a.example/hook' }, 'id'],
    [{ id: 'a', url: 'https://a.example/hook' }, 'name'],
    [{ id: 'a', name: 'A', url: 'ftp://a.example/hook' }, 'url'],
    [{ id: 'a', name: 'A', url: 'not a url' }, 'url'],
    [{ id: 'a', name: 'A', url: 'https://a.example/hook', translateTo: ['Spanish'] }, 'translateTo.0'],
    [{ id: 'a', name: 'A', url: 'https://a.example/hook', filters: { languages: 'en' } }, 'filters.languages'],
    [{ id: 'a', name: 'A', url: 'https://a.example/hook', secret: 'whsec_x' }, 'secret'],
  ])('POST /api/partners %j → 400 naming %s', async (body, field) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    const err = res.json().error as { code: string; message: string; fields: Array<{ field: string }> };
    expect(err.code).toBe('WIRE_ERR_OPS_VALIDATION');
    expect(err.fields.map((f) => f.field)).toContain(field);
    expect(err.message).toContain(field);
  });

  it('names every bad field at once', async () => {
    const res = await post({ id: '', name: '', url: 'x' });
    expect(res.statusCode).toBe(400);
    expect([...new Set(res.json().error.fields.map((f: { field: string }) => f.field))].sort()).toEqual(['id', 'name', 'url']);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await s.app.inject({ method: 'POST', url: '/api/partners', headers: { ...s.auth, 'content-type': 'application/json' }, payload: '{"id":' });
    expect(res.statusCode).toBe(400);
  });

  it('names bad query parameters', async () => {
    const stories = await s.app.inject({ url: '/api/stories?limit=lots', headers: s.auth });
    expect(stories.statusCode).toBe(400);
    expect(stories.json().error.fields[0].field).toBe('limit');
    const deliveries = await s.app.inject({ url: '/api/deliveries?limit=0', headers: s.auth });
    expect(deliveries.statusCode).toBe(400);
    expect(deliveries.json().error.fields[0].field).toBe('limit');
  });
});

describe('partners', () => {
  it('creates, shows the secret once, lists, patches, disables, rotates and deletes', async () => {
    const created = await s.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: s.auth,
      payload: { id: 'daily', name: 'The Daily', url: 'https://daily.example/hooks', filters: { languages: ['en'] }, translateTo: ['es'] },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json() as { id: string; secret: string; translateTo: string[] };
    expect(body.id).toBe('daily');
    expect(body.translateTo).toEqual(['es']);
    expect(body.secret).toMatch(/^whsec_/);
    // The secret signs: a partner verifying with it accepts our signature.
    const wh = new Webhook(body.secret);
    const payload = '{"type":"story.published"}';
    const sig = wh.sign('msg_1', new Date(), payload);
    expect(() => wh.verify(payload, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': sig })).not.toThrow();

    // Never shown again.
    const one = await s.app.inject({ url: '/api/partners/daily', headers: s.auth });
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(body.secret);
    expect(one.json()).not.toHaveProperty('secret');
    expect(one.json()).not.toHaveProperty('secrets');
    const list = await s.app.inject({ url: '/api/partners', headers: s.auth });
    expect(list.json().partners.map((p: { id: string }) => p.id)).toEqual(['daily']);
    expect(list.body).not.toContain('whsec_');

    const again = await s.app.inject({ method: 'POST', url: '/api/partners', headers: s.auth, payload: { id: 'daily', name: 'X', url: 'https://x.example/' } });
    expect(again.statusCode).toBe(409);

    const patched = await s.app.inject({ method: 'PATCH', url: '/api/partners/daily', headers: s.auth, payload: { name: 'The Daily News', filters: { sources: ['yonhap'] } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'The Daily News', filters: { sources: ['yonhap'] } });
    expect((await s.registryStore.get('daily'))?.name).toBe('The Daily News');

    const badPatch = await s.app.inject({ method: 'PATCH', url: '/api/partners/daily', headers: s.auth, payload: { url: 'gopher://x' } });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().error.fields[0].field).toBe('url');

    const disabled = await s.app.inject({ method: 'PATCH', url: '/api/partners/daily', headers: s.auth, payload: { disabled: true, disabledReason: 'maintenance' } });
    expect(disabled.json()).toMatchObject({ disabled: true, disabledReason: 'maintenance' });
    const enabled = await s.app.inject({ method: 'PATCH', url: '/api/partners/daily', headers: s.auth, payload: { disabled: false } });
    expect(enabled.json().disabled).toBe(false);

    const rotated = await s.app.inject({ method: 'POST', url: '/api/partners/daily/rotate-secret', headers: s.auth });
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(body.secret);
    // Both sign during the grace period; the API still shows neither.
    expect(rotated.json().secretsActive).toBe(2);
    const after = await s.app.inject({ url: '/api/partners/daily', headers: s.auth });
    expect(after.body).not.toContain(newSecret);
    expect(after.body).not.toContain(body.secret);

    expect((await s.app.inject({ method: 'DELETE', url: '/api/partners/daily', headers: s.auth })).statusCode).toBe(204);
    expect((await s.app.inject({ url: '/api/partners/daily', headers: s.auth })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'DELETE', url: '/api/partners/daily', headers: s.auth })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'POST', url: '/api/partners/daily/rotate-secret', headers: s.auth })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'PATCH', url: '/api/partners/daily', headers: s.auth, payload: { name: 'x' } })).statusCode).toBe(404);
  });
});

describe('stories', () => {
  it('lists the latest stories and shows one with all versions and its dedupe links', async () => {
    const uri = `urn:wire:joongang:${s.id}`;
    const dupUri = `urn:wire:yonhap:${s.id}`;
    await s.stories.record(event({ uri, version: 1 }));
    await s.stories.record(event({ uri, version: 2, type: 'story.updated', decision: { kind: 'update', of: { uri, version: 1 }, scores: { containment: 0.91 }, reasons: ['same guid, newer version'] } }));
    await s.stories.record(
      event({ uri: dupUri, version: 1, source: 'yonhap', type: 'story.duplicate', decision: { kind: 'duplicate', of: { uri, version: 2 }, scores: { containment: 0.97, simhashDistance: 3 }, reasons: ['near-duplicate of joongang copy'] } }),
    );
    // At-least-once delivery of events: a repeat is not recorded twice.
    const repeat = event({ uri: dupUri, version: 1 });
    await s.stories.record(repeat);
    expect(await s.stories.record(repeat)).toBe(false);

    const list = await s.app.inject({ url: '/api/stories?limit=10', headers: s.auth });
    expect(list.statusCode).toBe(200);
    const stories = list.json().stories as Array<{ uri: string; version: number; decision: { kind: string } }>;
    expect(stories.map((x) => x.uri)).toEqual([dupUri, uri]);
    expect(stories[1]).toMatchObject({ version: 2, decision: { kind: 'update' } });
    expect((await s.app.inject({ url: '/api/stories?limit=1', headers: s.auth })).json().stories).toHaveLength(1);

    const one = await s.app.inject({ url: `/api/stories/${encodeURIComponent(uri)}`, headers: s.auth });
    expect(one.statusCode).toBe(200);
    const view = one.json();
    expect(view.versions.map((v: { version: number; decision: { kind: string } }) => [v.version, v.decision.kind])).toEqual([
      [1, 'new'],
      [2, 'update'],
    ]);
    expect(view.dedupe.linkedFrom).toEqual([
      expect.objectContaining({ uri: dupUri, kind: 'duplicate', scores: { containment: 0.97, simhashDistance: 3 }, reasons: ['near-duplicate of joongang copy'] }),
    ]);
    expect(view.deliveries).toEqual({});

    const missing = await s.app.inject({ url: `/api/stories/${encodeURIComponent('urn:wire:nope:nope')}`, headers: s.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('WIRE_ERR_OPS_NOT_FOUND');

    const metrics = await s.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/wire_dedupe_decisions\{[^}]*kind="duplicate"[^}]*\} 1/);
  });

  it('answers 404 for an unknown dead letter and lists none', async () => {
    const list = await s.app.inject({ url: '/api/dead-letters', headers: s.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().deadLetters).toEqual([]);
    expect((await s.app.inject({ method: 'POST', url: '/api/dead-letters/nope/replay', headers: s.auth })).statusCode).toBe(404);
  });
});
