/**
 * services/webhooks configuration: one zod schema over the environment (parsed in main.ts), and
 * the runtime `DeliveryConfig` the worker factory takes (tests build it directly).
 */
import { z } from 'zod';
import { CommonEnv, envAllowList, envInt, envString, SecretsEnv } from '@wire/config';
import { Queues } from '@wire/queues';
import { DEFAULT_RETRY_SCHEDULE_MS, parseSchedule } from './retry';

export interface DeliveryConfig {
  /** BullMQ queue name (default `deliver`). */
  queueName: string;
  /** BullMQ key prefix (default `bull`). */
  bullPrefix: string;
  /** Prefix of the service's own Redis keys: log, dead letters, registers (default `wire:`). */
  prefix: string;
  /**
   * Jobs in flight per worker process (default 100). A batch job carries up to 50 requests, so
   * many more jobs than partners × their caps only park and fetch batches again.
   */
  concurrency: number;
  /** Per-attempt deadline, ms. */
  timeoutMs: number;
  /** Delays after the immediate first attempt. */
  retryScheduleMs: number[];
  retryJitter: number;
  retryAfterMinMs: number;
  retryAfterMaxMs: number;
  /** In-flight requests per partner (a partner may override). */
  partnerConcurrency: number;
  /** Requests per second per partner, 0 = unlimited (a partner may override). */
  partnerRatePerSec: number;
  /** A partner failing without any success for this long is disabled, ms. */
  disableAfterMs: number;
  /** Base wait before a job that found its partner busy is tried again, ms (jittered). */
  busyRetryMs: number;
  /** Connections per partner origin. */
  connectionsPerOrigin: number;
  /** Response bytes kept in the delivery log. */
  excerptBytes: number;
  logRetentionDays: number;
  deadLetterRetentionDays: number;
  /** Days the delivered-version register of a (partner, story) is kept. */
  registerDays: number;
  /** Hosts, addresses and CIDRs partner URLs may reach although private (`WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS`, else `WIRE_ALLOW_PRIVATE_HOSTS`). */
  allowPrivateHosts: string[];
  /** Times a job may be found stalled (its worker died or lost the lock) and run again before it is dead-lettered. */
  maxStalledCount: number;
}

export const DEFAULT_DELIVERY_CONFIG: DeliveryConfig = {
  queueName: Queues.deliver,
  bullPrefix: 'bull',
  prefix: 'wire:',
  concurrency: 100,
  timeoutMs: 15_000,
  retryScheduleMs: [...DEFAULT_RETRY_SCHEDULE_MS],
  retryJitter: 0.1,
  retryAfterMinMs: 1_000,
  retryAfterMaxMs: 3_600_000,
  partnerConcurrency: 16,
  partnerRatePerSec: 500,
  disableAfterMs: 5 * 86_400_000,
  busyRetryMs: 200,
  connectionsPerOrigin: 16,
  excerptBytes: 512,
  logRetentionDays: 7,
  deadLetterRetentionDays: 30,
  registerDays: 30,
  allowPrivateHosts: [],
  maxStalledCount: 5,
};

/** Fill defaults. */
export function deliveryConfig(partial: Partial<DeliveryConfig> = {}): DeliveryConfig {
  return { ...DEFAULT_DELIVERY_CONFIG, ...partial };
}

const schedule = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return [...DEFAULT_RETRY_SCHEDULE_MS];
    const parsed = parseSchedule(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });

/** The environment of the webhooks service. */
export const ConfigSchema = z.object({
  ...CommonEnv,
  ...SecretsEnv,
  /** Partner URLs' own allow list; unset: `WIRE_ALLOW_PRIVATE_HOSTS`. */
  WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS: envAllowList(),
  WEBHOOKS_PORT: envInt(9102, 0, 65535),
  WEBHOOKS_QUEUE: envString(Queues.deliver),
  /** Prefix of the pipeline's own Redis keys (shared with ingest, translator and ops). */
  WIRE_REDIS_PREFIX: envString('wire:'),
  /** BullMQ key prefix (shared with every producer of deliver jobs). */
  WIRE_QUEUE_PREFIX: envString('bull'),
  WEBHOOKS_CONCURRENCY: envInt(DEFAULT_DELIVERY_CONFIG.concurrency, 1, 10_000),
  WEBHOOK_TIMEOUT_MS: envInt(DEFAULT_DELIVERY_CONFIG.timeoutMs, 100, 600_000),
  WEBHOOK_RETRY_SCHEDULE: schedule,
  WEBHOOK_RETRY_AFTER_MAX_MS: envInt(DEFAULT_DELIVERY_CONFIG.retryAfterMaxMs, 0),
  WEBHOOK_PARTNER_CONCURRENCY: envInt(DEFAULT_DELIVERY_CONFIG.partnerConcurrency, 1, 10_000),
  WEBHOOK_PARTNER_RATE: envInt(DEFAULT_DELIVERY_CONFIG.partnerRatePerSec, 0),
  WEBHOOK_DISABLE_AFTER_MS: envInt(DEFAULT_DELIVERY_CONFIG.disableAfterMs, 0),
  DELIVERY_LOG_DAYS: envInt(DEFAULT_DELIVERY_CONFIG.logRetentionDays, 1, 365),
  PARTNERS_FILE: z.string().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/** The runtime config from the parsed environment. */
export function fromEnv(config: Config): DeliveryConfig {
  return deliveryConfig({
    queueName: config.WEBHOOKS_QUEUE,
    prefix: config.WIRE_REDIS_PREFIX,
    bullPrefix: config.WIRE_QUEUE_PREFIX,
    concurrency: config.WEBHOOKS_CONCURRENCY,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryScheduleMs: config.WEBHOOK_RETRY_SCHEDULE,
    retryAfterMaxMs: config.WEBHOOK_RETRY_AFTER_MAX_MS,
    partnerConcurrency: config.WEBHOOK_PARTNER_CONCURRENCY,
    partnerRatePerSec: config.WEBHOOK_PARTNER_RATE,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
    logRetentionDays: config.DELIVERY_LOG_DAYS,
    allowPrivateHosts: config.WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS ?? config.WIRE_ALLOW_PRIVATE_HOSTS,
  });
}
