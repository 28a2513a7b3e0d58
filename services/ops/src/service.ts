import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { s3SettingsOf, secretBoxOf } from '@wire/config';
import { createMetricsRegistry, warnIfRedisNotDurable, type Logger, type Service } from '@wire/observability';
import { Queues } from '@wire/queues';
import { retry } from '@wire/retry';
import { PartnerRegistry } from '@wire/routing';
import { createS3Client } from '@wire/s3';
import { buildApp } from './app';
import type { OpsConfig } from './config';
import { IngestDeadLetters } from './ingest-dead-letters';
import { kafkaLogCreator, OpsKafka } from './kafka';
import { PipelineMetrics } from './metrics';
import { S3Objects } from './s3';
import { StoryIndex } from './story-index';
import { deliveryAdmin, partnerAdmin } from './wiring';

/**
 * Build the ops service from its config: Redis, the queues, the story index and dead letters,
 * partners, S3, the Kafka indexer, metrics polling and the HTTP app. `start` listens, then joins
 * Kafka in the background (it may still be starting: the API serves partners and queues
 * meanwhile and /readyz says why it is not ready).
 */
export async function createOpsService(config: OpsConfig, logger: Logger): Promise<Service> {
  const log = logger.child({ component: 'main' });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  // Shown in /readyz details and on the dashboard once Redis has answered.
  let redisWarnings: string[] = [];
  void warnIfRedisNotDurable(redis, log).then((d) => {
    redisWarnings = d ? d.warnings : ['could not check whether Redis persists and never evicts (see the ops log)'];
  });
  const queues = Object.values(Queues).map((name) => new Queue(name, { connection: redis, prefix: config.WIRE_QUEUE_PREFIX }));
  const deliverQueue = queues.find((q) => q.name === Queues.deliver)!;
  const stories = new StoryIndex(redis, { prefix: `${config.WIRE_REDIS_PREFIX}ops:`, maxRecent: config.OPS_STORY_INDEX_MAX });
  const partners = partnerAdmin(new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX, secretBox: secretBoxOf(config) }));
  const deliveries = deliveryAdmin(redis, deliverQueue, config.WIRE_REDIS_PREFIX);
  const s3 = createS3Client(s3SettingsOf(config));
  const objects = new S3Objects(s3, config.S3_BUCKET);
  const ingestDeadLetters = new IngestDeadLetters(redis, `${config.WIRE_REDIS_PREFIX}ops:`, { objects });
  const kafka = new Kafka({ clientId: 'wire-ops', brokers: config.KAFKA_BROKERS, logLevel: logLevel.WARN, logCreator: kafkaLogCreator(logger) });
  const lagGroups = (config.OPS_LAG_GROUPS || `ingest,${config.OPS_KAFKA_GROUP}`)
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((group) => ({ group, topics: group === config.OPS_KAFKA_GROUP ? [config.OPS_EVENTS_TOPIC, config.OPS_DLQ_TOPIC] : [] }));
  const opsKafka = new OpsKafka(
    kafka,
    { group: config.OPS_KAFKA_GROUP, eventsTopic: config.OPS_EVENTS_TOPIC, dlqTopic: config.OPS_DLQ_TOPIC, lagGroups },
    stories,
    ingestDeadLetters,
    logger.child({ component: 'kafka' }),
  );
  const registry = createMetricsRegistry('ops');
  const metrics = new PipelineMetrics({ registry, queues, stories, ingestDeadLetters, deliveries, lag: opsKafka, log: logger.child({ component: 'metrics' }) });

  const app = await buildApp({
    token: config.OPS_TOKEN,
    metricsToken: config.OPS_METRICS_TOKEN,
    allowedHosts: [...config.OPS_ALLOWED_HOSTS, ...(config.OPS_PUBLIC_URL ? [new URL(config.OPS_PUBLIC_URL).host] : [])],
    publicUrl: config.OPS_PUBLIC_URL,
    trustProxy: config.OPS_TRUST_PROXY,
    warnings: () => redisWarnings,
    logger,
    partners,
    stories,
    ingestDeadLetters,
    republish: (topic, key, value) => opsKafka.republish(topic, key, value),
    deliveries,
    queues,
    registry,
    lag: opsKafka,
    objects,
    ready: async () => {
      const check = async (fn: () => Promise<true | string>) => fn().catch((err: Error) => err.message || err.name);
      const [k, r, s] = await Promise.all([
        check(() => opsKafka.ready()),
        check(async () => ((await redis.ping()) === 'PONG' ? true : 'no PONG')),
        check(() => objects.ready()),
      ]);
      return { kafka: k, redis: r, s3: s };
    },
  });

  const poller = setInterval(() => void metrics.poll().catch((err: Error) => log.debug({ err }, 'metrics poll failed')), 5000);
  const queueEvents = metrics.watchQueues(() => redis.duplicate());
  const stopJoining = new AbortController();

  return {
    async start() {
      await app.listen({ host: config.BIND_HOST, port: config.PORT });
      log.info({ port: config.PORT }, 'ops listening');
      void retry(() => opsKafka.start(), {
        initialMs: 1000,
        maxMs: 30_000,
        signal: stopJoining.signal,
        onRetry: (err, attempt) => log.warn({ err, attempt }, 'kafka not reachable yet; retrying'),
      }).then(
        () => log.info({ group: config.OPS_KAFKA_GROUP }, 'indexing stories.events and wire.dlq'),
        (err: unknown) => log.debug({ err }, 'stopped joining kafka'),
      );
    },
    // Stop taking work first (HTTP, consumer), then close clients.
    shutdownSteps: () => [
      ['metrics poller', () => clearInterval(poller)],
      ['queue events', () => queueEvents.stop()],
      ['http', () => app.close()],
      [
        'kafka',
        () => {
          stopJoining.abort();
          return opsKafka.stop();
        },
      ],
      ['queues', () => Promise.all(queues.map((q) => q.close()))],
      ['redis', () => redis.quit()],
      ['s3', () => s3.destroy()],
    ],
  };
}
