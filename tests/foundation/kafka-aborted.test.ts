/**
 * kafkajs 2.2.4 with `readUncommitted: false` must not hand out records of aborted transactions.
 * Its filter (`consumer/filterAbortedMessages.js`) takes at most one aborted transaction per
 * record: when a fetch starts after two aborted transactions of two producers began and its
 * first record belongs to the later one, that producer's aborted records leaked through. Ingest's
 * per-partition producers write interleaved transactions to the same canonical partitions, so
 * under faults that is what ops (and any kafkajs subscriber) would read. `infra/kafkajs-patch.mjs`
 * mends the filter at install; this test holds the patched client to the broker's truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { testEnv, uniqueName } from '../helpers/env';

describe('kafkajs read_committed skips every aborted transaction', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = uniqueName('aborted');
  const producers: Producer[] = [];

  beforeAll(async () => {
    kafka = new Kafka({ clientId: uniqueName('aborted'), brokers: testEnv().KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function transactional(id: string): Promise<Producer> {
    const p = kafka.producer({ transactionalId: uniqueName(id), idempotent: true, maxInFlightRequests: 1 });
    producers.push(p);
    await p.connect();
    return p;
  }

  /** Values read committed from `offset` to the partition's end. */
  async function readFrom(offset: string, end: number): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: uniqueName('aborted-read'), readUncommitted: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    const values: string[] = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (Number(payload.offsetLag) <= 0 && Number(payload.lastOffset) >= end - 1) resolve();
        });
        consumer
          .run({ autoCommit: false, eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') })
          .catch(reject);
        consumer.seek({ topic, partition: 0, offset });
      });
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  it('reading from inside two interleaved aborted transactions returns only committed records', async () => {
    const [a, b, c] = [await transactional('a'), await transactional('b'), await transactional('c')];
    // Offsets: 0 a1, 1 b1, 2 b2, 3 a2, then the abort markers, then c's committed record.
    const ta = await a.transaction();
    await ta.send({ topic, messages: [{ value: 'aborted a1' }] });
    const tb = await b.transaction();
    await tb.send({ topic, messages: [{ value: 'aborted b1' }] });
    await tb.send({ topic, messages: [{ value: 'aborted b2' }] });
    await ta.send({ topic, messages: [{ value: 'aborted a2' }] });
    await ta.abort();
    await tb.abort();
    const tc = await c.transaction();
    await tc.send({ topic, messages: [{ value: 'committed c1' }] });
    await tc.commit();
    const [end] = await admin.fetchTopicOffsets(topic);
    const high = Number(end!.high);

    // From the start every aborted record is skipped, with or without the patch.
    expect(await readFrom('0', high)).toEqual(['committed c1']);
    // From offset 2 (b2): the fetch's first record is b's, while a's transaction began earlier.
    expect(await readFrom('2', high)).toEqual(['committed c1']);
  });
});
