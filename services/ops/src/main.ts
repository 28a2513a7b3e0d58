/**
 * The ops service process: config, logger, clients, the HTTP app on 127.0.0.1:PORT, the Kafka
 * indexer, metrics polling, and an ordered shutdown on SIGTERM/SIGINT. The only file with side effects.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { ConfigError } from '@wire/config';
import { createLogger, createMetricsRegistry, ShutdownManager, warnIfRedisNotDurable } from '@wire/observability';
import { Queues } from '@wire/queues';
import { PartnerRegistry } from '@wire/routing';
import { buildApp } from './app';
import { loadOpsConfig, type OpsConfig } from './config';
import { IngestDeadLetters } from './ingest-dead-letters';
import { kafkaLogCreator, OpsKafka } from './kafka';
import { PipelineMetrics } from './metrics';
import { S3Objects } from './s3';
import { StoryIndex } from './story-index';
import { deliveryAdmin, partnerAdmin } from './wiring';

let config: OpsConfig;
try {
  config = loadOpsConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.lines) process.stderr.write(`ops: config error: ${line}\n`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger({ name: 'ops', level: config.LOG_LEVEL });
const log = logger.child({ component: 'main' });
const shutdown = new ShutdownManager(log);
shutdown.trapSignals();

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
const ingestDeadLetters = new IngestDeadLetters(redis, `${config.WIRE_REDIS_PREFIX}ops:`);
const partners = partnerAdmin(new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX }));
const deliveries = deliveryAdmin(redis, deliverQueue, config.WIRE_REDIS_PREFIX);
const s3 = new S3Client({
  endpoint: config.S3_ENDPOINT,
  region: config.S3_REGION,
  forcePathStyle: true,
  credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY },
});
const objects = new S3Objects(s3, config.S3_BUCKET);
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

// Stop taking work first (HTTP, consumer), then close clients, then flush logs.
const poller = setInterval(() => void metrics.poll().catch((err: Error) => log.debug({ err }, 'metrics poll failed')), 5000);
const queueEvents = metrics.watchQueues(() => redis.duplicate());
shutdown
  .add('metrics poller', () => clearInterval(poller))
  .add('queue events', () => queueEvents.stop())
  .add('http', () => app.close())
  .add('kafka', () => opsKafka.stop())
  .add('queues', () => Promise.all(queues.map((q) => q.close())))
  .add('redis', () => redis.quit())
  .add('s3', () => s3.destroy())
  .add('logs', () => new Promise<void>((resolve) => logger.flush(() => resolve())));

await app.listen({ host: '127.0.0.1', port: config.PORT });
log.info({ port: config.PORT }, 'ops listening');
// Kafka may still be starting; the API serves partners and queues meanwhile and /readyz says why not ready.
void (async () => {
  for (let attempt = 1; ; attempt++) {
    try {
      await opsKafka.start();
      log.info({ group: config.OPS_KAFKA_GROUP }, 'indexing stories.events and wire.dlq');
      return;
    } catch (err) {
      log.warn({ err, attempt }, 'kafka not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
    }
  }
})();
