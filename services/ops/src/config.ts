import { z } from 'zod';
import { Topics } from '@wire/queues';
import { CommonEnv, envInt, envRequired, envString, loadConfig, SecretsEnv } from '@wire/config';

/** The ops service's environment (CONTRACTS.md, "Environment"). Parsed once, in main.ts. */
export const OpsConfigSchema = z.object({
  ...CommonEnv,
  /** Partner secrets are sealed in Redis under WIRE_SECRETS_KEY. */
  ...SecretsEnv,
  PORT: envInt(8080, 0, 65535),
  /** Bearer token for `/api` and the queue UI. */
  OPS_TOKEN: envRequired().refine((t) => t.length >= 16, 'must be at least 16 characters'),
  /** Redis key prefix shared with routing, dedupe and the delivery log (`wire:`). */
  WIRE_REDIS_PREFIX: envString('wire:'),
  /** BullMQ key prefix (`bull`). */
  WIRE_QUEUE_PREFIX: envString('bull'),
  OPS_EVENTS_TOPIC: envString(Topics.events),
  OPS_DLQ_TOPIC: envString(Topics.dlq),
  /** Consumer group the ops service reads `stories.events` and `wire.dlq` with. */
  OPS_KAFKA_GROUP: envString('ops'),
  /** How many recent story events the index keeps. */
  OPS_STORY_INDEX_MAX: envInt(2000, 10, 1_000_000),
  /** Consumer groups whose lag `/metrics` and the dashboard report (default: `ingest` and OPS_KAFKA_GROUP). */
  OPS_LAG_GROUPS: envString(''),
});
export type OpsConfig = z.infer<typeof OpsConfigSchema>;

/** Parse the ops configuration; throws `ConfigError` naming each bad variable. */
export function loadOpsConfig(env: Record<string, string | undefined>): OpsConfig {
  return loadConfig(OpsConfigSchema, env);
}
