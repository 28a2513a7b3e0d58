/**
 * `wire bench ingest [--json] [--size N] [--images M] [--partitions P]`
 *
 * Ingest throughput on the real Kafka, S3 and Redis, beside raw kafkajs consumption of the same
 * messages in the same run:
 * - raw: a kafkajs consumer group reads the N envelopes on `wire.raw` (eachBatch, nothing else);
 * - text: the ingest service (in-process, same code as `services/ingest/src/main.ts`) takes the
 *   same N text stories to `stories.canonical` + events + deliver jobs for one partner, with the
 *   raw archive segment and canonical pack in S3 (one object each per chunk), dedupe in Redis,
 *   one transaction per chunk;
 * - images: M stories, each with its own picture by URL (a local HTTP server), stored with two
 *   renditions — images stored per second.
 * A second baseline, raw S3 PUTs of story-sized objects at ingest's concurrency, shows what one
 * object per story would cost (the reason ingest writes per chunk).
 * Topics, group, S3 prefix, Redis and BullMQ prefixes are unique to the run and removed after.
 * JSON keys: storiesPerSec, rawConsumePerSec, ratio, ingestCpuMsPerStory (this process, all its
 * threads, over the text run), imagesPerSec, rawS3PutsPerSec.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import sharp from 'sharp';
import { s3SettingsOf } from '@wire/config';
import { createS3Client } from '@wire/s3';
import { createLogger } from '@wire/observability';
import type { RawWireMessageInput } from '@wire/queues';
import { PartnerRegistry } from '@wire/routing';
import { generateSecretsKey, SecretBox } from '@wire/secrets';
import { createIngestService, isolatedRunEnv, loadIngestConfig } from '@wire/svc-ingest';
import type { CommandIO } from '../packages/cli/src/io';
import { flag } from './args';
import { wireText as text } from './wire-text';
import { deleteKeysMatching } from '@wire/infra';

/** A NITF story of ~250 words, unique per `i`. */
function story(i: number, image?: string): string {
  const paras = [0, 1, 2, 3, 4].map((p) => `<p>${p === 0 ? 'SEOUL, March 2 (Yonhap) -- ' : ''}${text(i * 16 + p, 50)} ${i}.</p>`).join('');
  const media = image ? `<media media-type="image"><media-reference source="${image}" mime-type="image/jpeg"/><media-caption>Picture ${i}</media-caption></media>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><nitf><head><title>Story ${i}</title><docdata><doc-id id-string="b-${i}"/></docdata></head><body><body.head><hedline><hl1>${text(i * 16 + 9, 8)} ${i}</hl1></hedline></body.head><body.content>${paras}${media}</body.content></body></nitf>`;
}

function htmlWithImage(i: number, image: string): string {
  const paras = [0, 1, 2].map((p) => `<p>${text(i * 16 + p + 100_000_000, 45)} ${i}.</p>`);
  return `<!doctype html><html><head><title>Picture story ${i}</title></head><body><article><h1>${text(i * 16 + 13 + 100_000_000, 8)} ${i}</h1>${paras[0]}<figure><img src="${image}" alt="p"><figcaption>Picture ${i}. (Yonhap)</figcaption></figure>${paras[1]}${paras[2]}</article></body></html>`;
}

/** Mean ms per observation of each step, e.g. `normalize 1.4 ms/msg`. */
function stepSums(metrics: string): string {
  const counts = new Map<string, number>();
  for (const m of metrics.matchAll(/wire_ingest_step_duration_seconds_count\{[^}]*step="([^"]+)"[^}]*\} (\d+)/g)) counts.set(m[1] as string, Number(m[2]));
  const out: string[] = [];
  for (const m of metrics.matchAll(/wire_ingest_step_duration_seconds_sum\{[^}]*step="([^"]+)"[^}]*\} ([\d.e+-]+)/g)) {
    const step = m[1] as string;
    const per = ['normalize', 'media'].includes(step) ? 'msg' : 'chunk';
    out.push(`${step} ${((Number(m[2]) * 1000) / (counts.get(step) || 1)).toFixed(1)} ms/${per}`);
  }
  return out.join(', ');
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const json = argv.includes('--json');
  const size = flag(argv, 'size', 10_000, { allowZero: true, whole: true });
  const images = flag(argv, 'images', 300, { allowZero: true, whole: true });
  const partitions = flag(argv, 'partitions', 4, { allowZero: true, whole: true });
  const say = (line: string) => (json ? io.stderr : io.stdout).write(`${line}\n`);
  const runId = `bench-ingest-${process.pid}-${Date.now().toString(36)}`;
  const env: Record<string, string | undefined> = {
    ...io.env,
    LOG_LEVEL: 'warn',
    WIRE_ALLOW_PRIVATE_HOSTS: io.env.WIRE_ALLOW_PRIVATE_HOSTS || '127.0.0.1,localhost',
    ...isolatedRunEnv(runId, 'bench'),
    INGEST_MEDIA_RETRY_WORKER: 'false',
  };
  const config = loadIngestConfig(env);
  const log = createLogger({ name: 'bench-ingest', level: 'warn' });
  const kafka = new Kafka({ clientId: 'bench-ingest', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const redis = new Redis(config.REDIS_URL);
  const s3 = createS3Client(s3SettingsOf(config));
  const imageServer = createServer();
  const pictures: Buffer[] = [];
  let service: Awaited<ReturnType<typeof createIngestService>> | undefined;
  await admin.connect();
  try {
    // --- setup (not timed): topic, partner, messages, pictures
    const raw = config.INGEST_RAW_TOPIC;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: raw, numPartitions: partitions, replicationFactor: 1 }] });
    const secretBox = new SecretBox({ key: Buffer.from(generateSecretsKey(), 'base64') });
    await new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX, secretBox }).create({ id: 'bench-partner', name: 'Bench', url: 'http://127.0.0.1:9/hooks' });
    for (let i = 0; i < images; i++) {
      pictures.push(await sharp({ create: { width: 1600, height: 1000, channels: 3, background: { r: i % 256, g: (i * 7) % 256, b: (i * 13) % 256 } } }).jpeg({ quality: 85 }).toBuffer());
    }
    imageServer.on('request', (req, res) => {
      const n = Number(/\/p(\d+)\.jpg$/.exec(req.url ?? '')?.[1]);
      const body = pictures[n];
      if (body) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => imageServer.listen(0, '127.0.0.1', r));
    const imageBase = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;

    say(`ingest bench: ${size} text stories, ${images} picture stories, ${partitions} partitions, run ${runId}`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const receivedAt = new Date().toISOString();
    const envelopeOf = (source: string, guid: string, payload: string): RawWireMessageInput => ({ source, guid, receivedAt, payload });
    for (let i = 0; i < size; i += 1000) {
      const messages = [];
      for (let j = i; j < Math.min(size, i + 1000); j++) messages.push({ key: `bench:${j}`, value: JSON.stringify(envelopeOf('bench', `t-${j}`, story(j))) });
      await producer.send({ topic: raw, acks: -1, messages });
    }
    await producer.disconnect();
    say(`published ${size} envelopes`);

    // --- raw baseline: kafkajs consumption of the same messages, nothing else
    // Same fetch settings as the ingest consumer.
    const rawConsumer = kafka.consumer({ groupId: `${runId}-raw`, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 200 });
    await rawConsumer.connect();
    await rawConsumer.subscribe({ topic: raw, fromBeginning: true });
    let rawCount = 0;
    let rawStart = 0;
    let rawEnd = 0;
    rawConsumer.on(rawConsumer.events.GROUP_JOIN, () => {
      if (rawStart === 0) rawStart = performance.now();
    });
    const rawDone = new Promise<void>((resolve) => {
      void rawConsumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: partitions,
        eachBatch: async ({ batch }) => {
          rawCount += batch.messages.length;
          if (rawCount >= size) {
            rawEnd = performance.now();
            resolve();
          }
        },
      });
    });
    await rawDone;
    await rawConsumer.disconnect();
    const rawPerSec = size / ((rawEnd - rawStart) / 1000);
    say(`raw kafkajs consume: ${rawPerSec.toFixed(0)} msg/s`);

    // --- raw S3 baseline: story-sized PUTs (what writing per story instead of per chunk would cap)
    const puts = Math.min(1000, Math.max(200, Math.floor(size / 10)));
    let next = 0;
    const s3Start = performance.now();
    await Promise.all(
      Array.from({ length: config.INGEST_CONCURRENCY * config.INGEST_PARTITIONS_CONCURRENTLY }, async () => {
        while (next < puts) {
          const k = next++;
          await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: `${config.INGEST_S3_PREFIX}s3-baseline/${k}`, Body: story(k) }));
        }
      }),
    );
    const s3PutsPerSec = puts / ((performance.now() - s3Start) / 1000);
    say(`raw S3 PUT: ${s3PutsPerSec.toFixed(0)} objects/s (two per story would cap ingest near ${(s3PutsPerSec / 2).toFixed(0)} stories/s; ingest writes two per chunk)`);

    // --- ingest: the same messages to canonical + events + jobs
    let stories = 0;
    let jobs = 0;
    let firstChunkAt = 0;
    let doneAt = 0;
    let target = size;
    let onTarget: () => void = () => undefined;
    let reached = new Promise<void>((r) => (onTarget = r));
    service = await createIngestService(config, log, {
      onJoin: () => {
        if (firstChunkAt === 0) firstChunkAt = performance.now();
      },
      onChunk: ({ outcome }) => {
        stories += outcome.stories;
        jobs += outcome.jobIds.length;
        if (stories >= target && doneAt === 0) {
          doneAt = performance.now();
          onTarget();
        }
      },
    });
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    await service.start();
    let last = 0;
    const progress = setInterval(() => {
      if (stories !== last) say(`  ingest: ${stories}/${target} stories`);
      last = stories;
    }, 2000);
    await reached;
    clearInterval(progress);
    // Like the raw figure: from joining the group to the last chunk committed (connecting and
    // the join itself are the same for both and not part of the work).
    const storiesPerSec = size / ((doneAt - firstChunkAt) / 1000);
    const withStartup = size / ((doneAt - startedAt) / 1000);
    // CPU of this process (every thread: consumer, normalize and dedupe threads), not of Kafka,
    // S3 or Redis: with everything on one small machine, CPU per story is what bounds the rate.
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuMsPerStory = (cpu.user + cpu.system) / 1000 / size;
    say(`ingest text: ${storiesPerSec.toFixed(0)} stories/s (${withStartup.toFixed(0)}/s counting connect and group join), ${jobs} deliver jobs, ${cpuMsPerStory.toFixed(2)} ms CPU per story in this process`);
    const metricsText = await service.registry.metrics();
    say(`  mean time per step: ${stepSums(metricsText)}`);
    // Every bench story is different: anything but \`new\` here would be a false merge.
    const decisions = [...metricsText.matchAll(/wire_ingest_decisions_total\{[^}]*kind="([^"]+)"[^}]*\} (\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    say(`  decisions: ${decisions.join(', ') || 'none'}`);

    // --- pictures: each story with its own picture by URL
    let imagesPerSec = 0;
    if (images > 0) {
      stories = 0;
      doneAt = 0;
      target = images;
      reached = new Promise<void>((r) => (onTarget = r));
      const before = Number((/wire_ingest_images_total\{[^}]*outcome="stored"[^}]*\} (\d+)/.exec(await service.registry.metrics()) ?? [])[1] ?? 0);
      const p2 = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await p2.connect();
      const t0 = performance.now();
      await p2.send({
        topic: raw,
        acks: -1,
        messages: Array.from({ length: images }, (_, i) => ({ key: `bench-pic:${i}`, value: JSON.stringify(envelopeOf('bench-pic', `p-${i}`, htmlWithImage(i, `${imageBase}/p${i}.jpg`))) })),
      });
      await p2.disconnect();
      await reached;
      const stored = Number((/wire_ingest_images_total\{[^}]*outcome="stored"[^}]*\} (\d+)/.exec(await service.registry.metrics()) ?? [])[1] ?? 0) - before;
      imagesPerSec = stored / ((doneAt - t0) / 1000);
      say(`ingest pictures: ${stored} images stored (original + 2 renditions each) at ${imagesPerSec.toFixed(1)} images/s`);
    }

    const ratio = storiesPerSec / rawPerSec;
    say(`ratio ingest/raw: ${(ratio * 100).toFixed(1)}% (goal ≥ 5%); goal ≥ 1000 stories/s: ${storiesPerSec >= 1000 ? 'met' : 'not met'}`);
    if (json) io.stdout.write(`${JSON.stringify({ storiesPerSec: Math.round(storiesPerSec), rawConsumePerSec: Math.round(rawPerSec), ratio: Number(ratio.toFixed(4)), ingestCpuMsPerStory: Number(cpuMsPerStory.toFixed(2)), imagesPerSec: Number(imagesPerSec.toFixed(1)), rawS3PutsPerSec: Math.round(s3PutsPerSec), size })}\n`);
    return 0;
  } finally {
    if (service) for (const [, step] of service.shutdownSteps()) await step().catch((err: unknown) => log.warn({ err }, 'bench teardown step failed'));
    imageServer.closeAllConnections();
    await new Promise((r) => imageServer.close(r));
    // Clean up everything the run created.
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(runId));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch((err: unknown) => log.warn({ err }, 'topic cleanup failed'));
    await admin.deleteGroups([`${runId}-ingest`, `${runId}-raw`]).catch((err: unknown) => log.warn({ err }, 'group cleanup failed'));
    await admin.disconnect();
    for (const prefix of [config.WIRE_REDIS_PREFIX, config.WIRE_QUEUE_PREFIX]) await deleteKeysMatching(redis, `${prefix}*`);
    redis.disconnect();
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: config.S3_BUCKET, Prefix: config.INGEST_S3_PREFIX, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key as string }));
      if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: config.S3_BUCKET, Delete: { Objects: keys } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    s3.destroy();
  }
}
