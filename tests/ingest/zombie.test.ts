import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@wire/observability';
import { createIngestService, loadIngestConfig } from '@wire/svc-ingest';
import { testConfig, testS3Client } from '../helpers/env';
import {
  createTopic,
  deleteGroups,
  deleteRedisPrefixes,
  deleteS3Prefix,
  deleteTopics,
  envelope,
  isolatedIngestEnv,
  kafkaFor,
  nitf,
  paragraph,
  produce,
  readUncommitted,
  readUntil,
  seeded,
  spawnIngest,
  waitRunning,
  type IngestChild,
} from './helpers';

const cfg = testConfig();
const env = isolatedIngestEnv('zombie', { INGEST_CHUNK_SIZE: '4', INGEST_MEDIA_RETRY_WORKER: 'false', INGEST_SESSION_TIMEOUT_MS: '6000' });
const kafka = kafkaFor(env);
const PER_PARTITION = 8;
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('cleanup failed', err));
  const s3: S3Client = testS3Client(cfg);
  await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]);
  await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
  await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
  await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  s3.destroy();
});

/**
 * A thread that waits until the group's committed offset of `partition` reaches `target`, then
 * wakes the test's thread (blocked in `Atomics.wait`, like a process stopped by the kernel).
 */
function waker(flag: SharedArrayBuffer, partition: number, target: number, maxMs: number): Worker {
  const code = `
    const { workerData } = require('node:worker_threads');
    const { Kafka, logLevel } = require(workerData.kafkajs);
    const flag = new Int32Array(workerData.flag);
    (async () => {
      const admin = new Kafka({ clientId: 'waker', brokers: workerData.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const deadline = Date.now() + workerData.maxMs;
      while (Date.now() < deadline) {
        const [t] = await admin.fetchOffsets({ groupId: workerData.group, topics: [workerData.topic] });
        const p = t && t.partitions.find((x) => x.partition === workerData.partition);
        if (p && Number(p.offset) >= workerData.target) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      await admin.disconnect();
    })().finally(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });`;
  const kafkajs = createRequire(import.meta.url).resolve('kafkajs');
  return new Worker(code, { eval: true, workerData: { flag, partition, target, maxMs, kafkajs, brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), group: env.INGEST_GROUP_ID, topic: env.INGEST_RAW_TOPIC } });
}

/**
 * The test's Kafka client for replica A: real producers, but the first transaction A is about to
 * commit stops the whole thread — records sent, transaction open, heartbeats silent — until the
 * group has moved on and the new owner has committed past A's chunk.
 */
function stallingReplica(k: Kafka): { kafka: Kafka; stalled: () => { partition: number; offset: number } | undefined } {
  let stalled: { partition: number; offset: number } | undefined;
  const wrapped = Object.create(k) as Kafka;
  wrapped.producer = (config) => {
    const p: Producer = k.producer(config);
    const partition = Number(config?.transactionalId?.split('.').pop());
    const begin = p.transaction.bind(p);
    p.transaction = async (): Promise<Transaction> => {
      const txn = await begin();
      let offset = -1;
      const sendOffsets = txn.sendOffsets.bind(txn);
      txn.sendOffsets = async (o) => {
        offset = Number(o.topics[0]?.partitions[0]?.offset);
        return sendOffsets(o);
      };
      const commit = txn.commit.bind(txn);
      txn.commit = async () => {
        if (!stalled && offset > 0) {
          stalled = { partition, offset };
          const flag = new SharedArrayBuffer(4);
          const w = waker(flag, partition, offset, 150_000);
          Atomics.wait(new Int32Array(flag), 0, 0, 160_000);
          await w.terminate();
        }
        return commit();
      };
      return txn;
    };
    return p;
  };
  return { kafka: wrapped, stalled: () => stalled };
}

async function committed(): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: env.INGEST_GROUP_ID as string, topics: [env.INGEST_RAW_TOPIC as string] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('a replica that stalls mid-chunk and wakes after the group moved on', () => {
  it('cannot make its records visible or move the offsets: every story once on stories.canonical, offsets at the end', async () => {
    await createTopic(kafka, env.INGEST_RAW_TOPIC as string, 2);
    const log = createLogger({ name: 'replica-a', level: 'silent' });

    // Replica B runs first (a process of its own); replica A joins, and the two share the partitions.
    const b: IngestChild = spawnIngest(env);
    cleanups.push(async () => {
      if (b.proc.exitCode === null) {
        b.proc.kill('SIGTERM');
        await b.exited;
      }
    });
    await waitRunning(b, 120_000);
    const stall = stallingReplica(kafkaFor(env));
    const a = await createIngestService(loadIngestConfig(env), log, { kafka: stall.kafka });
    cleanups.push(async () => {
      for (const [, step] of a.shutdownSteps()) await step();
    });
    await a.start();
    // Both in the group: B has been told of A (a rebalance it took part in) once it logs taking or revoking.
    const deadline = Date.now() + 60_000;
    while (!b.output.some((l) => l.includes('"partition revoked; its worker stops"') || l.includes('"partition taken"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const rand = seeded(11);
    const messages = [0, 1].flatMap((partition) =>
      Array.from({ length: PER_PARTITION }, (_, i) => {
        const guid = `z${partition}-${i}`;
        return { partition, value: JSON.stringify(envelope({ source: 'afp', guid, payload: nitf({ id: guid, headline: `Zombie check ${partition} ${i} ${paragraph(rand, 5)}`, paragraphs: [paragraph(rand)] }) })) };
      }),
    );
    await produce(kafka, env.INGEST_RAW_TOPIC as string, messages);

    // Every story once for read_committed consumers, whoever published it.
    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= 2 * PER_PARTITION, 240_000, 3000);
    const stalled = stall.stalled();
    expect(stalled, 'replica A reached a commit and stalled there').toBeDefined();
    const keys = canonical.map((r) => r.key as string).sort();
    expect(keys).toEqual(messages.map((m) => `urn:wire:afp:${JSON.parse(m.value).guid as string}`).sort());
    expect(new Set(keys).size).toBe(2 * PER_PARTITION);

    // A did send its chunk — into the transaction B's fence aborted: read_uncommitted sees it twice.
    const { records: all, groupId } = await readUncommitted(kafka, env.INGEST_CANONICAL_TOPIC as string, 2 * PER_PARTITION + (stalled?.offset ?? 0));
    cleanups.push(() => deleteGroups(kafka, [groupId]));
    const stalledUris = Array.from({ length: stalled?.offset ?? 0 }, (_, i) => `urn:wire:afp:z${stalled?.partition}-${i}`);
    for (const uri of stalledUris) expect(all.filter((r) => r.key === uri)).toHaveLength(2);

    // Its commit was refused (fenced) and the offsets are where the owner left them: the end.
    const metrics = await a.registry.metrics();
    expect(metrics).toMatch(/^wire_ingest_fenced_total(\{[^}]*\})? [1-9]/m);
    expect(await committed()).toEqual(new Map([[0, String(PER_PARTITION)], [1, String(PER_PARTITION)]]));
    console.log(`zombie: replica A stalled on partition ${stalled?.partition} with ${stalled?.offset} stories in an open transaction; B took over; A's commit was fenced; ${canonical.length} records on stories.canonical, ${all.length} incl. aborted`);
  }, 300_000);
});
