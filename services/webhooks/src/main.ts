/**
 * services/webhooks entry point — the only file with side effects: read config, build clients,
 * load the partners file, start the deliver worker and its health server, trap signals.
 */
import { Redis } from 'ioredis';
import { loadConfigOrExit } from '@wire/config';
import { toNinjs } from '@wire/normalize';
import { closeServer, createHealthServer, createLogger, createMetricsRegistry, listen, ShutdownManager, warnIfRedisNotDurable } from '@wire/observability';
import { loadPartnersFile, PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { ConfigSchema, fromEnv } from './config';
import type { MediaUrlFn } from './payload';
import { createDeliveryWorker } from './worker';

const env = loadConfigOrExit(ConfigSchema, process.env);
const logger = createLogger({ name: 'webhooks', level: env.LOG_LEVEL });
const config = fromEnv(env);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
void warnIfRedisNotDurable(redis, logger);
const metrics = createMetricsRegistry('webhooks');
const registry = new PartnerRegistry(redis, { prefix: config.prefix, cacheMs: 1_000 });
const recipients = new RecipientsRegister(redis, { prefix: config.prefix });

if (env.PARTNERS_FILE) {
  const loaded = await loadPartnersFile(registry, env.PARTNERS_FILE);
  if (!loaded.ok) {
    logger.fatal({ err: loaded.error }, 'partners file rejected');
    process.exit(1);
  }
  logger.info({ partners: loaded.value, file: env.PARTNERS_FILE }, 'partners loaded');
}

// Renditions: a public base URL when configured, else presigned GET URLs (7 days, S3's maximum).
const publicBase = env.S3_PUBLIC_BASE_URL?.replace(/\/+$/, '');
let mediaUrl: MediaUrlFn | undefined;
if (!publicBase) {
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const s3 = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  });
  mediaUrl = (key) => getSignedUrl(s3, new GetObjectCommand({ Bucket: env.S3_BUCKET, Key: key }), { expiresIn: 604_800 });
}

const svc = createDeliveryWorker({
  redis,
  registry,
  recipients,
  logger,
  metrics,
  render: (story) => toNinjs(story, publicBase ? { hrefFor: (key) => `${publicBase}/${key}` } : {}),
  mediaUrl,
  config,
});

const health = createHealthServer({
  registry: metrics,
  ready: async () => ({ redis: (await redis.ping().catch(() => 'down')) === 'PONG' }),
});
const port = await listen(health, env.WEBHOOKS_PORT);
logger.info({ port, queue: config.queueName, concurrency: config.concurrency }, 'webhooks service started');

const shutdown = new ShutdownManager(logger)
  .add('health server', () => closeServer(health))
  .add('deliver worker', () => svc.close())
  .add('redis', () => redis.quit())
  .add('logs', () => new Promise<void>((resolve) => logger.flush(() => resolve())));
shutdown.trapSignals();
