import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, DeleteBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MediaStore } from '@wire/media';
import { createLogger } from '@wire/observability';
import { deliverJobId, deliveryIds, type DeadLetter, type StoryEvent } from '@wire/queues';
import { PartnerRegistry } from '@wire/routing';
import type { CanonicalStory } from '@wire/schema';
import { canonicalKey, createIngestService, loadIngestConfig, readRawSegmentIndex, type IngestService, type RawSegmentEntry } from '@wire/svc-ingest';
import { testConfig, testSecretBox, testS3Client } from '../helpers/env';
import { createTopic, deleteGroups, deleteRedisPrefixes, deleteS3Prefix, deleteTopics, envelope, isolatedIngestEnv, kafkaFor, listS3, nitf, produce, readUntil } from './helpers';

const cfg = testConfig();
const log = createLogger({ name: 'ingest-test', level: 'silent' });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let s3: S3Client;
let server: Server;
let imageBase = '';
let crane: Buffer;
let flakyHits = 0;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  s3 = testS3Client(cfg);
  crane = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const later = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#993311' } }).jpeg().toBuffer();
  server = createServer((req, res) => {
    if (req.url === '/crane.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(crane);
    else if (req.url === '/flaky.jpg') {
      // Down at ingest time, up when the media-retry worker comes back for it.
      if (flakyHits++ === 0) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(later);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  imageBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('cleanup failed', err));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  s3.destroy();
});

function cleanupRun(env: Record<string, string>) {
  cleanups.push(async () => {
    const kafka = kafkaFor(env);
    await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]);
    await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
    await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
    if (env.S3_BUCKET === cfg.S3_BUCKET || !env.S3_BUCKET) await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  });
}

function page(headline: string, images: string[], paragraphs: string[]): string {
  const figs = images.map((src, i) => `<figure><img src="${src}" alt="Picture ${i}"><figcaption>Picture ${i}. (Yonhap)</figcaption></figure>`);
  const body = paragraphs.map((p, i) => `<p>${p}</p>${i === 0 ? (figs[0] ?? '') : ''}`).join('\n');
  return `<!doctype html><html><head><title>${headline}</title></head><body><article><h1>${headline}</h1>\n${body}${figs.slice(1).join('')}</article></body></html>`;
}

const BUSAN = [
  'BUSAN, March 2 (Yonhap) -- The port of Busan opened a new container terminal on Monday, adding capacity for 2 million containers a year as exports recover.',
  'Officials said the terminal would create 1,200 jobs and ease congestion that has held ships at anchor for days in the busiest months.',
  'The expansion cost 1.4 trillion won and took four years to build, the oceans ministry said in a statement on Monday.',
];
const INCHEON = [
  'INCHEON, March 2 (Yonhap) -- Incheon International Airport opened its fourth runway on Tuesday after two years of delays caused by soft ground under the reclaimed land.',
  'The first of 40 scheduled flights took off at dawn, and the airport said it expects to handle 106 million passengers a year by 2030.',
  'Residents near the flight path have filed 73 noise complaints since test flights began in January, a local council member said.',
];

async function startService(env: Record<string, string>): Promise<IngestService> {
  const service = await createIngestService(loadIngestConfig(env), log);
  cleanups.push(async () => {
    for (const [, step] of service.shutdownSteps()) await step();
  });
  await service.start();
  return service;
}

describe('ingest pipeline on real Kafka, S3 and Redis', () => {
  it('archives, normalizes, stores images once, decides, writes canonical JSON, publishes, routes and dead-letters', async () => {
    const env = isolatedIngestEnv('ingest-flow', { INGEST_CHUNK_SIZE: '4' });
    cleanupRun(env);
    const kafka = kafkaFor(env);
    const raw = env.INGEST_RAW_TOPIC as string;
    await createTopic(kafka, raw, 1);
    const redis = new Redis(cfg.REDIS_URL);
    await new PartnerRegistry(redis, { prefix: env.WIRE_REDIS_PREFIX, secretBox: testSecretBox() }).create({ id: 'daily', name: 'The Daily', url: 'http://127.0.0.1:9/hooks' });
    redis.disconnect();

    const storyA = nitf({ id: 'kospi-1', headline: 'Seoul shares close higher on chip rally', paragraphs: ['SEOUL, March 2 (Yonhap) -- South Korean shares closed 1.2 percent higher on Monday as chipmakers rallied on strong export data.', 'The KOSPI rose 31.5 points to 2,650.3, its highest close in six weeks.'] });
    const storyA2 = nitf({ id: 'kospi-1', headline: 'Seoul shares close higher on chip rally', paragraphs: ['SEOUL, March 2 (Yonhap) -- South Korean shares closed 1.2 percent higher on Monday as chipmakers rallied on strong export data.', 'The KOSPI rose 31.5 points to 2,650.3, its highest close in six weeks.', 'Foreign investors bought a net 412 billion won of shares.'] });
    const hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><nitf><body><p>&b;</p></body></nitf>';
    const at = (n: number) => `2026-03-02T08:00:0${n}Z`;
    const values: string[] = [
      JSON.stringify(envelope({ source: 'yonhap', guid: 'busan-1', receivedAt: at(0), payload: page('Port of Busan expands container terminal', [`${imageBase}/crane.jpg`, `data:image/png;base64,${PNG}`, `${imageBase}/flaky.jpg`], BUSAN) })),
      JSON.stringify(envelope({ source: 'yonhap', guid: 'incheon-1', receivedAt: at(1), payload: page('Incheon airport opens fourth runway after delays', [`${imageBase}/crane.jpg`], INCHEON) })),
      JSON.stringify(envelope({ source: 'yonhap', guid: 'kospi-1', version: 1, receivedAt: at(2), payload: storyA })),
      JSON.stringify(envelope({ source: 'yonhap', guid: 'kospi-1', version: 2, receivedAt: at(3), payload: storyA2 })),
      JSON.stringify(envelope({ source: 'yonhap', guid: 'kospi-1', version: 1, receivedAt: at(4), payload: storyA })),
      '{"source": "yonhap", "payload": ',
      JSON.stringify(envelope({ source: 'yonhap', guid: 'bomb', receivedAt: at(5), payload: hostile })),
      JSON.stringify(envelope({ source: 'yonhap', guid: 'kospi-1', version: 3, pubStatus: 'canceled', receivedAt: at(6), payload: storyA2 })),
    ];
    await produce(kafka, raw, values.map((value) => ({ value, partition: 0 })));
    const service = await startService(env);

    // Output topics are keyed by story uri: order holds per story, so compare per story.
    const events = (await readUntil(kafka, env.INGEST_EVENTS_TOPIC as string, (r) => r.length >= 6, 60_000, 500))
      .map((r) => JSON.parse(r.value) as StoryEvent)
      .sort((a, b) => a.uri.localeCompare(b.uri) || (a.receivedAt ?? '').localeCompare(b.receivedAt ?? ''));
    const canonical = (await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 5, 30_000))
      .filter((r) => !r.headers['wire-media-filled'])
      .sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '') || Number(a.offset) - Number(b.offset));
    const dlq = (await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, (r) => r.length >= 2, 30_000, 300))
      .map((r) => JSON.parse(r.value) as DeadLetter)
      .sort((a, b) => Number(a.origin.offset) - Number(b.origin.offset));

    // Decisions per story in partition order: new pages, new, update, the re-send, the kill.
    expect(events.map((e) => [e.uri, e.version, e.decision.kind])).toEqual([
      ['urn:wire:yonhap:busan-1', 1, 'new'],
      ['urn:wire:yonhap:incheon-1', 1, 'new'],
      ['urn:wire:yonhap:kospi-1', 1, 'new'],
      ['urn:wire:yonhap:kospi-1', 2, 'update'],
      ['urn:wire:yonhap:kospi-1', 1, 'duplicate'],
      ['urn:wire:yonhap:kospi-1', 3, 'kill'],
    ]);
    expect(events).toHaveLength(6);

    // stories.canonical: every accepted version once, keyed by uri; the re-send is not there.
    expect(canonical.slice(0, 5).map((r) => `${r.key} v${r.headers['wire-version']}`)).toEqual([
      'urn:wire:yonhap:busan-1 v1',
      'urn:wire:yonhap:incheon-1 v1',
      'urn:wire:yonhap:kospi-1 v1',
      'urn:wire:yonhap:kospi-1 v2',
      'urn:wire:yonhap:kospi-1 v3',
    ]);
    const killed = JSON.parse(canonical[4]?.value ?? '{}') as CanonicalStory;
    expect(killed.pubStatus).toBe('canceled');

    // Dead letters: the broken envelope and the entity attack, with original bytes and origin.
    expect(dlq.map((d) => [d.origin.offset, d.code])).toEqual([
      ['5', 'WIRE_ERR_INGEST_BAD_ENVELOPE'],
      ['6', expect.stringMatching(/^WIRE_ERR_/)],
    ]);
    expect(dlq[1]?.code).not.toBe('WIRE_ERR_INGEST_BAD_ENVELOPE');
    // The original bytes are in the S3 archive (a dead-letter segment), named by key and range.
    const deadStore = new S3MediaStore(s3, { bucket: cfg.S3_BUCKET });
    for (const [i, d] of dlq.entries()) {
      expect(d.value).toBeUndefined();
      expect(d.raw?.key).toMatch(new RegExp(`^${env.INGEST_S3_PREFIX}dead/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{64}\\.seg$`));
      expect((await deadStore.get(d.raw?.key as string, d.raw))?.toString()).toBe(values[i === 0 ? 5 : 6]);
      expect(d.attempts).toBe(1);
    }
    expect(dlq[0]?.origin).toMatchObject({ topic: raw, partition: 0 });
    expect(dlq[1]?.reason.length).toBeGreaterThan(10);

    // Raw archive: one segment object per chunk, its first line an index of every message whose
    // envelope decoded (the broken envelope at offset 5 is only in the DLQ); a Range GET of an
    // entry returns that message's bytes exactly, and the re-send carries its original's hash.
    const store = new S3MediaStore(s3, { bucket: cfg.S3_BUCKET });
    const read = (key: string, range?: { offset: number; length: number }) => store.get(key, range);
    const segmentKeys = await listS3(s3, cfg.S3_BUCKET, `${env.INGEST_S3_PREFIX}raw/`);
    expect(segmentKeys.length).toBeGreaterThan(0);
    for (const k of segmentKeys) expect(k).toMatch(new RegExp(`^${env.INGEST_S3_PREFIX}raw/2026/03/02/[0-9a-f]{64}\\.seg$`));
    const archived = new Map<string, { key: string; entry: RawSegmentEntry }>();
    for (const key of segmentKeys) {
      const body = (await store.get(key)) as Buffer;
      expect(createHash('sha256').update(body).digest('hex')).toBe(/([0-9a-f]{64})\.seg$/.exec(key)?.[1]);
      for (const entry of readRawSegmentIndex(body)) archived.set(entry.kafkaOffset, { key, entry });
    }
    expect([...archived.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '6', '7']);
    const a = archived.get('2') as { key: string; entry: RawSegmentEntry };
    expect(a.entry).toMatchObject({ source: 'yonhap', receivedAt: at(2), topic: raw, partition: 0, sha256: createHash('sha256').update(storyA).digest('hex') });
    expect((await read(a.key, a.entry))?.toString()).toBe(storyA);
    expect(archived.get('4')?.entry.sha256).toBe(a.entry.sha256);
    expect((await read(archived.get('6')?.key as string, archived.get('6')?.entry))?.toString()).toBe(hostile);

    // Canonical JSON per accepted version, in its chunk's pack; the event points at its bytes.
    const v2event = events[3] as StoryEvent;
    expect(v2event.canonicalKey).toMatch(new RegExp(`^${env.INGEST_S3_PREFIX}canonical/packs/2026/03/02/[0-9a-f]{64}\\.ndjson$`));
    const v2 = JSON.parse((await read(v2event.canonicalKey as string, v2event.canonicalRange))?.toString() ?? '{}') as CanonicalStory;
    expect(v2).toMatchObject({ uri: 'urn:wire:yonhap:kospi-1', version: 2 });
    expect(v2.body).toContain('Foreign investors bought a net 412 billion won of shares.');
    expect(events[4]?.canonicalKey).toBeUndefined(); // the re-send published nothing

    // Images: stored with renditions and dimensions; the crane picture once for both stories.
    const busan = JSON.parse(canonical[0]?.value ?? '{}') as CanonicalStory;
    const incheon = JSON.parse(canonical[1]?.value ?? '{}') as CanonicalStory;
    const craneKey = `${env.INGEST_S3_PREFIX}media/${createHash('sha256').update(crane).digest('hex')}.jpg`;
    expect(busan.images[0]).toMatchObject({ key: craneKey, width: 1600, height: 900, contentType: 'image/jpeg' });
    expect(busan.images[0]?.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
      ['thumbnail', 320, 180],
      ['web', 1024, 576],
    ]);
    expect(busan.images[1]).toMatchObject({ contentType: 'image/png', width: 1, height: 1 });
    expect(busan.images[1]?.embedded).toBeUndefined();
    expect(incheon.images[0]?.key).toBe(craneKey);
    // The picture that could not be fetched did not hold the story: a warning, then the retry fills it in.
    expect(busan.images[2]?.key).toBeUndefined();
    expect(busan.warnings.join('\n')).toMatch(/image 2: WIRE_ERR_MEDIA_HTTP_STATUS/);
    const filled = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.some((x) => x.headers['wire-media-filled'] === '2'), 30_000);
    const refilled = JSON.parse(filled.find((x) => x.headers['wire-media-filled'] === '2')?.value ?? '{}') as CanonicalStory;
    expect(refilled.images[2]).toMatchObject({ width: 800, height: 600 });
    const inS3 = JSON.parse((await store.get(canonicalKey('urn:wire:yonhap:busan-1', 1, env.INGEST_S3_PREFIX)))?.toString() ?? '{}') as CanonicalStory;
    expect(inS3.images[2]?.key).toBe(refilled.images[2]?.key);
    const originals = (await listS3(s3, cfg.S3_BUCKET, `${env.INGEST_S3_PREFIX}media/`)).filter((k) => /\/media\/[0-9a-f]{64}\.\w+$/.test(k));
    expect(originals.sort()).toEqual([craneKey, busan.images[1]?.key, refilled.images[2]?.key].sort());

    // Routes: one delivery per accepted version for the partner, deterministic ids (a chunk's
    // deliveries to the partner may share a batch job, each under its own id).
    const deliver = new Queue('deliver', { connection: { url: cfg.REDIS_URL }, prefix: env.WIRE_QUEUE_PREFIX });
    const ids = deliveryIds(await deliver.getJobs(['waiting', 'delayed'], 0, -1)).sort();
    await deliver.close();
    expect(ids).toEqual(
      [
        deliverJobId('daily', 'urn:wire:yonhap:busan-1', 1, 'story.published'),
        deliverJobId('daily', 'urn:wire:yonhap:incheon-1', 1, 'story.published'),
        deliverJobId('daily', 'urn:wire:yonhap:kospi-1', 1, 'story.published'),
        deliverJobId('daily', 'urn:wire:yonhap:kospi-1', 2, 'story.updated'),
        deliverJobId('daily', 'urn:wire:yonhap:kospi-1', 3, 'story.killed'),
      ].sort(),
    );

    // Metrics a dashboard reads.
    const metrics = await service.registry.metrics();
    expect(metrics).toMatch(/wire_ingest_decisions_total\{[^}]*kind="duplicate"[^}]*\} 1/);
    expect(metrics).toMatch(/wire_ingest_dead_letters_total\{[^}]*code="WIRE_ERR_INGEST_BAD_ENVELOPE"[^}]*\} 1/);
    expect(metrics).toMatch(/wire_ingest_consumer_lag\{[^}]*partition="0"[^}]*\} 0/);
    expect(metrics).toMatch(/wire_ingest_step_duration_seconds_count\{[^}]*step="normalize"/);
  });

  it('waits out an S3 outage (missing bucket): nothing skipped, nothing dead-lettered, then carries on', async () => {
    const bucket = `ingest-outage-${Date.now().toString(36)}`;
    const env = isolatedIngestEnv('ingest-outage', { S3_BUCKET: bucket, INGEST_MEDIA_RETRY_WORKER: 'false' });
    cleanupRun(env);
    const kafka = kafkaFor(env);
    await createTopic(kafka, env.INGEST_RAW_TOPIC as string, 1);
    const docs = [1, 2, 3].map((i) =>
      JSON.stringify(envelope({ source: 'ap', guid: `outage-${i}`, payload: nitf({ id: `outage-${i}`, headline: `Outage story number ${i} about harbor cranes`, paragraphs: [`Story ${i}: the harbor authority said ${i * 120} cranes were idle on Monday after a power failure hit the port.`] }) })),
    );
    await produce(kafka, env.INGEST_RAW_TOPIC as string, docs.map((value) => ({ value })));
    const service = await startService(env);
    // While the bucket is missing every chunk fails and is retried; none is committed or skipped.
    const deadline = Date.now() + 20_000;
    while (!(await service.registry.metrics()).match(/wire_ingest_infra_retries_total\{[^}]*\} [2-9]/) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await service.registry.metrics()).toMatch(/wire_ingest_infra_retries_total\{[^}]*\} [2-9]/);
    const admin = kafka.admin();
    await admin.connect();
    const before = await admin.fetchOffsets({ groupId: env.INGEST_GROUP_ID as string, topics: [env.INGEST_RAW_TOPIC as string] });
    await admin.disconnect();
    expect(before[0]?.partitions[0]?.offset).toBe('-1');

    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    cleanups.push(async () => {
      await deleteS3Prefix(s3, bucket, '');
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    });
    const events = await readUntil(kafka, env.INGEST_EVENTS_TOPIC as string, (r) => r.length >= 3, 60_000, 300);
    expect(events.map((e) => (JSON.parse(e.value) as StoryEvent).uri).sort()).toEqual(['urn:wire:ap:outage-1', 'urn:wire:ap:outage-2', 'urn:wire:ap:outage-3']);
    const dlq = await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, () => true, 5_000, 1000);
    expect(dlq).toHaveLength(0);
  });
});
