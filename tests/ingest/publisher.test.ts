import type { Kafka, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@wire/observability';
import { TransactionalPublisher } from '@wire/svc-ingest';
import { testEnv, uniqueName } from '../helpers/env';
import { createTopic, deleteGroups, deleteTopics, kafkaFor, readUntil } from './helpers';

const env = testEnv();
const kafka = kafkaFor(env);
const topics: string[] = [];
const groups: string[] = [];

afterAll(async () => {
  await deleteTopics(kafka, topics);
  await deleteGroups(kafka, groups);
});

/** The same Kafka, counting the transactions its producers begin (the producers are real). */
function countingTransactions(k: Kafka): { kafka: Kafka; count: () => number } {
  let n = 0;
  const wrapped = Object.create(k) as Kafka;
  wrapped.producer = (cfg) => {
    const p: Producer = k.producer(cfg);
    const begin = p.transaction.bind(p);
    p.transaction = () => {
      n++;
      return begin();
    };
    return p;
  };
  return { kafka: wrapped, count: () => n };
}

/** An output topic, an input topic of `partitions` (only its committed offsets are used) and a group. */
async function topicsFor(partitions: number): Promise<{ out: string; input: string; group: string }> {
  const out = uniqueName('pub-out');
  const input = uniqueName('pub-in');
  const group = uniqueName('pub-group');
  topics.push(out, input);
  groups.push(group);
  await createTopic(kafka, out, 1);
  await createTopic(kafka, input, partitions);
  return { out, input, group };
}

async function committed(group: string, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('TransactionalPublisher against the real broker', () => {
  it('chunks of other partitions that arrive during a transaction share the next one: every record once, every offset', async () => {
    const { out, input, group } = await topicsFor(3);
    const counting = countingTransactions(kafka);
    const publisher = new TransactionalPublisher(counting.kafka, { transactionalId: uniqueName('pub-txn'), log: createLogger({ name: 'test', level: 'silent' }) });
    await publisher.connect();
    const chunk = (p: number, round: number) =>
      publisher.publishAndCommit([{ topic: out, key: `p${p}-r${round}`, value: `partition ${p} round ${round}` }], {
        consumerGroupId: group,
        topic: input,
        partition: p,
        offset: String(10 * (round + 1) + p),
      });
    // Round 0: partition 0 alone starts a transaction; 1 and 2 arrive while it runs.
    const first = chunk(0, 0);
    const rest = [chunk(1, 0), chunk(2, 0)];
    await Promise.all([first, ...rest]);
    expect(counting.count()).toBe(2);
    // Round 1: three partitions at once (the first again alone, then the other two together).
    await Promise.all([0, 1, 2].map((p) => chunk(p, 1)));
    expect(counting.count()).toBe(4);
    await publisher.disconnect();

    const records = await readUntil(kafka, out, (r) => r.length >= 6, 30_000, 500);
    expect(records.map((r) => r.key).sort()).toEqual(['p0-r0', 'p0-r1', 'p1-r0', 'p1-r1', 'p2-r0', 'p2-r1']);
    expect(await committed(group, input)).toEqual(new Map([[0, '20'], [1, '21'], [2, '22']]));
  });

  it('a group whose transaction fails: each chunk goes again alone, only the one that cannot commit fails, and the producer carries on', async () => {
    const { out, input, group } = await topicsFor(2);
    const publisher = new TransactionalPublisher(kafka, { transactionalId: uniqueName('pub-txn'), log: createLogger({ name: 'test', level: 'silent' }), transactionTimeoutMs: 10_000 });
    await publisher.connect();
    const offsets = (partition: number, offset: string) => ({ consumerGroupId: group, topic: input, partition, offset });
    const blocker = publisher.publishAndCommit([{ topic: out, key: 'first', value: 'first' }], offsets(0, '5'));
    // Both join the next transaction; one record is over the broker's 16 MB limit (refused, not retried).
    const good = publisher.publishAndCommit([{ topic: out, key: 'good', value: 'good' }], offsets(0, '9'));
    const bad = publisher.publishAndCommit([{ topic: out, key: 'bad', value: 'x'.repeat(17 * 1024 * 1024) }], offsets(1, '7'));
    await blocker;
    const settled = await Promise.allSettled([good, bad]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(await committed(group, input)).toEqual(new Map([[0, '9'], [1, '-1']]));
    // The producer carries on: a later chunk commits.
    await publisher.publishAndCommit([{ topic: out, key: 'after', value: 'after' }], offsets(0, '12'));
    await publisher.disconnect();
    const records = await readUntil(kafka, out, (r) => r.some((x) => x.key === 'after'), 30_000, 500);
    expect(records.map((r) => r.key)).toEqual(['first', 'good', 'after']);
    expect((await committed(group, input)).get(0)).toBe('12');
  }, 120_000);
});
