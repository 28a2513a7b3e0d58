import { z } from 'zod';
import { CommonEnv, envAllowList, envBoolean, envInt, envString, loadConfig } from '@wire/config';
import { Topics } from '@wire/queues';

/**
 * The ingest service's environment. Topic names, the consumer group, S3 key prefix and Redis /
 * BullMQ prefixes are settable so tests and benchmarks run isolated on shared infrastructure.
 */
export const ConfigSchema = z.object({
  ...CommonEnv,
  INGEST_RAW_TOPIC: envString(Topics.raw),
  INGEST_CANONICAL_TOPIC: envString(Topics.canonical),
  INGEST_EVENTS_TOPIC: envString(Topics.events),
  INGEST_DLQ_TOPIC: envString(Topics.dlq),
  INGEST_GROUP_ID: envString('ingest'),
  /**
   * Prefix of the transactional ids, the same for every replica of the group (default: the group
   * id). Each input partition gets its own producer, `<prefix>.<topic>.<partition>`, so whoever
   * takes a partition over fences the producer of its previous owner (see publisher.ts).
   */
  INGEST_TRANSACTIONAL_ID: envString(''),
  /** Prepended to every S3 key ingest writes (raw/, canonical/, media/). */
  INGEST_S3_PREFIX: envString(''),
  /** Redis key prefix shared with dedupe and routing (`wire:`). */
  WIRE_REDIS_PREFIX: envString('wire:'),
  /** BullMQ key prefix (`bull`). */
  WIRE_QUEUE_PREFIX: envString('bull'),
  INGEST_CONCURRENCY: envInt(32, 1, 512),
  /** Worker threads that normalize documents (0: on the consumer's thread). */
  INGEST_NORMALIZE_THREADS: envInt(1, 0, 64),
  /** Run the dedupe engine on its own worker thread (false: on the consumer's thread). */
  INGEST_DEDUPE_THREAD: envBoolean(true),
  INGEST_PARTITIONS_CONCURRENTLY: envInt(4, 1, 64),
  INGEST_CHUNK_SIZE: envInt(200, 1, 20_000),
  INGEST_SESSION_TIMEOUT_MS: envInt(30_000, 6_000, 600_000),
  /** /healthz, /readyz, /metrics; 0 picks a free port. */
  INGEST_HEALTH_PORT: envInt(9101, 0, 65_535),
  INGEST_MEDIA_RETRY_WORKER: envBoolean(true),
  INGEST_IMAGE_MAX_BYTES: envInt(20 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  INGEST_IMAGE_MAX_PIXELS: envInt(40_000_000, 10_000, 1_000_000_000),
  /** Image downloads' own allow list; unset: `WIRE_ALLOW_PRIVATE_HOSTS`. */
  WIRE_IMAGE_ALLOW_PRIVATE_HOSTS: envAllowList(),
  /** Images kept per story; later ones are dropped with a warning on the story. */
  INGEST_STORY_MAX_IMAGES: envInt(50, 0, 10_000),
  /** Bytes of images (originals) kept per story; images past it are dropped with a warning. */
  INGEST_STORY_MAX_IMAGE_BYTES: envInt(100 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
  /** Largest Kafka record value ingest takes; a larger one is dead-lettered unread. */
  INGEST_MAX_RAW_BYTES: envInt(16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /**
   * Largest record ingest produces (key, value and headers). A message whose canonical JSON would
   * be larger is dead-lettered before anything of it goes out. Keep it under the broker's
   * `message.max.bytes` (16 MiB here) less batch overhead.
   */
  INGEST_MAX_RECORD_BYTES: envInt(15 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Time one document may take to normalize (its thread is stopped and replaced past it). */
  INGEST_NORMALIZE_TIMEOUT_MS: envInt(30_000, 100, 3_600_000),
  /** Heap (old generation) of each normalize thread; a document that exhausts it is dead-lettered. */
  INGEST_NORMALIZE_MAX_HEAP_MB: envInt(1024, 32, 65_536),
  /** Tries of a chunk before it is bisected to find the message(s) that fail on their own. */
  INGEST_CHUNK_MAX_ATTEMPTS: envInt(4, 1, 1_000_000),
  /** Backoff between tries of a chunk: first delay and cap, ms. */
  INGEST_RETRY_INITIAL_MS: envInt(250, 1, 60_000),
  INGEST_RETRY_MAX_MS: envInt(10_000, 1, 600_000),
  /** Days a story stays findable for duplicates (the dedupe store's own default). */
  DEDUPE_WINDOW_DAYS: envInt(30, 1, 365),
});
export type IngestConfig = z.infer<typeof ConfigSchema>;

/** Parse the ingest environment; throws ConfigError naming each bad variable. */
export function loadIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  return loadConfig(ConfigSchema, env);
}

/**
 * The variables that give one ingest run its own topics, consumer group, transactional id and
 * S3/Redis/BullMQ prefixes, so several runs (tests, benchmarks, a second pipeline) share one
 * Kafka, S3 and Redis without seeing each other.
 * @example isolatedRunEnv('bench-42', 'bench') // { INGEST_RAW_TOPIC: 'bench-42.raw', … }
 */
export function isolatedRunEnv(id: string, scope: string): Record<string, string> {
  return {
    INGEST_RAW_TOPIC: `${id}.raw`,
    INGEST_CANONICAL_TOPIC: `${id}.canonical`,
    INGEST_EVENTS_TOPIC: `${id}.events`,
    INGEST_DLQ_TOPIC: `${id}.dlq`,
    INGEST_GROUP_ID: `${id}-ingest`,
    INGEST_TRANSACTIONAL_ID: `${id}-txn`,
    INGEST_S3_PREFIX: `${scope}/${id}/`,
    WIRE_REDIS_PREFIX: `${scope}:${id}:`,
    WIRE_QUEUE_PREFIX: `${scope}q-${id}`,
  };
}
