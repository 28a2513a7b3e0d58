import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createMetricsRegistry, warnIfRedisNotDurable, type Logger, type Service } from '@wire/observability';
import { PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { createRedisTranslationCache, createStoryTranslator, createTranslationRouter, DEFAULT_PIVOTS, parseRoutes } from '@wire/translate';
import { DeliveryLog } from '@wire/webhooks';
import { readGlossary, type Config } from './config';
import { createRedisFailureRecorder } from './failures';
import { createTranslatorMetrics } from './metrics';
import { createProviders } from './providers';
import { createRegistryUntranslatedRouter, createRegistryVariantRouter } from './route';
import { createTranslateWorker } from './worker';

/**
 * Build the translator from its config: Redis, the providers and their router, the story
 * translator with its cache and glossary, the `translate` worker (it takes jobs from the start),
 * and what routes variants on to the `deliver` queue.
 */
export async function createTranslatorService(config: Config, logger: Logger): Promise<Service> {
  const registry = createMetricsRegistry('translator');
  const metrics = createTranslatorMetrics(registry);

  // BullMQ needs maxRetriesPerRequest: null on the connections it blocks on.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  void warnIfRedisNotDurable(redis, logger);
  const providers = createProviders(config);
  const router = createTranslationRouter({
    providers,
    routes: parseRoutes(config.TRANSLATE_ROUTES),
    maxPivots: config.TRANSLATE_MAX_PIVOTS,
    pivots: [...config.TRANSLATE_PIVOTS, ...DEFAULT_PIVOTS],
  });
  const storyTranslator = createStoryTranslator({
    router,
    cache: createRedisTranslationCache(redis, { ttlSeconds: config.TRANSLATE_CACHE_TTL_SECONDS }),
    cachePrefix: `${config.WIRE_REDIS_PREFIX}translate:cache`,
    glossary: readGlossary(config.TRANSLATE_GLOSSARY_FILE),
    defaultSourceLanguage: config.TRANSLATE_DEFAULT_SOURCE_LANGUAGE,
  });
  const deliverQueue = new Queue(config.DELIVER_QUEUE, { connection: redis, prefix: config.WIRE_QUEUE_PREFIX });
  const partners = new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX, cacheMs: 5_000 });
  const recipients = new RecipientsRegister(redis, { prefix: config.WIRE_REDIS_PREFIX });
  const routeVariant = createRegistryVariantRouter({ registry: partners, recipients, deliverQueue });
  const routeUntranslated = createRegistryUntranslatedRouter({
    registry: partners,
    recipients,
    deliverQueue,
    deliveryLog: new DeliveryLog(redis, { prefix: config.WIRE_REDIS_PREFIX, retentionDays: config.DELIVERY_LOG_DAYS }),
  });
  const worker = createTranslateWorker({
    storyTranslator,
    routeVariant,
    routeUntranslated,
    metrics,
    logger,
    recordFailure: createRedisFailureRecorder(redis, { prefix: config.WIRE_REDIS_PREFIX }),
    defaultSourceLanguage: config.TRANSLATE_DEFAULT_SOURCE_LANGUAGE,
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    queueName: config.TRANSLATE_QUEUE,
    prefix: config.WIRE_QUEUE_PREFIX,
    concurrency: config.TRANSLATOR_CONCURRENCY,
  });

  return {
    health: {
      port: config.TRANSLATOR_PORT,
      host: config.BIND_HOST,
      registry,
      ready: async () => ({
        redis: (await redis.ping()) === 'PONG',
        apertium: await router.providers
          .get('apertium')!
          .supports('en', 'es')
          .then(() => true)
          .catch((err: Error) => err.message),
      }),
    },
    async start() {
      logger.info({ port: config.TRANSLATOR_PORT, routes: config.TRANSLATE_ROUTES, providers: providers.map((p) => p.name), queue: config.TRANSLATE_QUEUE }, 'translator started');
    },
    shutdownSteps: () => [
      ['worker', () => worker.close()],
      ['deliver queue', () => deliverQueue.close()],
      ['providers', () => Promise.all(providers.map((p) => p.close()))],
      ['redis', () => redis.quit()],
    ],
  };
}
