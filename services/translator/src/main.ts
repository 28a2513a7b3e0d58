/**
 * The translator process: config from the environment, Redis, providers, the `translate` worker,
 * health/metrics server, signal handling. The only file of the service with side effects.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '@wire/config';
import { closeServer, createHealthServer, createLogger, createMetricsRegistry, listen, ShutdownManager, warnIfRedisNotDurable } from '@wire/observability';
import { PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { createRedisTranslationCache, createStoryTranslator, createTranslationRouter, DEFAULT_PIVOTS, parseRoutes } from '@wire/translate';
import { DeliveryLog } from '@wire/webhooks';
import { loadTranslatorConfig, readGlossary, type Config } from './config';
import { createRedisFailureRecorder } from './failures';
import { createTranslatorMetrics } from './metrics';
import { createProviders } from './providers';
import { createRegistryUntranslatedRouter, createRegistryVariantRouter } from './route';
import { createTranslateWorker } from './worker';

let config: Config;
try {
  config = loadTranslatorConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  for (const line of err.lines) process.stderr.write(`config error: ${line}\n`);
  process.exit(1);
}
const logger = createLogger({ name: 'translator', level: config.LOG_LEVEL });
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

const health = createHealthServer({
  registry,
  ready: async () => ({
    redis: (await redis.ping()) === 'PONG',
    apertium: await router.providers
      .get('apertium')!
      .supports('en', 'es')
      .then(() => true)
      .catch((err: Error) => err.message),
  }),
});
const port = await listen(health, config.TRANSLATOR_PORT);
logger.info({ port, routes: config.TRANSLATE_ROUTES, providers: providers.map((p) => p.name), queue: config.TRANSLATE_QUEUE }, 'translator started');

new ShutdownManager(logger)
  .add('worker', () => worker.close())
  .add('health server', () => closeServer(health))
  .add('deliver queue', () => deliverQueue.close())
  .add('providers', () => Promise.all(providers.map((p) => p.close())))
  .add('redis', () => redis.quit())
  .add('logs', () => logger.flush())
  .trapSignals();
