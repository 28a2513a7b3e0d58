import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Job, Worker } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queues, type DeliverJob } from '@wire/queues';
import { CanonicalStory } from '@wire/schema';
import { DeadLetterStore, DeliveryLog, type DeliveryAttempt } from '@wire/webhooks';
import { testConfig, testS3Client } from '../helpers/env';
import { startOpsStack, type TestStack } from './harness';

let s: TestStack;
const cfg = testConfig();
const s3 = testS3Client(cfg);
const written: string[] = [];

async function put(key: string, body: Buffer | string, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key, Body: body, ContentType: contentType }));
  written.push(key);
}

beforeAll(async () => {
  s = await startOpsStack();
});
afterAll(async () => {
  for (const key of written) await s3.send(new DeleteObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key })).catch(() => undefined);
  s3.destroy();
  await s?.close();
});

function attempt(partial: Partial<DeliveryAttempt> & Pick<DeliveryAttempt, 'partnerId' | 'storyUri' | 'version' | 'outcome'>): DeliveryAttempt {
  return {
    jobId: `job-${partial.partnerId}-${partial.version}-${partial.attempt ?? 1}`,
    webhookId: `msg_${partial.partnerId}_${partial.version}`,
    eventType: 'story.published',
    attempt: 1,
    at: new Date().toISOString(),
    ...partial,
  };
}

describe('deliveries, dead letters and the story view', () => {
  it('shows a story with its images (thumbnails from S3) and its deliveries per partner with attempts', async () => {
    const uri = `urn:wire:yonhap:${s.id}`;
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
    const thumbKey = `${s.id}/media/thumb-${s.id}.png`;
    await put(thumbKey, png, 'image/png');
    const story = CanonicalStory.parse({
      uri,
      source: 'yonhap',
      guid: s.id,
      version: 1,
      headline: 'Kim arrives in Khasan',
      language: 'en',
      contentHash: 'a'.repeat(64),
      wordCount: 3,
      images: [{ caption: 'Kim salutes an honor guard', credit: 'YONHAP', key: `${s.id}/media/orig-${s.id}.jpg`, renditions: [{ name: 'thumbnail', key: thumbKey, contentType: 'image/png', width: 8, height: 6 }] }],
    });
    const canonicalKey = `${s.id}/canonical/v1.json`;
    await put(canonicalKey, JSON.stringify(story), 'application/json');
    await s.stories.record({
      type: 'story.new',
      uri,
      version: 1,
      source: 'yonhap',
      headline: story.headline,
      language: 'en',
      decision: { kind: 'new', of: null, scores: {}, reasons: [] },
      canonicalKey,
      at: new Date().toISOString(),
    });
    const log = new DeliveryLog(s.redis, { prefix: s.prefix });
    const t0 = Date.now();
    await log.record(attempt({ partnerId: 'daily', storyUri: uri, version: 1, outcome: 'retrying', status: 503, latencyMs: 40, at: new Date(t0).toISOString() }));
    await log.record(attempt({ partnerId: 'daily', storyUri: uri, version: 1, attempt: 2, outcome: 'delivered', status: 200, latencyMs: 25, endToEndMs: 1500, at: new Date(t0 + 1).toISOString() }));
    await log.record(attempt({ partnerId: 'weekly', storyUri: uri, version: 1, outcome: 'dead', status: 400, latencyMs: 12, at: new Date(t0 + 2).toISOString() }));

    const res = await s.app.inject({ url: `/api/stories/${encodeURIComponent(uri)}`, headers: s.auth });
    expect(res.statusCode).toBe(200);
    const view = res.json();
    const image = view.versions[0].story.images[0];
    expect(image).toMatchObject({ caption: 'Kim salutes an honor guard', credit: 'YONHAP', thumbnail: `/api/media/${thumbKey}` });
    expect(view.deliveries.daily.map((d: { attempt: number; status: string; httpStatus: number }) => [d.attempt, d.status, d.httpStatus])).toEqual([
      [1, 'retrying', 503],
      [2, 'delivered', 200],
    ]);
    expect(view.deliveries.weekly[0]).toMatchObject({ status: 'dead', httpStatus: 400 });

    const thumb = await s.app.inject({ url: image.thumbnail, headers: s.auth });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/png');
    expect(thumb.rawPayload.equals(png)).toBe(true);
    expect((await s.app.inject({ url: image.thumbnail })).statusCode).toBe(401);
    expect((await s.app.inject({ url: `/api/media/${s.id}/media/missing.png`, headers: s.auth })).statusCode).toBe(404);

    // The delivery log through the API, filtered.
    const byPartner = await s.app.inject({ url: '/api/deliveries?partner=daily', headers: s.auth });
    expect(byPartner.json().deliveries.map((d: { attempt: number }) => d.attempt)).toEqual([2, 1]);
    const dead = await s.app.inject({ url: `/api/deliveries?story=${encodeURIComponent(uri)}&status=dead`, headers: s.auth });
    expect(dead.json().deliveries.map((d: { partnerId: string }) => d.partnerId)).toEqual(['weekly']);

    // Latency histograms per partner, including wire-received → partner 2xx.
    await s.metrics.poll();
    const metrics = (await s.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/wire_delivery_attempt_seconds_count\{[^}]*partner="daily"[^}]*\} 2/);
    expect(metrics).toMatch(/wire_delivery_end_to_end_seconds_sum\{[^}]*partner="daily"[^}]*\} 1\.5/);
    // A dead delivery never reached the partner: no end-to-end figure for it.
    expect(metrics).not.toMatch(/wire_delivery_end_to_end_seconds_count\{[^}]*partner="weekly"/);

    // The story list says where each story went.
    const list = (await s.app.inject({ url: '/api/stories?limit=5', headers: s.auth })).json();
    expect(list.stories[0].destinations).toEqual(
      expect.arrayContaining([
        { partner: 'daily', status: 'delivered', attempts: 2 },
        { partner: 'weekly', status: 'dead', attempts: 1 },
      ]),
    );

    // The dashboard's partner health from the same log.
    const snap = (await s.app.inject({ url: '/api/snapshot', headers: s.auth })).json();
    expect(snap.stories[0].destinations).toEqual(expect.arrayContaining([{ partner: 'daily', status: 'delivered 200' }, { partner: 'weekly', status: 'dead 400' }]));
  });

  it('lists delivery dead letters and replays one, and all of a partner since a time', async () => {
    const deliver = s.queues.find((q) => q.name === Queues.deliver)!;
    const dead = new DeadLetterStore(s.redis, deliver, { prefix: s.prefix });
    const story = CanonicalStory.parse({ uri: `urn:wire:ap:${s.id}`, source: 'ap', guid: s.id, version: 1, headline: 'x', contentHash: 'b'.repeat(64), wordCount: 1 });
    const data: DeliverJob = { partnerId: 'daily', eventType: 'story.published', storyUri: story.uri, version: 1, story } as DeliverJob;
    for (const id of [`dl1-${s.id}`, `dl2-${s.id}`]) {
      await dead.add({ id, partnerId: 'daily', storyUri: story.uri, version: 1, eventType: 'story.published', code: 'WIRE_ERR_WEBHOOK_4XX', reason: 'partner answered 400', at: new Date().toISOString(), attempts: 1, lastStatus: 400 }, data);
    }
    const list = await s.app.inject({ url: '/api/dead-letters?kind=delivery', headers: s.auth });
    expect(list.json().deadLetters.map((d: { id: string; kind: string }) => [d.id, d.kind]).sort()).toEqual([
      [`dl1-${s.id}`, 'delivery'],
      [`dl2-${s.id}`, 'delivery'],
    ]);
    const one = await s.app.inject({ method: 'POST', url: `/api/dead-letters/dl1-${s.id}/replay`, headers: s.auth });
    expect(one.statusCode).toBe(202);
    expect(one.json()).toMatchObject({ kind: 'delivery', replayed: true });
    expect(await Job.fromId(deliver, `dl1-${s.id}`)).toBeDefined();

    const bad = await s.app.inject({ method: 'POST', url: '/api/partners/daily/replay-failures', headers: s.auth, payload: { since: 'yesterday' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].field).toBe('since');
    const all = await s.app.inject({ method: 'POST', url: '/api/partners/daily/replay-failures', headers: s.auth, payload: { since: new Date(Date.now() - 60_000).toISOString() } });
    expect(all.statusCode).toBe(202);
    expect(all.json().replayed).toBe(1);
    expect(await Job.fromId(deliver, `dl2-${s.id}`)).toBeDefined();
    const after = await s.app.inject({ url: '/api/dead-letters?kind=delivery', headers: s.auth });
    expect(after.json().deadLetters).toEqual([]);
  });

  it('reports translation latency and queue throughput from finished translate jobs', async () => {
    const translate = s.queues.find((q) => q.name === Queues.translate)!;
    const connection = s.redis.duplicate();
    const watching = s.metrics.watchQueues(() => s.redis.duplicate());
    await watching.ready;
    const worker = new Worker(translate.name, async () => 'done', { connection, prefix: translate.opts.prefix });
    try {
      const job = await translate.add('t', { targetLanguage: 'es' });
      for (let i = 0; i < 100 && (await job.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
      await s.metrics.poll();
      const body = (await s.app.inject({ url: '/metrics' })).body;
      expect(body).toMatch(/wire_translation_seconds_count\{[^}]*language="es"[^}]*\} 1/);
      // Throughput from the queue's event stream.
      for (let i = 0; i < 50 && !/wire_queue_jobs_total\{[^}]*queue="translate"[^}]*event="completed"[^}]*\} 1/.test((await s.app.inject({ url: '/metrics' })).body); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await s.app.inject({ url: '/metrics' })).body).toMatch(/wire_queue_jobs_total\{[^}]*queue="translate"[^}]*event="completed"[^}]*\} 1/);
    } finally {
      await watching.stop();
      await worker.close();
      connection.disconnect();
    }
  });
});
