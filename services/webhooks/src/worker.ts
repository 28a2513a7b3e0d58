/**
 * The `deliver` worker: one BullMQ job = one story version to one partner, signed per Standard
 * Webhooks, admitted through the per-partner gate, retried on the schedule, dead-lettered when it
 * can never succeed, logged attempt by attempt.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@wire/observability';
import type { Registry } from '@wire/observability';
import { DeliverJob } from '@wire/queues';
import { activeSecrets, DEFAULT_DELIVER_JOB_OPTIONS, type Partner, type PartnerRegistry, type RecipientsRegister } from '@wire/routing';
import {
  DeadLetterStore,
  DeliveryClient,
  DeliveryErrorCodes,
  DeliveryLog,
  SsrfGuard,
  WebhookErrorCodes,
  createDeliveryOps,
  webhookHeaders,
  type DeliveryAttempt,
  type DeliveryOps,
  type DeliveryOutcome,
  type SendOutcome,
} from '@wire/webhooks';
import { deliveryConfig, type DeliveryConfig } from './config';
import { createDeliveryMetrics, type DeliveryMetrics } from './metrics';
import { PartnerGate, type Admission, type GateJob } from './partner-gate';
import { PayloadBuilder, webhookId, type MediaUrlFn, type RenderFn } from './payload';
import { nextDelay, parseRetryAfter, withJitter } from './retry';

/** Emitted on `service.events` and passed to `deps.onEvent`. */
export interface PartnerDisabledEvent {
  type: 'partner.disabled';
  partnerId: string;
  reason: string;
  at: string;
}
export type DeliveryEvent = PartnerDisabledEvent;

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
  worker: Worker<DeliverJob>;
  /** A Queue handle on the same queue (for replays and producers in the same process). */
  queue: Queue;
  ops: DeliveryOps;
  events: EventEmitter<{ 'partner.disabled': [PartnerDisabledEvent] }>;
  config: DeliveryConfig;
  /** Stop taking jobs, finish (or with `force`, abandon) in-flight ones, close pools. Safe twice. */
  close(force?: boolean): Promise<void>;
}

/** A failure that may succeed later; BullMQ's backoff strategy reads `delayMs`. */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A failure that can never succeed: the job goes to dead letters without retries. */
class DeadLetter extends UnrecoverableError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeadLetter';
  }
}

/** One attempt: what the gate needs (it caches the job's keys on it) and what the log records. */
interface AttemptInfo extends GateJob {
  webhookId: string;
  /** 1 for the first attempt. */
  attempt: number;
}

const statusRetryable = (status: number) => status === 408 || status === 429 || status >= 500;

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
  const own = deps.redis.duplicate({ enableAutoPipelining: true });
  own.on('error', (err: unknown) => log.error({ err }, 'redis (delivery writes) error'));
  const gate = new PartnerGate(own, { prefix: config.prefix, registerDays: config.registerDays });
  const deliveryLog = new DeliveryLog(own, { prefix: config.prefix, retentionDays: config.logRetentionDays, excerptBytes: config.excerptBytes });
  const dead = new DeadLetterStore(deps.redis, queue, {
    prefix: config.prefix,
    retentionDays: config.deadLetterRetentionDays,
    jobOptions: DEFAULT_DELIVER_JOB_OPTIONS,
  });
  const ops = createDeliveryOps({
    redis: deps.redis,
    deliverQueue: queue,
    prefix: config.prefix,
    logRetentionDays: config.logRetentionDays,
    deadLetterRetentionDays: config.deadLetterRetentionDays,
    jobOptions: DEFAULT_DELIVER_JOB_OPTIONS,
  });
  const client = new DeliveryClient({
    guard: new SsrfGuard({ allow: config.allowPrivateHosts }),
    timeoutMs: config.timeoutMs,
    connectionsPerOrigin: config.connectionsPerOrigin,
    excerptBytes: config.excerptBytes,
  });
  const payloads = new PayloadBuilder(deps.render, deps.mediaUrl);
  const metrics: DeliveryMetrics = createDeliveryMetrics(deps.metrics, async () => (await deps.registry.list()).filter((p) => p.disabled).length);
  const events = new EventEmitter<{ 'partner.disabled': [PartnerDisabledEvent] }>();
  // Per-partner metric children of the success path, resolved once (label hashing per call shows
  // in profiles at thousands of deliveries per second).
  const partnerMetrics = new Map<string, { attempt: { observe(v: number): void }; endToEnd: { observe(v: number): void }; delivered: { inc(): void } }>();
  const metricsOf = (partnerId: string) => {
    let m = partnerMetrics.get(partnerId);
    if (!m) {
      m = {
        attempt: metrics.attemptSeconds.labels({ partner: partnerId }),
        endToEnd: metrics.endToEndSeconds.labels({ partner: partnerId }),
        delivered: metrics.deliveries.labels({ partner: partnerId, outcome: 'delivered' }),
      };
      if (partnerMetrics.size >= 10_000) partnerMetrics.clear();
      partnerMetrics.set(partnerId, m);
    }
    return m;
  };
  const policy = {
    scheduleMs: config.retryScheduleMs,
    jitter: config.retryJitter,
    retryAfterMinMs: config.retryAfterMinMs,
    retryAfterMaxMs: config.retryAfterMaxMs,
  };

  const record = async (entry: DeliveryAttempt) => {
    metrics.deliveries.inc({ partner: entry.partnerId, outcome: entry.outcome });
    await deliveryLog.record(entry);
  };

  const disablePartner = async (partner: Partner, reason: string) => {
    const outcome = await deps.registry.disableIfEnabled(partner.id, reason);
    if (!outcome?.changed) return;
    const event: PartnerDisabledEvent = { type: 'partner.disabled', partnerId: partner.id, reason, at: new Date().toISOString() };
    metrics.partnersDisabled.inc({ partner: partner.id, reason: reason.startsWith('410') ? 'gone' : 'failing' });
    log.warn({ partnerId: partner.id, reason }, 'partner disabled');
    events.emit('partner.disabled', event);
    deps.onEvent?.(event);
  };

  /** Sustained failure: failing without a single success for `disableAfterMs` disables the partner. */
  const noteFailure = async (partner: Partner) => {
    if (config.disableAfterMs <= 0) return;
    const since = await gate.failingSince(partner.id, config.disableAfterMs);
    if (Date.now() - since >= config.disableAfterMs) {
      await disablePartner(partner, `failing without success since ${new Date(since).toISOString()}`);
    }
  };

  /** A log entry of this attempt (the attempt's fields listed, never its gate keys). */
  const entryOf = (a: AttemptInfo, at: string, outcome: DeliveryOutcome, extra?: Partial<DeliveryAttempt>): DeliveryAttempt => ({
    jobId: a.jobId,
    webhookId: a.webhookId,
    partnerId: a.partnerId,
    storyUri: a.storyUri,
    version: a.version,
    eventType: a.eventType,
    variant: a.variant,
    attempt: a.attempt,
    at,
    outcome,
    ...extra,
  });

  /** Dead-letter the job (recorded with its reason and data, logged) and end it without retries. */
  const deadLetter = async (a: AttemptInfo, data: DeliverJob, code: string, message: string, extra: Partial<DeliveryAttempt> = {}): Promise<never> => {
    const at = new Date().toISOString();
    await dead.add({ id: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, version: a.version, eventType: a.eventType, ...(a.variant ? { variant: a.variant } : {}), code, reason: message, at, attempts: a.attempt, ...(extra.status !== undefined ? { lastStatus: extra.status } : {}) }, data);
    await record(entryOf(a, at, 'dead', { error: { code, message }, ...extra }));
    metrics.deadLetters.inc({ partner: a.partnerId, code });
    log.warn({ jobId: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, code }, 'delivery dead-lettered');
    throw new DeadLetter(code, message);
  };

  const badJob = async (job: Job<DeliverJob>, error: { issues: Array<{ path: PropertyKey[]; message: string }> }): Promise<never> => {
    // Can never succeed: keep it with its reason in dead letters (fixable by hand, replayable).
    const issue = error.issues[0];
    const reason = `deliver job ${job.id}: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid'}`;
    const raw = (job.data ?? {}) as Partial<DeliverJob>;
    await dead.add(
      { id: job.id!, partnerId: String(raw.partnerId ?? '?'), storyUri: String(raw.storyUri ?? '?'), version: Number(raw.version ?? 0), eventType: raw.eventType ?? 'story.published', code: DeliveryErrorCodes.BAD_JOB, reason, at: new Date().toISOString(), attempts: job.attemptsMade + 1 },
      raw as DeliverJob,
    );
    metrics.deadLetters.inc({ partner: String(raw.partnerId ?? '?'), code: DeliveryErrorCodes.BAD_JOB });
    throw new DeadLetter(DeliveryErrorCodes.BAD_JOB, reason);
  };

  /** The gate said no: log a stale or duplicate attempt, or park the job until its turn. */
  const notAdmitted = async (job: Job<DeliverJob>, token: string | undefined, a: AttemptInfo, admission: Exclude<Admission, { kind: 'ok' }>): Promise<DeliveryOutcome> => {
    switch (admission.kind) {
      case 'killed':
      case 'stale':
      case 'duplicate': {
        const outcome = admission.kind === 'duplicate' ? 'duplicate' : 'stale';
        const message = admission.kind === 'killed' ? 'story was killed at this partner' : `version ${admission.deliveredVersion} already delivered`;
        await record(entryOf(a, new Date().toISOString(), outcome, { error: { code: admission.kind, message } }));
        return outcome;
      }
      default:
        // Not this partner's turn: park the job briefly without counting an attempt, so a slow
        // partner holds at most its own slots and never the worker's.
        // (Another version in flight finishes in about one request time, not the lock's TTL.)
        await job.moveToDelayed(Date.now() + withJitter(Math.max(admission.kind === 'story-busy' ? 0 : admission.retryMs, config.busyRetryMs), 0.5), token);
        throw new DelayedError();
    }
  };

  /** After a non-2xx answer or no answer: dead letter, disable, or retry on the schedule. */
  const failed = async (job: Job<DeliverJob>, a: AttemptInfo, data: DeliverJob, partner: Partner, out: SendOutcome, at: string): Promise<never> => {
    const attemptInfo: Partial<DeliveryAttempt> = out.ok ? { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt } : { latencyMs: out.latencyMs };
    if (out.ok && out.status === 410) {
      await disablePartner(partner, '410 Gone from the partner endpoint');
      return deadLetter(a, data, DeliveryErrorCodes.GONE, `partner ${partner.id} answered 410 Gone; endpoint disabled`, attemptInfo);
    }
    if (out.ok && !statusRetryable(out.status)) {
      await noteFailure(partner);
      const redirect = out.status >= 300 && out.status < 400;
      return deadLetter(
        a,
        data,
        redirect ? DeliveryErrorCodes.REDIRECT : DeliveryErrorCodes.REJECTED,
        `partner ${partner.id} answered ${out.status}${redirect ? ' (redirects are not followed)' : ''}`,
        attemptInfo,
      );
    }
    if (!out.ok && (out.error.code === WebhookErrorCodes.SSRF_BLOCKED || out.error.code === WebhookErrorCodes.URL)) {
      return deadLetter(a, data, out.error.code, out.error.message, attemptInfo);
    }

    // Retryable: 408/429/5xx, timeout, connection failure, DNS.
    const code = out.ok ? DeliveryErrorCodes.RETRYABLE : out.error.code;
    const message = out.ok ? `partner ${partner.id} answered ${out.status}` : out.error.message;
    if (!(out.ok && out.status === 429)) await noteFailure(partner);
    const fresh = await deps.registry.get(partner.id);
    if (fresh?.disabled) return deadLetter(a, data, DeliveryErrorCodes.PARTNER_DISABLED, `${message}; partner disabled (${fresh.disabledReason ?? ''})`, attemptInfo);
    const retryAfterMs = out.ok ? parseRetryAfter(out.retryAfter) : undefined;
    const delay = a.attempt >= (job.opts.attempts ?? 1) ? undefined : nextDelay(policy, a.attempt, retryAfterMs);
    if (delay === undefined) {
      return deadLetter(a, data, DeliveryErrorCodes.EXHAUSTED, `${message}; gave up after ${a.attempt} attempts`, attemptInfo);
    }
    await record(entryOf(a, at, 'retrying', { error: { code, message }, nextAttemptAt: new Date(Date.now() + delay).toISOString(), ...attemptInfo }));
    log.debug({ jobId: a.jobId, partnerId: partner.id, attempt: a.attempt, delay }, 'delivery will retry');
    throw new RetryLater(message, delay);
  };

  // Processors still running after a forced close (their requests aborted) finish writing their
  // log entries before close() resolves, so nothing is written after the caller tears down Redis.
  let running = 0;
  let idle: (() => void) | undefined;

  async function process(job: Job<DeliverJob>, token?: string): Promise<DeliveryOutcome> {
    running++;
    try {
      return await attempt(job, token);
    } finally {
      if (--running === 0 && idle) idle();
    }
  }

  async function attempt(job: Job<DeliverJob>, token: string | undefined): Promise<DeliveryOutcome> {
    const parsed = DeliverJob.safeParse(job.data);
    if (!parsed.success) return badJob(job, parsed.error);
    const data = parsed.data;
    // The attempt as the gate sees it (it caches the job's keys here) and as the log records it.
    const a: AttemptInfo = {
      jobId: job.id!,
      webhookId: webhookId(data),
      partnerId: data.partnerId,
      storyUri: data.storyUri,
      version: data.version,
      eventType: data.eventType,
      variant: data.variant,
      attempt: job.attemptsMade + 1,
    };

    const partner = await deps.registry.get(data.partnerId);
    if (!partner) {
      await record(entryOf(a, new Date().toISOString(), 'dropped', { error: { code: DeliveryErrorCodes.PARTNER_GONE, message: `partner ${data.partnerId} no longer exists` } }));
      return 'dropped';
    }
    if (partner.disabled) {
      return deadLetter(a, data, DeliveryErrorCodes.PARTNER_DISABLED, `partner ${partner.id} is disabled (${partner.disabledReason ?? 'no reason'})`);
    }

    const admission = await gate.admit(a, {
      concurrency: partner.concurrency ?? config.partnerConcurrency,
      ratePerSec: partner.ratePerSec ?? config.partnerRatePerSec,
      slotTtlMs: config.timeoutMs + 10_000,
    });
    if (admission.kind !== 'ok') return notAdmitted(job, token, a, admission);

    // The slot and story lock are this attempt's until a 2xx commit or a release.
    let held = true;
    try {
      const body = payloads.cached(data) ?? (await payloads.body(data, job.timestamp));
      const headers = webhookHeaders(activeSecrets(partner), { id: a.webhookId, timestamp: Math.floor(Date.now() / 1000), payload: body });
      if (!headers.ok) {
        held = false;
        await gate.release(a);
        return await deadLetter(a, data, headers.error.code, headers.error.message);
      }
      const out = await client.send({ url: partner.url, headers: headers.value, body });
      const pm = metricsOf(partner.id);
      pm.attempt.observe(out.latencyMs / 1000);
      const at = new Date().toISOString();

      if (out.ok && out.status >= 200 && out.status < 300) {
        held = false;
        const receivedMs = data.receivedAt ? Date.parse(data.receivedAt) : NaN;
        const endToEndMs = Number.isFinite(receivedMs) ? Date.now() - receivedMs : undefined;
        if (endToEndMs !== undefined) pm.endToEnd.observe(endToEndMs / 1000);
        // Register, lock release and log entry in one script call; the recipient (when routing
        // did not record it) in the same tick, so on the auto-pipelined connection in the same write.
        const entry = entryOf(a, at, 'delivered', { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt, endToEndMs });
        const committed = gate.commit(a, deliveryLog.prepare(entry));
        // Routing recorded the partner before adding the job; other enqueuers (a translator
        // given no register, a hand-made job) leave it to the delivery.
        const recorded = deps.recipients && !data.recipientRecorded ? Promise.all(deps.recipients.addInto(own, data.storyUri, [partner.id])) : undefined;
        pm.delivered.inc();
        await committed;
        if (recorded) await recorded;
        return 'delivered';
      }
      held = false;
      await gate.release(a);
      return await failed(job, a, data, partner, out, at);
    } catch (e) {
      if (held) await gate.release(a).catch((err: unknown) => log.error({ err, jobId: a.jobId }, 'slot release failed'));
      throw e;
    }
  }

  const worker = new Worker<DeliverJob, DeliveryOutcome>(config.queueName, process, {
    connection,
    prefix: config.bullPrefix,
    concurrency: config.concurrency,
    autorun: deps.autorun ?? true,
    // The request deadline bounds a job; the lock outlives it with room to spare.
    lockDuration: Math.max(30_000, config.timeoutMs * 2),
    settings: {
      backoffStrategy: (attemptsMade, _type, err) =>
        err instanceof RetryLater ? err.delayMs : (nextDelay(policy, attemptsMade) ?? config.retryScheduleMs.at(-1) ?? 0),
    },
  });
  worker.on('failed', (job, err) => {
    // Dead letters from the processor are recorded there; this catches the rest (stalled jobs
    // past their limit, broken infrastructure on the last attempt).
    if (!job || err instanceof DeadLetter || err instanceof RetryLater) return;
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const d = job.data;
    const at = new Date().toISOString();
    void dead
      .add({ id: job.id!, partnerId: d.partnerId, storyUri: d.storyUri, version: d.version, eventType: d.eventType, code: 'WIRE_ERR_DELIVERY_FAILED', reason: err.message, at, attempts: job.attemptsMade }, d)
      .catch((e: unknown) => log.error({ err: e, jobId: job.id }, 'dead letter record failed'));
  });
  worker.on('error', (err) => log.error({ err }, 'deliver worker error'));

  let closing: Promise<void> | undefined;
  return {
    worker,
    queue,
    ops,
    events,
    config,
    close(force = false) {
      closing ??= (async () => {
        await worker.close(force).catch((err: unknown) => log.error({ err }, 'worker close failed'));
        await (force ? client.destroy() : client.close());
        if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
        await queue.close().catch((err: unknown) => log.error({ err }, 'queue close failed'));
        await own.quit().catch((err: unknown) => log.error({ err }, 'redis (delivery writes) close failed'));
      })();
      return closing;
    },
  };
}
