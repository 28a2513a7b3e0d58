import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { run } from '../../packages/cli/src/commands/tail';
import { runCommand } from '../helpers/cli';
import { testEnv, uniqueName } from '../helpers/env';

const env = testEnv();
const topic = uniqueName('tail');
const kafka = new Kafka({ clientId: 'tail-test', brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();

const stories = [
  { uri: 'urn:wire:joongang:kim-russia', version: 1, headline: 'Kim Jong-un says visit shows strategic importance of ties with Russia', language: 'en' },
  { uri: 'urn:wire:joongang:kim-russia', version: 2, headline: 'Kim Jong-un arrives in Vladivostok', language: 'en' },
];

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: stories.map((s) => ({ key: s.uri, value: JSON.stringify(s) })) });
  await producer.disconnect();
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

const tail = (args: string[]) => runCommand(run, args, env);

describe('wire tail', () => {
  it('prints key, version and headline of each message', async () => {
    const r = await tail([topic, '--from-beginning', '--max', '2']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      'urn:wire:joongang:kim-russia  v1  [en]  "Kim Jong-un says visit shows strategic importance of ties with Russia"',
      'urn:wire:joongang:kim-russia  v2  [en]  "Kim Jong-un arrives in Vladivostok"',
    ]);
  });

  it('prints raw values with --json', async () => {
    const r = await tail([topic, '--from-beginning', '--max', '2', '--json']);
    expect(r.out.trim().split('\n').map((l) => JSON.parse(l))).toEqual(stories);
  });

  it('says so when the topic does not exist', async () => {
    const r = await tail([`${topic}-nope`, '--max', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('does not exist');
  });
});
