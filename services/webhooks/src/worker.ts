/**
 * The `deliver` worker: one BullMQ job = one story version to one partner (or a batch of one
 * partner's), signed per Standard Webhooks, admitted through the per-partner gate, retried on the
 * schedule, dead-lettered when it can never succeed, logged attempt by attempt.
 *
 * This file wires it: clients, the BullMQ worker, close. The work is in `delivery/`: one delivery
 * (`attempt.ts`), a batch (`batch.ts`), what follows a failure (`verdict.ts`), this process's
 * requests on the wire per partner (`in-flight.ts`), and what they share (`context.ts`).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger, Registry } from '@wire/observability';
import { DELIVER_BATCH_JOB_NAME, type DeliverBatchJob, type DeliverJob } from '@wire/queues';
import { NetGuard } from '@wire/netguard';
import { DEFAULT_DELIVER_JOB_OPTIONS, type PartnerRegistry, type RecipientsRegister } from '@wire/routing';
import { DeadLetterStore, DeliveryClient, DeliveryLog, createDeliveryOps, type DeliveryOps, type DeliveryOutcome } from '@wire/webhooks';
import { deliveryConfig, type DeliveryConfig } from './config';
import { deliverOne } from './delivery/attempt';
import { deliverBatch } from './delivery/batch';
import { partnerMetricsOf, type BatchSummary, type DeliveryContext, type DeliveryEvent, type ServiceEvents } from './delivery/context';
import { PartnerInFlight } from './delivery/in-flight';
import { deadLetterFailedJob, RetryLater } from './delivery/verdict';
import { createDeliveryMetrics } from './metrics';
import { PartnerGate } from './gate/partner-gate';
import { PayloadBuilder, type MediaUrlFn, type RenderFn } from './payload';
import { nextDelay } from './retry';

export type { BatchSummary, DeliveredEvent, DeliveryEvent, PartnerDisabledEvent } from './delivery/context';

export interface DeliveryWorkerDeps {
  /** ioredis client with `maxRetriesPerRequest: null` (BullMQ requires it); also used for the service's own keys. */
  redis: Redis;
  /** BullMQ connection, when it should differ from `redis`. */
  connection?: ConnectionOptions;
  registry: PartnerRegistry;
  logger: Logger;
  metrics: Registry;
  /** Canonical story → ninjs 3.1 (`toNinjs` from @wire/normalize). */
  render: RenderFn;
  config?: Partial<DeliveryConfig>;
  /** Fills rendition hrefs (S3_PUBLIC_BASE_URL + key, or a presigned URL). */
  mediaUrl?: MediaUrlFn;
  /** When given, partners are recorded as recipients on delivery (kills find them later). */
  recipients?: RecipientsRegister;
  onEvent?: (event: DeliveryEvent) => void;
  /** Start processing at once (default true). */
  autorun?: boolean;
}

export interface DeliveryService {
  /** Processes both single deliveries (`DeliverJob`) and batches of one partner's (`DeliverBatchJob`). */
  worker: Worker<DeliverJob | DeliverBatchJob, DeliveryOutcome | BatchSummary>;
  /** A Queue handle on the same queue (for replays and producers in the same process). */
  queue: Queue;
  ops: DeliveryOps;
  events: EventEmitter<ServiceEvents>;
  config: DeliveryConfig;
  /** Stop taking jobs, finish (or with `force`, abandon) in-flight ones, close pools. Safe twice. */
  close(force?: boolean): Promise<void>;
}

/**
 * Build the delivery worker.
 *
 * @example
 * const svc = createDeliveryWorker({ redis, registry, logger, metrics, render: toNinjs, config: { timeoutMs: 15_000 } });
 * await svc.ops.listDeliveries({ partner: 'daily' });
 * await svc.close();
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryService {
  const config = deliveryConfig(deps.config);
  const log = deps.logger.child({ component: 'webhooks' });
  const connection = deps.connection ?? deps.redis;
  const queue = new Queue(config.queueName, { connection, prefix: config.bullPrefix });
  // The per-attempt writes (gate, log, recipients) go on a connection of their own with
  // auto-pipelining: the commands of every attempt that ends in the same tick share one write
  // and one round trip, and no ioredis pipeline is built per attempt (on a client BullMQ has
  // defined its ~40 scripts on, building one copies them all — a measurable share of the CPU).
  const writes = deps.redis.duplicate({ enableAutoPipelining: true });
  writes.on('error', (err: unknown) => log.error({ err }, 'redis (delivery writes) error'));
  const ops = createDeliveryOps({
    redis: deps.redis,
    deliverQueue: queue,
    prefix: config.prefix,
    logRetentionDays: config.logRetentionDays,
    deadLetterRetentionDays: config.deadLetterRetentionDays,
    jobOptions: DEFAULT_DELIVER_JOB_OPTIONS,
  });
  const metrics = createDeliveryMetrics(deps.metrics, async () => (await deps.registry.list()).filter((p) => p.disabled).length);
  const ctx: DeliveryContext = {
    config,
    log,
    registry: deps.registry,
    recipients: deps.recipients,
    onEvent: deps.onEvent,
    queue,
    writes,
    gate: new PartnerGate(writes, { prefix: config.prefix, registerDays: config.registerDays }),
    deliveryLog: new DeliveryLog(writes, { prefix: config.prefix, retentionDays: config.logRetentionDays, excerptBytes: config.excerptBytes }),
    dead: new DeadLetterStore(deps.redis, queue, {
      prefix: config.prefix,
      retentionDays: config.deadLetterRetentionDays,
      jobOptions: DEFAULT_DELIVER_JOB_OPTIONS,
    }),
    client: new DeliveryClient({
      // Verdicts reused 5 s per host on the send path; every new socket is judged afresh at connect.
      guard: new NetGuard({ allow: config.allowPrivateHosts, cacheMs: 5_000 }),
      timeoutMs: config.timeoutMs,
      connectionsPerOrigin: config.connectionsPerOrigin,
      excerptBytes: config.excerptBytes,
    }),
    payloads: new PayloadBuilder(deps.render, deps.mediaUrl),
    metrics,
    partnerMetrics: partnerMetricsOf(metrics),
    events: new EventEmitter<ServiceEvents>(),
    policy: {
      scheduleMs: config.retryScheduleMs,
      jitter: config.retryJitter,
      retryAfterMinMs: config.retryAfterMinMs,
      retryAfterMaxMs: config.retryAfterMaxMs,
    },
    inFlight: new PartnerInFlight(),
    stopping: false,
  };

  // Processors still running after a forced close (their requests aborted) finish writing their
  // log entries before close() resolves, so nothing is written after the caller tears down Redis.
  let running = 0;
  let idle: (() => void) | undefined;
  async function processJob(job: Job<DeliverJob | DeliverBatchJob>, token?: string): Promise<DeliveryOutcome | BatchSummary> {
    running++;
    try {
      return job.name === DELIVER_BATCH_JOB_NAME ? await deliverBatch(ctx, job as Job<DeliverBatchJob>, token) : await deliverOne(ctx, job as Job<DeliverJob>, token);
    } finally {
      if (--running === 0 && idle) idle();
    }
  }

  const worker = new Worker<DeliverJob | DeliverBatchJob, DeliveryOutcome | BatchSummary>(config.queueName, processJob, {
    connection,
    prefix: config.bullPrefix,
    concurrency: config.concurrency,
    autorun: deps.autorun ?? true,
    // The request deadline bounds a job; the lock outlives it with room to spare.
    lockDuration: Math.max(30_000, config.timeoutMs * 2),
    // A job whose worker died is run again: the gate lets the same holder back in and the register
    // drops what was delivered, so that is safe. A batch job parked and taken up again many times
    // may meet several crashes in its life; past this many it is dead-lettered, not run again.
    maxStalledCount: config.maxStalledCount,
    settings: {
      backoffStrategy: (attemptsMade, _type, err) =>
        err instanceof RetryLater ? err.delayMs : (nextDelay(ctx.policy, attemptsMade) ?? config.retryScheduleMs.at(-1) ?? 0),
    },
  });
  worker.on('failed', (job, err) => deadLetterFailedJob(ctx, job, err));
  worker.on('error', (err) => log.error({ err }, 'deliver worker error'));

  let closing: Promise<void> | undefined;
  return {
    worker,
    queue,
    ops,
    events: ctx.events,
    config,
    close(force = false) {
      closing ??= (async () => {
        // Batches stop their rounds: waiting ones and the rest of running ones are parked.
        ctx.stopping = true;
        ctx.inFlight.wakeAll();
        await worker.close(force).catch((err: unknown) => log.error({ err }, 'worker close failed'));
        await (force ? ctx.client.destroy() : ctx.client.close());
        if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
        await queue.close().catch((err: unknown) => log.error({ err }, 'queue close failed'));
        await writes.quit().catch((err: unknown) => log.error({ err }, 'redis (delivery writes) close failed'));
      })();
      return closing;
    },
  };
}
