import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { TopicConfigs, Topics } from '@wire/queues';
import { testEnv, uniqueName } from '../helpers/env';

/** Collect `count` messages with a consumer in `groupId`, committing after each one. */
async function consumeN(kafka: Kafka, topic: string, groupId: string, count: number): Promise<{ consumer: Consumer; values: string[] }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }: EachMessagePayload) => {
          values.push(message.value?.toString() ?? '');
          await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          if (values.length === count) resolve();
        },
      })
      .catch(reject);
  });
  return { consumer, values };
}

describe('Kafka (kafkajs 2.2.4 against the broker wire infra runs)', () => {
  let kafka: Kafka;
  let admin: Admin;
  const created: string[] = [];

  beforeAll(async () => {
    kafka = new Kafka({ clientId: uniqueName('foundation'), brokers: testEnv().KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('has the pipeline topics, with stories.canonical compacted', async () => {
    const topics = await admin.listTopics();
    for (const t of Object.values(Topics)) expect(topics).toContain(t);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: Topics.canonical, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    expect(policy).toBe(TopicConfigs[Topics.canonical]['cleanup.policy']);
  });

  it('creates topics through the admin client with partitions and configs', async () => {
    const topic = uniqueName('t-admin');
    created.push(topic);
    expect(await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(4);
    // A second create of the same topic is reported, not an error.
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })).toBe(false);
  });

  it('produces, consumes in a group, commits, and a restarted consumer resumes after the committed offset', async () => {
    const topic = uniqueName('t-group');
    created.push(topic);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    const first = Array.from({ length: 9 }, (_, i) => `first-${i}`);
    await producer.send({ topic, messages: first.map((value, i) => ({ key: `k${i}`, value })) });

    const groupId = uniqueName('g');
    const one = await consumeN(kafka, topic, groupId, first.length);
    expect(one.values.sort()).toEqual([...first].sort());
    await one.consumer.disconnect();

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(first.length);

    // Only what arrives after the commit is delivered to the restarted member of the group.
    const second = ['second-0', 'second-1', 'second-2'];
    await producer.send({ topic, messages: second.map((value, i) => ({ key: `k${i}`, value })) });
    const two = await consumeN(kafka, topic, groupId, second.length);
    // Give a redelivery of the first batch (the bug this guards against) a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
    await two.consumer.disconnect();
    await producer.disconnect();
    expect(two.values.sort()).toEqual(second);
  });

  it('commits a transaction with its consumer offsets; an aborted one stays invisible (ingest relies on both)', async () => {
    const input = uniqueName('t-tx-in');
    const output = uniqueName('t-tx-out');
    created.push(input, output);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }] });
    const groupId = uniqueName('g-tx');
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: [{ key: 'a', value: 'kept-1' }, { key: 'b', value: 'kept-2' }] });
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '5' }] }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ key: 'c', value: 'dropped' }] });
    await aborted.abort();
    await producer.disconnect();

    // Offsets committed in a transaction become visible once the broker writes its markers.
    let offset = '-1';
    for (let i = 0; i < 50 && offset !== '5'; i++) {
      offset = (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions[0]!.offset;
      if (offset !== '5') await new Promise((r) => setTimeout(r, 100));
    }
    expect(offset).toBe('5');

    const reader = await consumeN(kafka, output, uniqueName('g-read'), 2);
    await new Promise((r) => setTimeout(r, 500));
    await reader.consumer.disconnect();
    expect(reader.values.sort()).toEqual(['kept-1', 'kept-2']);
  });
});
