/**
 * A late image does not roll `stories.canonical` back, on the real Kafka, Redis and S3: the image
 * host answers 503 while ingest takes v1 (and while the media-retry job first tries), the agency
 * then sends v2 — or kills the story — and only then does the host come back and the job run
 * again (its 30 s backoff cut short by promoting the delayed job in BullMQ). The checks read the
 * topic from its start and the S3 objects the media-retry worker writes; a story left at v1 is the
 * control that the filled copy does go out while v1 is the latest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MediaStore } from '@wire/media';
import { createLogger } from '@wire/observability';
import { Queues, mediaRetryJobId } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';
import { canonicalKey, createIngestService, loadIngestConfig, type IngestService } from '@wire/svc-ingest';
import { testConfig, testS3Client } from '../helpers/env';
import { until } from '../webhooks/harness';
import { createTopic, deleteGroups, deleteRedisPrefixes, deleteS3Prefix, deleteTopics, envelope, isolatedIngestEnv, kafkaFor, produce, readUntil, type TopicRecord } from './helpers';

const cfg = testConfig();
const log = createLogger({ name: 'late-image-test', level: 'silent' });

let s3: S3Client;
let server: Server;
let imageBase = '';
let hostUp = false;
let hits = 0;
let env: Record<string, string>;
let service: IngestService | undefined;
let queue: Queue | undefined;

beforeAll(async () => {
  s3 = testS3Client(cfg);
  const picture = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#225588' } }).jpeg().toBuffer();
  server = createServer((req, res) => {
    hits++;
    if (!hostUp) res.writeHead(503).end();
    else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(picture);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  imageBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = isolatedIngestEnv('late-image', { INGEST_CHUNK_SIZE: '10' });
  await createTopic(kafkaFor(env), env.INGEST_RAW_TOPIC as string, 1);
});

afterAll(async () => {
  const quietly = (p: Promise<unknown> | undefined) => p?.catch((err: unknown) => console.error('cleanup failed', err));
  if (service) for (const [, step] of service.shutdownSteps()) await quietly(step());
  await quietly(queue?.close());
  const kafka = kafkaFor(env);
  await quietly(deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]));
  await quietly(deleteGroups(kafka, [env.INGEST_GROUP_ID as string]));
  await quietly(deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]));
  await quietly(deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  s3.destroy();
});

/** A news page with a picture (the late one) after its first paragraph, or none. */
function page(headline: string, paragraphs: string[], image?: string): string {
  const fig = image ? `<figure><img src="${image}" alt="Harbor"><figcaption>The harbor on Monday. (Yonhap)</figcaption></figure>` : '';
  return `<!doctype html><html><head><title>${headline}</title></head><body><article><h1>${headline}</h1>\n${paragraphs.map((p, i) => `<p>${p}</p>${i === 0 ? fig : ''}`).join('\n')}</article></body></html>`;
}

const text = (place: string, extra: string[] = []) => [
  `${place.toUpperCase()}, March 2 (Yonhap) -- Dock workers in ${place} returned to work on Monday after a 3-day strike over night shifts ended with a deal on overtime pay.`,
  `The port authority said 41 ships had waited at anchor off ${place} and that the backlog would take about a week to clear.`,
  ...extra,
];

async function publish(guid: string, doc: string, extra: { version?: number; pubStatus?: 'canceled' } = {}): Promise<void> {
  await produce(kafkaFor(env), env.INGEST_RAW_TOPIC as string, [{ key: `yonhap:${guid}`, value: JSON.stringify(envelope({ source: 'yonhap', guid, contentType: 'text/html', payload: doc, ...extra })), partition: 0 }]);
}

const uri = (guid: string) => `urn:wire:yonhap:${guid}`;
const of = (records: TopicRecord[], guid: string) => records.filter((r) => r.key === uri(guid));
const label = (r: TopicRecord) => `v${r.headers['wire-version']} ${r.headers['wire-media-filled'] !== undefined ? 'filled' : r.headers['wire-decision']}`;

describe('media-retry after a newer version', () => {
  it('fills the S3 copy of v1 but leaves stories.canonical on v2 or the kill; a story still at v1 gets its filled copy', async () => {
    service = await createIngestService(loadIngestConfig(env), log);
    await service.start();
    queue = new Queue(Queues.mediaRetry, { connection: { url: cfg.REDIS_URL }, prefix: env.WIRE_QUEUE_PREFIX });
    const late = `${imageBase}/harbor.jpg`;
    /** A media-retry job that has failed at least once and waits out its backoff. */
    const waiting = async (id: string) => {
      const job = await queue!.getJob(id);
      return job !== undefined && job.attemptsMade >= 1 && (await job.getState()) === 'delayed';
    };

    // v1 of three stories, each with the picture, while the host answers 503.
    await publish('busan-dock', page('Busan dock strike ends', text('Busan'), late), { version: 1 });
    await publish('ulsan-dock', page('Ulsan dock strike ends', text('Ulsan'), late), { version: 1 });
    await publish('mokpo-dock', page('Mokpo dock strike ends', text('Mokpo'), late), { version: 1 });
    for (const guid of ['busan-dock', 'ulsan-dock', 'mokpo-dock']) await until(`${guid} v1's image job tried once and waiting`, () => waiting(mediaRetryJobId(uri(guid), 1, 0)), 60_000);

    // Busan gets v2 (no picture); Ulsan is killed with the first page again and no version.
    await publish('busan-dock', page('Busan dock strike ends', text('Busan', ['Union leaders said the deal would be put to a vote on Friday.'])), { version: 2 });
    await publish('ulsan-dock', page('Ulsan dock strike ends', text('Ulsan'), late), { pubStatus: 'canceled' });
    await readUntil(kafkaFor(env), env.INGEST_CANONICAL_TOPIC as string, (r) => of(r, 'busan-dock').length >= 2 && of(r, 'ulsan-dock').length >= 2, 60_000);
    // The kill carries the picture too: its own job (as version 2) waits like the others.
    await until("the kill's image job tried once and waiting", () => waiting(mediaRetryJobId(uri('ulsan-dock'), 2, 0)), 60_000);

    // The host comes back; the delayed jobs run now instead of after their backoff.
    hostUp = true;
    const before = hits;
    await queue.promoteJobs();
    await until('every media-retry job completed', async () => {
      const counts = await queue!.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'completed', 'failed');
      const { completed = 0, ...rest } = counts;
      return completed === 4 && Object.values(rest).every((n) => !n);
    }, 60_000);
    expect(hits - before).toBe(4);

    // stories.canonical from its start: Mokpo's filled copy (the control) is there; Busan and
    // Ulsan end on v2 and the kill, with no filled copy of anything after them.
    const records = await readUntil(kafkaFor(env), env.INGEST_CANONICAL_TOPIC as string, (r) => of(r, 'mokpo-dock').length >= 2, 30_000, 1_000);
    expect(of(records, 'mokpo-dock').map(label)).toEqual(['v1 new', 'v1 filled']);
    expect(of(records, 'busan-dock').map(label)).toEqual(['v1 new', 'v2 update']);
    expect(of(records, 'ulsan-dock').map(label)).toEqual(['v1 new', 'v2 kill']);
    const lastOf = (guid: string) => JSON.parse(of(records, guid).at(-1)!.value) as CanonicalStory;
    expect(lastOf('busan-dock')).toMatchObject({ version: 2, pubStatus: 'usable' });
    expect(lastOf('ulsan-dock')).toMatchObject({ version: 2, pubStatus: 'canceled' });
    expect(lastOf('mokpo-dock').images[0]).toMatchObject({ width: 640, height: 480 });

    // The filled v1 objects exist all the same (the ops story view reads them).
    const store = new S3MediaStore(s3, { bucket: cfg.S3_BUCKET });
    for (const [guid, version] of [['busan-dock', 1], ['ulsan-dock', 1], ['ulsan-dock', 2], ['mokpo-dock', 1]] as const) {
      const filled = JSON.parse((await store.get(canonicalKey(uri(guid), version, env.INGEST_S3_PREFIX)))?.toString() ?? '{}') as CanonicalStory;
      expect(filled, `${guid} v${version}`).toMatchObject({ uri: uri(guid), version });
      expect(filled.images[0]?.key, `${guid} v${version}`).toMatch(new RegExp(`^${env.INGEST_S3_PREFIX}media/[0-9a-f]{64}\\.jpg$`));
    }
  });
});
