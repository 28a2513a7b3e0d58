import { isIP } from 'node:net';
import { z } from 'zod';
import { Topics } from '@wire/queues';
import { CommonEnv, envInt, envList, envOptionalSecretToken, envSecretToken, envString, loadConfig, SecretsEnv } from '@wire/config';

const HOST_VALUE = /^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;
/** A fastify `trustProxy` entry: an address, an address/prefix, or one of proxy-addr's names. */
const proxyAddress = (a: string) => ['loopback', 'linklocal', 'uniquelocal'].includes(a) || (isIP(a.split('/')[0]!) !== 0 && /^[^/]+(\/\d{1,3})?$/.test(a));

/** The ops service's environment (CONTRACTS.md, "Environment"). Parsed once, in main.ts. */
const OpsConfigSchema = z.object({
  ...CommonEnv,
  /** Partner secrets are sealed in Redis under WIRE_SECRETS_KEY. */
  ...SecretsEnv,
  PORT: envInt(8080, 0, 65535),
  /** Bearer token for `/api` and the queue UI; placeholders and predictable values are refused. */
  OPS_TOKEN: envSecretToken(),
  /** Bearer token for `/metrics` (Prometheus); unset: `/metrics` is open. */
  OPS_METRICS_TOKEN: envOptionalSecretToken(),
  /** Extra `Host` values browsers may use (name or name:port); 127.0.0.1:PORT and localhost:PORT always work. */
  OPS_ALLOWED_HOSTS: envList([]).refine((hosts) => hosts.every((h) => HOST_VALUE.test(h)), 'expected Host values (name or name:port, no scheme or path), comma-separated'),
  /** Where browsers reach the service through a proxy (e.g. https://ops.example); its host is allowed, https makes the cookie Secure. */
  OPS_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http: or https: URL' }).optional(),
  /** Reverse proxies whose X-Forwarded-Proto/-For are believed: addresses, CIDRs or `loopback`. */
  OPS_TRUST_PROXY: envList([]).refine((list) => list.every(proxyAddress), 'expected addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated'),
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
