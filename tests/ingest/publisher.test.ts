import type { Kafka, Producer, Transaction } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@wire/observability';
import { FencedError, PartitionPublisher, partitionTransactionalId } from '@wire/svc-ingest';
import { testEnv, uniqueName } from '../helpers/env';
import { createTopic, deleteGroups, deleteTopics, kafkaFor, readUncommitted, readUntil } from './helpers';

const env = testEnv();
const kafka = kafkaFor(env);
const log = createLogger({ name: 'test', level: 'silent' });
const topics: string[] = [];
const groups: string[] = [];

afterAll(async () => {
  await deleteTopics(kafka, topics);
  await deleteGroups(kafka, groups);
});

/** An output topic, an input topic (only its committed offsets are used) and a group. */
async function topicsFor(): Promise<{ out: string; input: string; group: string }> {
  const out = uniqueName('pub-out');
  const input = uniqueName('pub-in');
  const group = uniqueName('pub-group');
  topics.push(out, input);
  groups.push(group);
  await createTopic(kafka, out, 1);
  await createTopic(kafka, input, 2);
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

async function readUncommittedKeys(topic: string, atLeast: number): Promise<Array<string | null>> {
  const { records, groupId } = await readUncommitted(kafka, topic, atLeast);
  groups.push(groupId);
  return records.map((r) => r.key);
}

/** The same Kafka, whose transactional producers wait at `gate` before their first commit (the producers are real). */
function stallingFirstCommit(k: Kafka, gate: Promise<void>): { kafka: Kafka; reached: Promise<void> } {
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((r) => (reach = r));
  let stalled = false;
  const wrapped = Object.create(k) as Kafka;
  wrapped.producer = (cfg) => {
    const p: Producer = k.producer(cfg);
    const begin = p.transaction.bind(p);
    p.transaction = async (): Promise<Transaction> => {
      const txn = await begin();
      const commit = txn.commit.bind(txn);
      txn.commit = async () => {
        if (!stalled) {
          stalled = true;
          reach();
          await gate;
        }
        return commit();
      };
      return txn;
    };
    return p;
  };
  return { kafka: wrapped, reached };
}

describe('PartitionPublisher against the real broker', () => {
  it("publishes a chunk's records and commits the partition's offset in one transaction; refuses a record over the size limit before sending it", async () => {
    const { out, input, group } = await topicsFor();
    const publisher = new PartitionPublisher(kafka, { transactionalId: partitionTransactionalId(uniqueName('pub'), input, 1), consumerGroupId: group, topic: input, partition: 1, log, maxRecordBytes: 4096 });
    await publisher.fence();
    await publisher.publishAndCommit([{ topic: out, key: 'a', value: 'first chunk' }, { topic: out, key: 'b', value: 'first chunk' }], '5');
    const refused = await publisher.publishAndCommit([{ topic: out, key: 'c', value: 'fits' }, { topic: out, key: 'big', value: 'x'.repeat(5000), origin: '7' }], '9').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE', details: { offset: '7' } });
    await publisher.publishAndCommit([{ topic: out, key: 'd', value: 'third chunk' }], '12');
    await publisher.disconnect();
    const records = await readUntil(kafka, out, (r) => r.length >= 3, 30_000, 500);
    expect(records.map((r) => r.key)).toEqual(['a', 'b', 'd']);
    expect(await committed(group, input)).toEqual(new Map([[0, '-1'], [1, '12']]));
  });

  it("a new owner's fence aborts the old owner's open transaction: its records never become visible, its commit fails as fenced, its offsets do not land", async () => {
    const { out, input, group } = await topicsFor();
    const txnId = partitionTransactionalId(uniqueName('pub'), input, 0);
    let release: () => void = () => undefined;
    const stall = stallingFirstCommit(kafka, new Promise<void>((r) => (release = r)));
    const zombie = new PartitionPublisher(stall.kafka, { transactionalId: txnId, consumerGroupId: group, topic: input, partition: 0, log, transactionTimeoutMs: 60_000 });
    await zombie.fence();
    // The old owner sends its chunk and stops just before committing: an open transaction.
    const zombieCommit = zombie.publishAndCommit([{ topic: out, key: 'zombie', value: 'from the stalled owner' }], '10').catch((e: unknown) => e);
    await stall.reached;

    // The new owner takes the partition: fence first, then work from the committed offset.
    const owner = new PartitionPublisher(kafka, { transactionalId: txnId, consumerGroupId: group, topic: input, partition: 0, log });
    await owner.fence();
    expect((await committed(group, input)).get(0)).toBe('-1');
    await owner.publishAndCommit([{ topic: out, key: 'owner', value: 'from the new owner' }], '10');
    await owner.publishAndCommit([{ topic: out, key: 'owner-2', value: 'next chunk' }], '20');

    release();
    expect(await zombieCommit).toBeInstanceOf(FencedError);
    // A later chunk of the old owner fails too, without reaching the broker's log.
    expect(await zombie.publishAndCommit([{ topic: out, key: 'zombie-2', value: 'x' }], '15').catch((e: unknown) => e)).toBeInstanceOf(FencedError);
    await owner.disconnect();
    await zombie.disconnect();

    const visible = await readUntil(kafka, out, (r) => r.length >= 2, 30_000, 1000);
    expect(visible.map((r) => r.key)).toEqual(['owner', 'owner-2']);
    expect(await committed(group, input)).toEqual(new Map([[0, '20'], [1, '-1']]));
    // The old owner did write its record, into the transaction the fence aborted.
    expect(await readUncommittedKeys(out, 3)).toEqual(['zombie', 'owner', 'owner-2']);
  }, 120_000);
});
