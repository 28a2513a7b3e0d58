import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { checkRedisDurability, createLogger, createMetricsRegistry } from '@wire/observability';
import { Queues } from '@wire/queues';
import { PartnerRegistry } from '@wire/routing';
import { buildApp, type AppDeps } from '../../services/ops/src/app';
import { IngestDeadLetters } from '../../services/ops/src/ingest-dead-letters';
import { OpsKafka } from '../../services/ops/src/kafka';
import { PipelineMetrics } from '../../services/ops/src/metrics';
import { S3Objects } from '../../services/ops/src/s3';
import { StoryIndex } from '../../services/ops/src/story-index';
import { deliveryAdmin, partnerAdmin } from '../../services/ops/src/wiring';
import { testConfig, uniqueName, testS3Client } from '../helpers/env';
import { deleteKeysMatching } from '@wire/infra';

export type TestStack = Awaited<ReturnType<typeof startOpsStack>>;

/**
 * The ops app built the way main.ts builds it, on the real Redis, Kafka and S3, with a unique
 * Redis prefix, BullMQ prefix, Kafka topics and consumer group, so suites never see each
 * other's data. `close()` stops everything and deletes every key under the prefix.
 */
export async function startOpsStack(opts: { kafka?: boolean; bucket?: string } = {}) {
  const cfg = testConfig();
  const id = uniqueName('ops');
  const prefix = `${id}:`;
  const token = randomBytes(24).toString('base64url');
  const logger = createLogger({ name: 'ops-test', level: 'silent' });
  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = Object.values(Queues).map((name) => new Queue(name, { connection: redis, prefix: `${id}-bull` }));
  const stories = new StoryIndex(redis, { prefix: `${prefix}ops:`, maxRecent: 200 });
  const ingestDeadLetters = new IngestDeadLetters(redis, `${prefix}ops:`);
  const registryStore = new PartnerRegistry(redis, { prefix });
  const partners = partnerAdmin(registryStore);
  const deliveries = deliveryAdmin(redis, queues.find((q) => q.name === Queues.deliver)!, prefix);
  const s3 = testS3Client(cfg);
  const objects = new S3Objects(s3, opts.bucket ?? cfg.S3_BUCKET);
  const topics = { events: `${id}.events`, dlq: `${id}.dlq`, raw: `${id}.raw` };
  const kafka = new Kafka({ clientId: id, brokers: cfg.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let opsKafka: OpsKafka | undefined;
  if (opts.kafka) {
    await admin.connect();
    await admin.createTopics({ topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    opsKafka = new OpsKafka(
      kafka,
      { group: `${id}-ops`, eventsTopic: topics.events, dlqTopic: topics.dlq, lagGroups: [{ group: `${id}-ops`, topics: [topics.events, topics.dlq] }] },
      stories,
      ingestDeadLetters,
      logger,
    );
    await opsKafka.start();
  }
  const registry = createMetricsRegistry('ops-test', { defaults: false });
  const durability = await checkRedisDurability(redis);
  const metrics = new PipelineMetrics({ registry, queues, stories, ingestDeadLetters, deliveries, lag: opsKafka, log: logger });
  const deps: AppDeps = {
    token,
    // light-my-request's Host; a listening app also answers 127.0.0.1:<port> and localhost:<port>.
    allowedHosts: ['localhost:80'],
    warnings: () => durability.warnings,
    logger,
    partners,
    stories,
    ingestDeadLetters,
    republish: async (topic, key, value) => {
      if (!opsKafka) throw new Error('kafka not started in this stack');
      await opsKafka.republish(topic, key, value);
    },
    deliveries,
    queues,
    registry,
    lag: opsKafka,
    objects,
    liveIntervalMs: 200,
    ready: async () => {
      const check = async (fn: () => Promise<true | string>) => fn().catch((err: Error) => err.message || err.name);
      const [k, r, s] = await Promise.all([
        check(async () => (opsKafka ? opsKafka.ready() : 'kafka not started in this stack')),
        check(async () => ((await redis.ping()) === 'PONG' ? true : 'no PONG')),
        check(() => objects.ready()),
      ]);
      return { kafka: k, redis: r, s3: s };
    },
  };
  const app = await buildApp(deps);
  await app.ready();
  const auth = { authorization: `Bearer ${token}` };
  return {
    app,
    deps,
    token,
    auth,
    id,
    prefix,
    topics,
    kafka,
    redis,
    queues,
    stories,
    registryStore,
    metrics,
    async close() {
      await app.close();
      await opsKafka?.stop();
      if (opts.kafka) {
        await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
        await admin.disconnect();
      }
      for (const q of queues) {
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
      for (const match of [`${prefix}*`, `${id}-bull:*`]) await deleteKeysMatching(redis, match);
      redis.disconnect();
      s3.destroy();
    },
  };
}
