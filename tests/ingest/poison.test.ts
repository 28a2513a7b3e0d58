import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DedupeEngine, RedisDedupeStore } from '@wire/dedupe';
import { S3MediaStore } from '@wire/media';
import { createLogger } from '@wire/observability';
import { DeadLetter, type StoryEvent } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';
import { createIngestService, loadIngestConfig, readRawSegmentIndex, type IngestService } from '@wire/svc-ingest';
import { IngestDeadLetters } from '../../services/ops/src/ingest-dead-letters';
import { S3Objects } from '../../services/ops/src/s3';
import { testConfig, testS3Client } from '../helpers/env';
import { createTopic, deleteGroups, deleteRedisPrefixes, deleteS3Prefix, deleteTopics, envelope, isolatedIngestEnv, kafkaFor, nitf, paragraph, produce, readUntil, seeded, type TopicRecord } from './helpers';

const cfg = testConfig();
const log = createLogger({ name: 'poison-test', level: 'silent' });
let s3: S3Client;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  s3 = testS3Client(cfg);
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('cleanup failed', err));
  s3.destroy();
});

/** An isolated run: its topics (raw with `partitions`), group, prefixes; removed after the file. */
async function run(tag: string, partitions: number, extra: Record<string, string> = {}) {
  const env = isolatedIngestEnv(tag, { INGEST_MEDIA_RETRY_WORKER: 'false', ...extra });
  const kafka = kafkaFor(env);
  cleanups.push(async () => {
    await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]);
    await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
    await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
    await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  });
  await createTopic(kafka, env.INGEST_RAW_TOPIC as string, partitions);
  return { env, kafka };
}

async function start(env: Record<string, string>, overrides: Parameters<typeof createIngestService>[2] = {}): Promise<IngestService & { stop: () => Promise<void> }> {
  const service = await createIngestService(loadIngestConfig(env), log, overrides);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const [, step] of service.shutdownSteps()) await step();
  };
  cleanups.push(stop);
  await service.start();
  return Object.assign(service, { stop });
}

const rand = seeded(17);
/** A wire story (NITF envelope) with its own guid. */
function story(guid: string, headline: string): string {
  return JSON.stringify(envelope({ source: 'yonhap', guid, payload: nitf({ id: guid, headline, paragraphs: [paragraph(rand), paragraph(rand)] }) }));
}

/**
 * The real dedupe engine on Redis, with a bug for one story: deciding a batch that holds a story
 * whose headline has "POISON" throws `bug()` (as a step that breaks on one input would).
 */
function buggyDecider(env: Record<string, string>, bug: () => Error) {
  const redis = new Redis(cfg.REDIS_URL);
  cleanups.push(async () => redis.disconnect());
  const engine = new DedupeEngine({ store: new RedisDedupeStore({ redis, prefix: `${env.WIRE_REDIS_PREFIX}dedupe`, windowDays: 30 }), windowDays: 30 });
  const decider = {
    decideMany: async (items: Array<{ story: CanonicalStory; receivedAt?: string }>) => {
      if (items.some((i) => i.story.headline.includes('POISON'))) throw bug();
      return engine.decideMany(items);
    },
  };
  return { decider, redis };
}
const typeError = () => new TypeError("Cannot read properties of undefined (reading 'uri')");

const uris = (records: TopicRecord[]) => records.map((r) => r.key as string).sort();
const deadLetters = (records: TopicRecord[]) => records.map((r) => DeadLetter.parse(JSON.parse(r.value)));
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('ingest isolates poison messages', () => {
  it('the 5.2 MB "& " story: dead-lettered with reason, attempts and an S3 reference to its bytes; good stories after it on its partition and another come out; ops replays it from S3', async () => {
    const { env, kafka } = await run('poison-size', 2);
    // Its canonical JSON comes out over 20 MB ("&" → "&amp;" in the HTML body, the text beside it).
    const poison = JSON.stringify(envelope({ source: 'yonhap', guid: 'amp-flood', contentType: 'text/plain', payload: `Council votes on harbor budget\nBy Kim Min-ji\n\n${'& '.repeat(2_600_000)}` }));
    expect(poison.length).toBeGreaterThan(5_200_000);
    await produce(kafka, env.INGEST_RAW_TOPIC as string, [
      { key: 'yonhap:amp-flood', value: poison, partition: 0 },
      { key: 'yonhap:same-partition', value: story('same-partition', 'Harbor cranes idle after power cut'), partition: 0 },
      { key: 'yonhap:other-partition', value: story('other-partition', 'Rail strike ends after four days'), partition: 1 },
    ]);
    let batchAt = 0;
    let poisonChunk: { ms: number; deadLetters: number; lastOffset: string } | undefined;
    const service = await start(env, {
      onBatch: ({ partition }) => {
        if (partition === 0 && batchAt === 0) batchAt = performance.now();
      },
      onChunk: ({ partition, lastOffset, outcome }) => {
        if (partition === 0 && !poisonChunk) poisonChunk = { ms: performance.now() - batchAt, deadLetters: outcome.deadLetters, lastOffset };
      },
    });

    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 2, 120_000, 1000);
    expect(uris(canonical)).toEqual(['urn:wire:yonhap:other-partition', 'urn:wire:yonhap:same-partition']);
    const [dl] = deadLetters(await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, (r) => r.length >= 1, 60_000, 500));
    expect(dl).toMatchObject({
      code: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE',
      origin: { topic: env.INGEST_RAW_TOPIC, partition: 0, offset: '0', key: 'yonhap:amp-flood' },
      attempts: 1,
      bytes: Buffer.byteLength(poison),
    });
    expect(dl?.reason).toMatch(/^story urn:wire:yonhap:amp-flood: canonical record of \d+ bytes, over INGEST_MAX_RECORD_BYTES \(15728640\)$/);
    expect(dl?.value).toBeUndefined();
    // The bytes, read back from S3 by the reference alone, are the message as it was produced.
    const raw = dl?.raw as NonNullable<DeadLetter['raw']>;
    const bytes = await new S3MediaStore(s3, { bucket: cfg.S3_BUCKET }).get(raw.key, raw);
    expect(bytes?.equals(Buffer.from(poison))).toBe(true);
    expect(createHash('sha256').update(bytes as Buffer).digest('hex')).toBe(raw.sha256);
    const segment = (await new S3MediaStore(s3, { bucket: cfg.S3_BUCKET }).get(raw.key)) as Buffer;
    expect(readRawSegmentIndex(segment)).toEqual([expect.objectContaining({ kafkaOffset: '0', partition: 0, source: 'yonhap', contentType: 'application/vnd.wire.kafka-value', offset: raw.offset, length: raw.length })]);
    // Nothing of the story went out: no event, no canonical record.
    const events = (await readUntil(kafka, env.INGEST_EVENTS_TOPIC as string, (r) => r.length >= 2, 10_000, 500)).map((r) => JSON.parse(r.value) as StoryEvent);
    expect(events.map((e) => e.uri).sort()).toEqual(['urn:wire:yonhap:other-partition', 'urn:wire:yonhap:same-partition']);
    // Refused before producing: no retry, no bisection.
    const metrics = await service.registry.metrics();
    expect(metric(metrics, 'wire_ingest_bisections_total')).toBe(0);
    expect(metric(metrics, 'wire_ingest_infra_retries_total')).toBe(0);
    expect(metrics).toMatch(/wire_ingest_dead_letters_total\{[^}]*code="WIRE_ERR_INGEST_RECORD_TOO_LARGE"[^}]*\} 1/);
    // Its chunk (it and the story behind it) committed on the first attempt.
    expect(poisonChunk).toMatchObject({ deadLetters: 1, lastOffset: '1' });
    console.log(`poison (record size): dead-lettered on its chunk's first attempt, 0 retries, 0 splits; the chunk committed ${((poisonChunk?.ms ?? 0) / 1000).toFixed(1)} s after its batch arrived`);
    await service.stop();

    // Ops replay: the dead letter as ops indexes it, the bytes from S3, back on the raw topic.
    const redis = new Redis(cfg.REDIS_URL);
    const opsS3 = testS3Client(cfg);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    try {
      const ops = new IngestDeadLetters(redis, `${env.WIRE_REDIS_PREFIX}ops:`, { objects: new S3Objects(opsS3, cfg.S3_BUCKET) });
      await ops.record(dl as DeadLetter);
      const [view] = await ops.list(10);
      expect(view).toMatchObject({ id: dl?.id, bytes: Buffer.byteLength(poison), attempts: 1, raw });
      await producer.connect();
      expect(await ops.replay(dl?.id as string, async (topic, key, value) => void (await producer.send({ topic, messages: [{ key, value }] })))).toBe(true);
      const replayed = await readUntil(kafka, env.INGEST_RAW_TOPIC as string, (r) => r.filter((x) => x.partition === 0).length >= 3, 30_000, 500);
      const last = replayed.filter((x) => x.key === 'yonhap:amp-flood');
      expect(last).toHaveLength(2);
      expect(last[1]?.value).toBe(poison);
    } finally {
      await producer.disconnect();
      redis.disconnect();
      opsS3.destroy();
    }
  }, 300_000);

  it('a document that runs the normalize thread out of its heap budget is dead-lettered with a typed reason; the rest of its chunk publishes', async () => {
    const { env, kafka } = await run('poison-heap', 1, { INGEST_NORMALIZE_MAX_HEAP_MB: '64', INGEST_CHUNK_SIZE: '10' });
    const killer = JSON.stringify(envelope({ source: 'yonhap', guid: 'heap-killer', contentType: 'text/plain', payload: `Heap killer\nBy Staff\n\n${'& '.repeat(2_600_000)}` }));
    await produce(kafka, env.INGEST_RAW_TOPIC as string, [
      { value: story('before-1', 'Exports rise for a third month') },
      { value: story('before-2', 'Typhoon nears southern coast') },
      { value: killer },
      { value: story('after-1', 'Museum reopens after renovation') },
      { value: story('after-2', 'Court upholds shipyard ruling') },
    ]);
    const service = await start(env);
    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 4, 180_000, 1000);
    expect(uris(canonical)).toEqual(['urn:wire:yonhap:after-1', 'urn:wire:yonhap:after-2', 'urn:wire:yonhap:before-1', 'urn:wire:yonhap:before-2']);
    const dead = deadLetters(await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, (r) => r.length >= 1, 60_000, 500));
    expect(dead.map((d) => [d.origin.offset, d.code])).toEqual([['2', 'WIRE_ERR_INGEST_NORMALIZE_MEMORY']]);
    expect(dead[0]?.reason).toMatch(/^normalize: ran out of its 64 MB heap \(text\/plain, \d+ bytes from yonhap\)$/);
    const bytes = await new S3MediaStore(s3, { bucket: cfg.S3_BUCKET }).get(dead[0]?.raw?.key as string, dead[0]?.raw);
    expect(bytes?.toString()).toBe(killer);
    const metrics = await service.registry.metrics();
    expect(metrics).toMatch(/wire_ingest_normalize_budget_exceeded_total\{[^}]*budget="memory"[^}]*\} 1/);
    expect(metric(metrics, 'wire_ingest_bisections_total')).toBe(0);
  }, 300_000);

  it('a story that breaks a step (unattributed): the chunk is bisected once down to it, it is dead-lettered with reason and tries, every other story comes out once', async () => {
    const { env, kafka } = await run('poison-bisect', 2, { INGEST_CHUNK_SIZE: '8', INGEST_DEDUPE_THREAD: 'false' });
    const { decider, redis } = buggyDecider(env, typeError);
    const p0 = ['a', 'b', 'POISON', 'c', 'd', 'e', 'f', 'g'].map((h, i) => ({ value: story(`p0-${i}`, `${h === 'POISON' ? 'POISON pill story' : `Story ${h}`} on partition zero`), partition: 0 }));
    const p1 = ['h', 'i', 'j'].map((h, i) => ({ value: story(`p1-${i}`, `Story ${h} on partition one`), partition: 1 }));
    await produce(kafka, env.INGEST_RAW_TOPIC as string, [...p0, ...p1]);
    const service = await start(env, { decider });

    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 10, 180_000, 1500);
    expect(uris(canonical)).toEqual([0, 1, 3, 4, 5, 6, 7].map((i) => `urn:wire:yonhap:p0-${i}`).concat([0, 1, 2].map((i) => `urn:wire:yonhap:p1-${i}`)).sort());
    const dead = deadLetters(await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, (r) => r.length >= 1, 60_000, 1000));
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ code: 'WIRE_ERR_INGEST_POISON', origin: { partition: 0, offset: '2' } });
    // 4 tries of the chunk of 8 (INGEST_CHUNK_MAX_ATTEMPTS), one of [0-3], one of [2-3], 4 of the message alone.
    expect(dead[0]?.attempts).toBe(4 + 1 + 1 + 4);
    expect(dead[0]?.reason).toMatch(/^fails on its own, 10 tries, infrastructure answering: TypeError: /);
    const bytes = await new S3MediaStore(s3, { bucket: cfg.S3_BUCKET }).get(dead[0]?.raw?.key as string, dead[0]?.raw);
    expect(bytes?.toString()).toBe(p0[2]?.value);
    // One bisection: ⌈log2 8⌉ = 3 splits, no more.
    const metrics = await service.registry.metrics();
    const splits = metric(metrics, 'wire_ingest_bisections_total');
    expect(splits).toBe(3);
    const recovery = metric(metrics, 'wire_ingest_recovery_seconds_sum');
    expect(recovery).toBeGreaterThan(0);
    console.log(`poison (bisection): chunk of 8, ${splits} splits, ${dead[0]?.attempts} tries of the poison message, partition flowing again ${recovery.toFixed(1)} s after the chunk first failed`);
    // The ledger holds nothing once every chunk committed (plans and verdicts are dropped).
    const ledger = (kind: string) => `${env.WIRE_REDIS_PREFIX}ingest:${kind}:${env.INGEST_GROUP_ID}:${env.INGEST_RAW_TOPIC}:0`;
    expect(await redis.hlen(ledger('verdicts'))).toBe(0);
    expect(await redis.hlen(ledger('plans'))).toBe(0);
  }, 300_000);

  it('a bisection interrupted by a restart goes on where it was (the ledger keeps the halves): one bisection in all', async () => {
    const { env, kafka } = await run('poison-resume', 1, { INGEST_CHUNK_SIZE: '8', INGEST_DEDUPE_THREAD: 'false' });
    const { decider } = buggyDecider(env, typeError);
    // 16 messages, chunks of 8, the poison at offset 5: a fresh cut after a restart would be 4–11.
    const messages = Array.from({ length: 16 }, (_, i) => ({ value: story(`r-${i}`, i === 5 ? 'POISON in the second half' : `Resume story ${i}`) }));
    await produce(kafka, env.INGEST_RAW_TOPIC as string, messages);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const committedAt = async () => Number((await admin.fetchOffsets({ groupId: env.INGEST_GROUP_ID as string, topics: [env.INGEST_RAW_TOPIC as string] }))[0]?.partitions[0]?.offset ?? -1);

    const first = await start(env, { decider });
    // Stop it once the bisection began and the good first half committed.
    const deadline = Date.now() + 120_000;
    while ((await committedAt()) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const splitsFirst = metric(await first.registry.metrics(), 'wire_ingest_bisections_total');
    await first.stop();
    expect(splitsFirst).toBeGreaterThanOrEqual(1);

    const second = await start(env, { decider });
    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 15, 180_000, 1500);
    expect(uris(canonical)).toEqual(messages.map((_, i) => `urn:wire:yonhap:r-${i}`).filter((u) => u !== 'urn:wire:yonhap:r-5').sort());
    const dead = deadLetters(await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, (r) => r.length >= 1, 60_000, 1000));
    expect(dead.map((d) => [d.origin.offset, d.code])).toEqual([['5', 'WIRE_ERR_INGEST_POISON']]);
    const splitsSecond = metric(await second.registry.metrics(), 'wire_ingest_bisections_total');
    expect(splitsFirst + splitsSecond).toBe(3);
    console.log(`poison (restart mid-bisection): ${splitsFirst} splits before the restart, ${splitsSecond} after, ${splitsFirst + splitsSecond} in all for a chunk of 8`);
  }, 300_000);

  it("a partition that keeps failing never holds another: partition 1's stories come out while partition 0 retries", async () => {
    const { env, kafka } = await run('poison-stall', 2, { INGEST_CHUNK_SIZE: '4', INGEST_DEDUPE_THREAD: 'false', INGEST_CHUNK_MAX_ATTEMPTS: '1000000', INGEST_RETRY_MAX_MS: '500' });
    const { decider } = buggyDecider(env, () => new RangeError('bug for this story'));
    await produce(kafka, env.INGEST_RAW_TOPIC as string, [
      { value: story('stuck-0', 'POISON that never clears'), partition: 0 },
      { value: story('stuck-1', 'Behind the poison on partition zero'), partition: 0 },
    ]);
    const service = await start(env, { decider });
    // Partition 0 is failing and retrying before anything arrives on partition 1.
    const deadline = Date.now() + 60_000;
    while (metric(await service.registry.metrics(), 'wire_ingest_infra_retries_total') < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await produce(kafka, env.INGEST_RAW_TOPIC as string, [1, 2, 3].map((i) => ({ value: story(`free-${i}`, `Free story ${i} on partition one`), partition: 1 })));
    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 3, 60_000, 2000);
    expect(uris(canonical)).toEqual(['urn:wire:yonhap:free-1', 'urn:wire:yonhap:free-2', 'urn:wire:yonhap:free-3']);
    // Partition 0 is still retrying: nothing of it out, nothing dead-lettered, nothing committed.
    expect(await readUntil(kafka, env.INGEST_DLQ_TOPIC as string, () => true, 3_000, 500)).toHaveLength(0);
    const metrics = await service.registry.metrics();
    expect(metrics).toMatch(/wire_ingest_partition_retrying\{[^}]*partition="0"[^}]*\} 1/);
    expect(metric(metrics, 'wire_ingest_infra_retries_total')).toBeGreaterThanOrEqual(3);
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: env.INGEST_GROUP_ID as string, topics: [env.INGEST_RAW_TOPIC as string] });
    await admin.disconnect();
    expect(new Map(offsets?.partitions.map((p) => [p.partition, p.offset]))).toEqual(new Map([[0, '-1'], [1, '3']]));
  }, 300_000);
});
