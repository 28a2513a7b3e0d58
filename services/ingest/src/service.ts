import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DedupeEngine, RedisDedupeStore } from '@wire/dedupe';
import { s3SettingsOf } from '@wire/config';
import { createImageFetcher, createMediaProcessor, S3MediaStore } from '@wire/media';
import { createMetricsRegistry, warnIfRedisNotDurable, type Logger, type Registry } from '@wire/observability';
import { Queues, TopicConfigs, type TopicName } from '@wire/queues';
import { createS3Client } from '@wire/s3';
import { normalize as normalizeDocument } from '@wire/normalize';
import { PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { ResendClaims } from './claims';
import type { IngestConfig } from './config';
import { createIngestConsumer, type IngestConsumerOptions } from './consumer';
import { ChunkLedger } from './ledger';
import { createThreadedDecider } from './threaded-decider';
import { createMediaRetryQueue, createMediaRetryWorker } from './media-retry';
import { createNormalizePool } from './normalize-pool';
import { createIngestMetrics } from './metrics';
import { createIngestPipeline } from './pipeline';
import type { Decider, NormalizeFn, StoryVersions } from './ports';
import { createRouter } from './router';

/** A kafkajs logger that writes through pino (warnings and errors only). */
export function kafkaLogCreator(log: Logger) {
  return () =>
    ({ level, log: entry }: { level: number; log: { message: string } & Record<string, unknown> }) => {
      const { message, ...rest } = entry;
      // A transaction begun while the broker still completes the previous one is answered
      // CONCURRENT_TRANSACTIONS and retried by the client; kafkajs logs each such try as an
      // error. It is routine between back-to-back transactions: debug, not an alarm.
      // And each partition producer's bounded retries draw kafkajs's warning that limited retries
      // may break an idempotent producer's guarantees; ours are transactional and never retry a
      // send outside its transaction (a failed one is aborted or fenced): debug as well.
      const text = `${message} ${String(rest.error ?? '')}`;
      if (text.includes('another concurrent operation on the same transaction') || text.includes('Limiting retries for the idempotent producer')) log.debug({ kafka: rest }, message);
      else if (level <= logLevel.ERROR) log.error({ kafka: rest }, message);
      else if (level <= logLevel.WARN) log.warn({ kafka: rest }, message);
    };
}

/** Create missing topics with the settings `wire infra up` uses (canonical is compacted). */
export async function ensureTopics(kafka: Kafka, topics: Array<{ name: string; role: TopicName }>, numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions,
          replicationFactor: 1,
          configEntries: Object.entries(TopicConfigs[t.role]).map(([name, value]) => ({ name, value })),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export interface IngestServiceOverrides {
  /** Called after each committed chunk. */
  onChunk?: IngestConsumerOptions['onChunk'];
  /** Called when a batch arrives. */
  onBatch?: IngestConsumerOptions['onBatch'];
  /** Called when the consumer joins its group. */
  onJoin?: IngestConsumerOptions['onJoin'];
  /** Replace the normalizer or decider (benchmarks measure parts with it). */
  normalize?: NormalizeFn;
  decider?: Decider;
  /** The Kafka client to use (tests wrap a real one to stall a replica at a chosen point). */
  kafka?: Kafka;
}

/**
 * Build the whole ingest service from its config: Kafka consumer and transactional producer, S3,
 * Redis, BullMQ queues, dedupe, routing, media, metrics, and the media-retry worker. Nothing
 * connects until `start()`; `stop()` stops taking work, finishes the chunk in flight, commits,
 * then closes every client (each step runs even if one fails).
 */
export async function createIngestService(config: IngestConfig, log: Logger, overrides: IngestServiceOverrides = {}) {
  const registry: Registry = createMetricsRegistry('ingest');
  const metrics = createIngestMetrics(registry);
  const kafka =
    overrides.kafka ??
    new Kafka({
      clientId: 'wire-ingest',
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(log.child({ component: 'kafka' })),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
  const s3 = createS3Client(s3SettingsOf(config));
  const store = new S3MediaStore(s3, { bucket: config.S3_BUCKET, publicBaseUrl: config.S3_PUBLIC_BASE_URL });
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const bullConnection: ConnectionOptions = { url: config.REDIS_URL, maxRetriesPerRequest: null } as ConnectionOptions;
  const queueOpts = { connection: bullConnection, prefix: config.WIRE_QUEUE_PREFIX };
  const deliverQueue = new Queue(Queues.deliver, queueOpts);
  const translateQueue = new Queue(Queues.translate, queueOpts);
  const mediaRetryQueue = new Queue(Queues.mediaRetry, queueOpts);
  const fetcher = createImageFetcher({ allowPrivateHosts: config.WIRE_IMAGE_ALLOW_PRIVATE_HOSTS ?? config.WIRE_ALLOW_PRIVATE_HOSTS, limits: { maxBytes: config.INGEST_IMAGE_MAX_BYTES } });
  const media = createMediaProcessor({
    store,
    fetcher,
    keyPrefix: config.INGEST_S3_PREFIX,
    maxEmbeddedBytes: config.INGEST_IMAGE_MAX_BYTES,
    maxInputPixels: config.INGEST_IMAGE_MAX_PIXELS,
    maxImages: config.INGEST_STORY_MAX_IMAGES,
    maxStoryBytes: config.INGEST_STORY_MAX_IMAGE_BYTES,
  });

  const normalize: NormalizeFn = overrides.normalize ?? normalizeDocument;
  // Threads run @wire/normalize itself: a normalizer passed in runs on this thread.
  const normalizePool =
    !overrides.normalize && config.INGEST_NORMALIZE_THREADS > 0
      ? createNormalizePool({
          threads: config.INGEST_NORMALIZE_THREADS,
          log: log.child({ component: 'normalize' }),
          timeoutMs: config.INGEST_NORMALIZE_TIMEOUT_MS,
          maxHeapMb: config.INGEST_NORMALIZE_MAX_HEAP_MB,
        })
      : undefined;
  let decider = overrides.decider;
  let deciderThread: ReturnType<typeof createThreadedDecider> | undefined;
  const dedupePrefix = `${config.WIRE_REDIS_PREFIX}dedupe`;
  // The engine on this thread: the decider without a thread, and where a decider passed in
  // cannot say where a story stands (`latestOf`, for media-retry). Its replica loads on first use.
  let localEngine: DedupeEngine | undefined;
  const engineHere = () =>
    (localEngine ??= new DedupeEngine({
      store: new RedisDedupeStore({ redis, prefix: dedupePrefix, windowDays: config.DEDUPE_WINDOW_DAYS }),
      windowDays: config.DEDUPE_WINDOW_DAYS,
    }));
  if (!decider && config.INGEST_DEDUPE_THREAD) {
    deciderThread = createThreadedDecider({ redisUrl: config.REDIS_URL, prefix: dedupePrefix, windowDays: config.DEDUPE_WINDOW_DAYS, log: log.child({ component: 'dedupe' }) });
    decider = deciderThread;
  } else if (!decider) {
    const engine = engineHere();
    decider = { decideMany: (items) => engine.decideMany(items) };
  }
  const given = overrides.decider as (Decider & Partial<StoryVersions>) | undefined;
  const versions: StoryVersions = deciderThread ?? (given?.latestOf ? (given as StoryVersions) : { latestOf: (uri) => engineHere().latestOf(uri) });

  const topics = { canonical: config.INGEST_CANONICAL_TOPIC, events: config.INGEST_EVENTS_TOPIC, dlq: config.INGEST_DLQ_TOPIC };
  const pipeline = createIngestPipeline({
    log: log.child({ component: 'pipeline' }),
    store,
    media,
    normalize,
    normalizePool,
    decider,
    claims: new ResendClaims(redis, { prefix: config.WIRE_REDIS_PREFIX, ttlSeconds: config.DEDUPE_WINDOW_DAYS * 86_400 }),
    router: createRouter({
      registry: new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX, cacheMs: 2_000 }),
      recipients: new RecipientsRegister(redis, { prefix: config.WIRE_REDIS_PREFIX }),
      deliverQueue,
      translateQueue,
    }),
    mediaRetry: createMediaRetryQueue(mediaRetryQueue),
    topics,
    limits: { maxRawBytes: config.INGEST_MAX_RAW_BYTES, maxRecordBytes: config.INGEST_MAX_RECORD_BYTES },
    keyPrefix: config.INGEST_S3_PREFIX,
    concurrency: config.INGEST_CONCURRENCY,
    metrics,
  });

  // What a chunk that keeps failing checks before it is bisected (recovery.ts): real work against
  // each part, each with its own deadline, so a part that hangs counts as not answering.
  let probeAdmin: Admin | undefined;
  const probeKey = `${config.WIRE_REDIS_PREFIX}ingest:probe`;
  async function probe(): Promise<string[]> {
    const within = <T>(what: Promise<T>, ms = 5_000) =>
      Promise.race([what, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
    const checks: Array<[string, () => Promise<unknown>]> = [
      ['redis', async () => {
        const token = String(Date.now());
        await redis.set(probeKey, token, 'EX', 60);
        if ((await redis.get(probeKey)) !== token) throw new Error('read back another value');
      }],
      ['s3', () => store.put(`${config.INGEST_S3_PREFIX}probe/ingest`, Buffer.from(new Date().toISOString()), { contentType: 'text/plain' })],
      ['kafka', async () => {
        if (!probeAdmin) {
          const a = kafka.admin();
          await a.connect();
          probeAdmin = a;
        }
        await probeAdmin.fetchOffsets({ groupId: config.INGEST_GROUP_ID, topics: [config.INGEST_RAW_TOPIC] });
      }],
    ];
    const results = await Promise.all(checks.map(([name, check]) => within(check()).then(() => undefined, (err: Error) => `${name}: ${err.message || err.name}`)));
    return results.filter((r): r is string => r !== undefined);
  }

  const consumer = createIngestConsumer({
    kafka,
    pipeline,
    log: log.child({ component: 'consumer' }),
    metrics,
    topic: config.INGEST_RAW_TOPIC,
    groupId: config.INGEST_GROUP_ID,
    transactionalIdPrefix: config.INGEST_TRANSACTIONAL_ID || config.INGEST_GROUP_ID,
    maxRecordBytes: config.INGEST_MAX_RECORD_BYTES,
    ledger: new ChunkLedger(redis, { prefix: config.WIRE_REDIS_PREFIX, group: config.INGEST_GROUP_ID }),
    probe,
    chunkSize: config.INGEST_CHUNK_SIZE,
    partitionsConsumedConcurrently: config.INGEST_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.INGEST_SESSION_TIMEOUT_MS,
    maxAttempts: config.INGEST_CHUNK_MAX_ATTEMPTS,
    retryInitialMs: config.INGEST_RETRY_INITIAL_MS,
    retryMaxMs: config.INGEST_RETRY_MAX_MS,
    onChunk: overrides.onChunk,
    onBatch: overrides.onBatch,
    onJoin: overrides.onJoin,
  });

  let retryProducer: Producer | undefined;
  let retryWorker: ReturnType<typeof createMediaRetryWorker> | undefined;

  /** Readiness: the consumer runs and Redis and S3 answer. */
  async function ready(): Promise<Record<string, boolean | string>> {
    const checks: Record<string, boolean | string> = { consumer: consumer.isRunning() };
    checks.redis = await redis.ping().then(
      (r) => r === 'PONG',
      (e: Error) => e.message,
    );
    checks.s3 = await s3.send(new HeadBucketCommand({ Bucket: config.S3_BUCKET })).then(
      () => true,
      (e: Error) => e.name || e.message,
    );
    return checks;
  }

  return {
    registry,
    metrics,
    ready,
    health: { port: config.INGEST_HEALTH_PORT, host: config.BIND_HOST, registry, ready },
    /** Connect, create missing topics, start the consumer (and the media-retry worker). */
    async start(): Promise<void> {
      // Threads load their modules while Redis and Kafka connect.
      const threadsReady = Promise.all([normalizePool?.warm(), deciderThread?.warm()]);
      threadsReady.catch(() => undefined); // awaited below
      await redis.connect();
      void warnIfRedisNotDurable(redis, log);
      await ensureTopics(kafka, [
        { name: config.INGEST_RAW_TOPIC, role: 'wire.raw' },
        { name: topics.canonical, role: 'stories.canonical' },
        { name: topics.events, role: 'stories.events' },
        { name: topics.dlq, role: 'wire.dlq' },
      ]);
      await threadsReady;
      await consumer.start();
      if (config.INGEST_MEDIA_RETRY_WORKER) {
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect();
        retryProducer = producer;
        retryWorker = createMediaRetryWorker({
          connection: bullConnection,
          prefix: config.WIRE_QUEUE_PREFIX,
          store,
          fetcher,
          keyPrefix: config.INGEST_S3_PREFIX,
          maxInputPixels: config.INGEST_IMAGE_MAX_PIXELS,
          canonicalTopic: topics.canonical,
          versions,
          publish: async (r) => {
            await producer.send({ topic: r.topic, messages: [{ key: r.key, value: r.value, headers: r.headers }] });
          },
          log: log.child({ component: 'media-retry' }),
        });
      }
      log.info({ topic: config.INGEST_RAW_TOPIC, groupId: config.INGEST_GROUP_ID }, 'ingest running');
    },

    /** Teardown steps in order, for a ShutdownManager. */
    shutdownSteps(): Array<[string, () => Promise<unknown>]> {
      return [
        ['consumer', () => consumer.stop()],
        // Before the dedupe thread: a job in flight still asks it where its story stands.
        ['media-retry worker', async () => retryWorker?.close()],
        ['media-retry producer', async () => retryProducer?.disconnect()],
        ['normalize threads', async () => normalizePool?.close()],
        ['dedupe thread', async () => deciderThread?.close()],
        ['probe admin', async () => probeAdmin?.disconnect()],
        ['queues', () => Promise.all([deliverQueue.close(), translateQueue.close(), mediaRetryQueue.close()])],
        ['image fetcher', () => fetcher.close()],
        ['redis', async () => redis.status === 'ready' && (await redis.quit())],
        ['s3', async () => s3.destroy()],
      ];
    },
  };
}
export type IngestService = Awaited<ReturnType<typeof createIngestService>>;
