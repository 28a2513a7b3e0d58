import { Redis } from 'ioredis';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3SettingsOf, secretBoxOf } from '@wire/config';
import { toNinjs } from '@wire/normalize';
import { createMetricsRegistry, warnIfRedisNotDurable, type Logger, type Service } from '@wire/observability';
import { loadPartnersFile, PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { createS3Client } from '@wire/s3';
import { fromEnv, type Config } from './config';
import type { MediaUrlFn } from './payload';
import { createDeliveryWorker } from './worker';

/**
 * Build the webhooks service from its config: Redis, the partner registry (the partners file
 * loaded into it first; a file that does not load fails the build), rendition URLs, and the
 * deliver worker (it takes jobs from the start).
 */
export async function createWebhooksService(env: Config, logger: Logger): Promise<Service> {
  const config = fromEnv(env);
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  void warnIfRedisNotDurable(redis, logger);
  const metrics = createMetricsRegistry('webhooks');
  const registry = new PartnerRegistry(redis, { prefix: config.prefix, cacheMs: 1_000, secretBox: secretBoxOf(env) });
  const recipients = new RecipientsRegister(redis, { prefix: config.prefix });

  if (env.PARTNERS_FILE) {
    const loaded = await loadPartnersFile(registry, env.PARTNERS_FILE);
    if (!loaded.ok) {
      redis.disconnect();
      throw loaded.error;
    }
    logger.info({ partners: loaded.value, file: env.PARTNERS_FILE }, 'partners loaded');
  }

  // Renditions: a public base URL when configured, else presigned GET URLs (7 days, S3's maximum).
  const publicBase = env.S3_PUBLIC_BASE_URL?.replace(/\/+$/, '');
  const s3 = publicBase ? undefined : createS3Client(s3SettingsOf(env));
  const mediaUrl: MediaUrlFn | undefined = s3 && ((key) => getSignedUrl(s3, new GetObjectCommand({ Bucket: env.S3_BUCKET, Key: key }), { expiresIn: 604_800 }));

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

  return {
    health: {
      port: env.WEBHOOKS_PORT,
      host: env.BIND_HOST,
      registry: metrics,
      ready: async () => ({ redis: (await redis.ping().catch(() => 'down')) === 'PONG' }),
    },
    async start() {
      logger.info({ port: env.WEBHOOKS_PORT, queue: config.queueName, concurrency: config.concurrency }, 'webhooks service started');
    },
    shutdownSteps: () => [
      ['deliver worker', () => svc.close()],
      ['redis', () => redis.quit()],
      ['s3', () => s3?.destroy()],
    ],
  };
}
