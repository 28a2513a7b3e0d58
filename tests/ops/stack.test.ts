import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, StoryEvent } from '@wire/queues';
import { startOpsStack, type TestStack } from './harness';

let s: TestStack;

beforeAll(async () => {
  s = await startOpsStack({ kafka: true });
});
afterAll(async () => {
  await s?.close();
});

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ops against the running Kafka, Redis and S3', () => {
  it('is ready when Kafka, Redis and S3 answer', async () => {
    const res = await s.app.inject({ url: '/readyz', headers: s.auth });
    expect(res.json()).toMatchObject({ ok: true, checks: { kafka: true, redis: true, s3: true } });
    expect(res.statusCode).toBe(200);
    // Without the token: ready or not, nothing else.
    expect((await s.app.inject({ url: '/readyz' })).json()).toEqual({ ok: true });
  });

  it('is not ready, naming S3, when the bucket does not exist', async () => {
    const other = await startOpsStack({ bucket: `missing-${randomUUID()}` });
    try {
      const res = await other.app.inject({ url: '/readyz', headers: other.auth });
      expect(res.statusCode).toBe(503);
      const body = res.json() as { ok: boolean; checks: Record<string, unknown> };
      expect(body.ok).toBe(false);
      expect(body.checks.redis).toBe(true);
      expect(body.checks.s3).not.toBe(true);
    } finally {
      await other.close();
    }
  });

  it('indexes story events from Kafka and serves them', async () => {
    const producer = s.kafka.producer();
    await producer.connect();
    const uri = `urn:wire:ap:${s.id}`;
    const ev: StoryEvent = {
      type: 'story.new',
      uri,
      version: 1,
      source: 'ap',
      headline: 'Captain of wrecked cruise ship on trial in Italy',
      language: 'en',
      decision: { kind: 'new', of: null, scores: {}, reasons: [] },
      at: new Date().toISOString(),
    };
    await producer.send({ topic: s.topics.events, messages: [{ key: uri, value: JSON.stringify(ev) }, { key: 'junk', value: 'not json' }] });
    await producer.disconnect();
    const stories = await eventually(async () => {
      const res = await s.app.inject({ url: '/api/stories', headers: s.auth });
      const list = res.json().stories as Array<{ uri: string; headline: string }>;
      return list.some((x) => x.uri === uri) ? list : undefined;
    }, 'the event in /api/stories');
    expect(stories.find((x) => x.uri === uri)?.headline).toBe('Captain of wrecked cruise ship on trial in Italy');
    // The consumer commits what it indexed: no lag left on its group.
    const metrics = await eventually(async () => {
      const body = (await s.app.inject({ url: '/metrics' })).body;
      const line = body.split('\n').find((l) => l.startsWith('wire_consumer_lag{') && l.includes(`topic="${s.topics.events}"`));
      return line?.endsWith(' 0') ? body : undefined;
    }, 'zero lag on the events topic');
    expect(metrics).toContain('wire_consumer_lag');
  });

  it('lists an ingest dead letter from Kafka and replays its original bytes to the topic it came from', async () => {
    const original = Buffer.from('{"source":"ap","payload":"<nitf><!DOCTYPE boom></nitf>"}');
    const dl: DeadLetter = {
      id: `dlq-${s.id}`,
      code: 'WIRE_ERR_XML_ENTITY',
      reason: 'payload: DTD refused (NITF)',
      at: new Date().toISOString(),
      origin: { topic: s.topics.raw, partition: 0, offset: '41', key: 'ap:boom' },
      value: original.toString('base64'),
    };
    const producer = s.kafka.producer();
    await producer.connect();
    await producer.send({ topic: s.topics.dlq, messages: [{ key: dl.id, value: JSON.stringify(dl) }] });
    await producer.disconnect();

    const listed = await eventually(async () => {
      const res = await s.app.inject({ url: '/api/dead-letters?kind=ingest', headers: s.auth });
      const list = res.json().deadLetters as Array<{ id: string; code: string; reason: string; kind: string }>;
      return list.find((d) => d.id === dl.id);
    }, 'the dead letter in /api/dead-letters');
    expect(listed).toMatchObject({ kind: 'ingest', code: 'WIRE_ERR_XML_ENTITY', reason: 'payload: DTD refused (NITF)' });

    const consumer = s.kafka.consumer({ groupId: `${s.id}-replay-check` });
    await consumer.connect();
    await consumer.subscribe({ topic: s.topics.raw, fromBeginning: true });
    const received: Array<{ key: string | undefined; value: Buffer }> = [];
    await consumer.run({ eachMessage: async ({ message }) => void received.push({ key: message.key?.toString(), value: message.value ?? Buffer.alloc(0) }) });

    const replay = await s.app.inject({ method: 'POST', url: `/api/dead-letters/${dl.id}/replay`, headers: s.auth });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ id: dl.id, kind: 'ingest', replayed: true });
    const got = await eventually(async () => received[0], 'the replayed message on the raw topic');
    await consumer.disconnect();
    expect(got.key).toBe('ap:boom');
    expect(got.value.equals(original)).toBe(true);
    const after = await s.app.inject({ url: '/api/dead-letters?kind=ingest', headers: s.auth });
    expect(after.json().deadLetters.find((d: { id: string }) => d.id === dl.id).replayedAt).toBeTruthy();
  });

  it('streams dashboard snapshots over server-sent events', async () => {
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = s.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    expect((await fetch(`http://127.0.0.1:${port}/api/live`)).status).toBe(401);
    const ctrl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/live`, { headers: s.auth, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: snapshot/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    ctrl.abort();
    const first = text.split('event: snapshot\ndata: ')[1]!.split('\n')[0]!;
    const snap = JSON.parse(first) as { stories: unknown[]; queues: Array<{ name: string }>; lag: unknown[] };
    expect(snap.queues.map((q) => q.name).sort()).toEqual(['deliver', 'media-retry', 'translate']);
    expect(Array.isArray(snap.stories)).toBe(true);
  });
});
