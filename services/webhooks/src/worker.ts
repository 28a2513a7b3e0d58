/**
 * The `deliver` worker: one BullMQ job = one story version to one partner, signed per Standard
 * Webhooks, admitted through the per-partner gate, retried on the schedule, dead-lettered when it
 * can never succeed, logged attempt by attempt.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { DelayedError, Job, Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '@wire/observability';
import type { Registry } from '@wire/observability';
import { DELIVER_BATCH_JOB_NAME, DeliverBatchJob, DeliverJob, type DeliverBatchItem } from '@wire/queues';
import { NetGuard } from '@wire/netguard';
import { activeSecrets, DEFAULT_DELIVER_JOB_OPTIONS, recipientEntry, type Partner, type PartnerRegistry, type RecipientsRegister } from '@wire/routing';
import {
  DeadLetterStore,
  DeliveryClient,
  DeliveryErrorCodes,
  DeliveryLog,
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
import { PartnerGate, type Admission, type GateJob } from './gate/partner-gate';
import { PayloadBuilder, webhookId, type MediaUrlFn, type RenderFn } from './payload';
import { nextDelay, parseRetryAfter, withJitter } from './retry';

/** Emitted on `service.events` and passed to `deps.onEvent`. */
export interface PartnerDisabledEvent {
  type: 'partner.disabled';
  partnerId: string;
  reason: string;
  at: string;
}
/** Emitted on `service.events` after each 2xx (for progress and end-to-end measurements). */
export interface DeliveredEvent {
  type: 'delivery.delivered';
  jobId: string;
  partnerId: string;
  storyUri: string;
  version: number;
  /** When the BullMQ job carrying the delivery was added, ms since epoch. */
  enqueuedAt: number;
}
export type DeliveryEvent = PartnerDisabledEvent;

/** What a batch job returns: how many of its deliveries ended each way in its last pass. */
export type BatchSummary = Partial<Record<DeliveryOutcome, number>>;

type ServiceEvents = { 'partner.disabled': [PartnerDisabledEvent]; 'delivery.delivered': [DeliveredEvent] };

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
    // Verdicts reused 5 s per host on the send path; every new socket is judged afresh at connect.
    guard: new NetGuard({ allow: config.allowPrivateHosts, cacheMs: 5_000 }),
    timeoutMs: config.timeoutMs,
    connectionsPerOrigin: config.connectionsPerOrigin,
    excerptBytes: config.excerptBytes,
  });
  const payloads = new PayloadBuilder(deps.render, deps.mediaUrl);
  const metrics: DeliveryMetrics = createDeliveryMetrics(deps.metrics, async () => (await deps.registry.list()).filter((p) => p.disabled).length);
  const events = new EventEmitter<ServiceEvents>();
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

  /** Record a dead letter of this delivery (its reason and data kept, replayable) and log it. */
  const recordDead = async (a: AttemptInfo, data: DeliverJob, code: string, message: string, extra: Partial<DeliveryAttempt> = {}): Promise<void> => {
    const at = new Date().toISOString();
    await dead.add({ id: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, version: a.version, eventType: a.eventType, ...(a.variant ? { variant: a.variant } : {}), code, reason: message, at, attempts: a.attempt, ...(extra.status !== undefined ? { lastStatus: extra.status } : {}) }, data);
    await record(entryOf(a, at, 'dead', { error: { code, message }, ...extra }));
    metrics.deadLetters.inc({ partner: a.partnerId, code });
    log.warn({ jobId: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, code }, 'delivery dead-lettered');
  };

  /** Dead-letter the job and end it without retries. */
  const deadLetter = async (a: AttemptInfo, data: DeliverJob, code: string, message: string, extra: Partial<DeliveryAttempt> = {}): Promise<never> => {
    await recordDead(a, data, code, message, extra);
    throw new DeadLetter(code, message);
  };

  const badJob = async (job: Job, error: { issues: Array<{ path: PropertyKey[]; message: string }> }): Promise<never> => {
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

  /** Log a stale, superseded, duplicate or killed attempt (the gate refused it for good). */
  const refused = async (a: AttemptInfo, admission: Extract<Admission, { kind: 'killed' | 'stale' | 'superseded' | 'duplicate' }>): Promise<DeliveryOutcome> => {
    const outcome = admission.kind === 'duplicate' ? 'duplicate' : 'stale';
    const message =
      admission.kind === 'killed'
        ? 'story was killed at this partner'
        : admission.kind === 'superseded'
          ? `version ${admission.sentVersion} was already sent (it may have reached the partner)`
          : `version ${admission.deliveredVersion} already delivered`;
    await record(entryOf(a, new Date().toISOString(), outcome, { error: { code: admission.kind, message } }));
    return outcome;
  };

  /** How long a job the gate asked to wait is parked (another version in flight finishes in about one request time). */
  const parkMs = (admission: Extract<Admission, { kind: 'story-busy' | 'busy' | 'rate' }>) =>
    withJitter(Math.max(admission.kind === 'story-busy' ? 0 : admission.retryMs, config.busyRetryMs), 0.5);

  /** The gate said no: log a stale or duplicate attempt, or park the job until its turn. */
  const notAdmitted = async (job: Job, token: string | undefined, a: AttemptInfo, admission: Exclude<Admission, { kind: 'ok' }>): Promise<DeliveryOutcome> => {
    switch (admission.kind) {
      case 'killed':
      case 'stale':
      case 'superseded':
      case 'duplicate':
        return refused(a, admission);
      default:
        // Not this partner's turn: park the job briefly without counting an attempt, so a slow
        // partner holds at most its own slots and never the worker's.
        await job.moveToDelayed(Date.now() + parkMs(admission), token);
        throw new DelayedError();
    }
  };

  /** What follows a non-2xx answer or no answer. */
  type Verdict = { dead: true; code: string; message: string } | { dead: false; code: string; message: string; delayMs: number };

  /**
   * After a non-2xx answer or no answer: dead letter (410 also disables the endpoint; other 4xx,
   * redirects, refused URLs), or retry on the schedule — unless the attempts are spent or the
   * partner got disabled meanwhile. `lastAllowed` is true when the job may not be attempted again.
   */
  const judge = async (a: AttemptInfo, partner: Partner, out: SendOutcome, lastAllowed: boolean): Promise<Verdict> => {
    if (out.ok && out.status === 410) {
      await disablePartner(partner, '410 Gone from the partner endpoint');
      return { dead: true, code: DeliveryErrorCodes.GONE, message: `partner ${partner.id} answered 410 Gone; endpoint disabled` };
    }
    if (out.ok && !statusRetryable(out.status)) {
      await noteFailure(partner);
      const redirect = out.status >= 300 && out.status < 400;
      return {
        dead: true,
        code: redirect ? DeliveryErrorCodes.REDIRECT : DeliveryErrorCodes.REJECTED,
        message: `partner ${partner.id} answered ${out.status}${redirect ? ' (redirects are not followed)' : ''}`,
      };
    }
    if (!out.ok && (out.error.code === WebhookErrorCodes.SSRF_BLOCKED || out.error.code === WebhookErrorCodes.URL)) {
      return { dead: true, code: out.error.code, message: out.error.message };
    }

    // Retryable: 408/429/5xx, timeout, connection failure, DNS.
    const code = out.ok ? DeliveryErrorCodes.RETRYABLE : out.error.code;
    const message = out.ok ? `partner ${partner.id} answered ${out.status}` : out.error.message;
    if (!(out.ok && out.status === 429)) await noteFailure(partner);
    const fresh = await deps.registry.get(partner.id);
    if (fresh?.disabled) return { dead: true, code: DeliveryErrorCodes.PARTNER_DISABLED, message: `${message}; partner disabled (${fresh.disabledReason ?? ''})` };
    const retryAfterMs = out.ok ? parseRetryAfter(out.retryAfter) : undefined;
    const delay = lastAllowed ? undefined : nextDelay(policy, a.attempt, retryAfterMs);
    if (delay === undefined) return { dead: true, code: DeliveryErrorCodes.EXHAUSTED, message: `${message}; gave up after ${a.attempt} attempts` };
    return { dead: false, code, message, delayMs: delay };
  };

  const attemptLog = (out: SendOutcome): Partial<DeliveryAttempt> => (out.ok ? { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt } : { latencyMs: out.latencyMs });

  /** Record the retry that follows (the log entry says when). */
  const recordRetry = (a: AttemptInfo, at: string, out: SendOutcome, v: Extract<Verdict, { dead: false }>) =>
    record(entryOf(a, at, 'retrying', { error: { code: v.code, message: v.message }, nextAttemptAt: new Date(Date.now() + v.delayMs).toISOString(), ...attemptLog(out) }));

  /** After a non-2xx answer or no answer to a single job: dead letter it, or throw for BullMQ to retry it. */
  const failed = async (job: Job, a: AttemptInfo, data: DeliverJob, partner: Partner, out: SendOutcome, at: string): Promise<never> => {
    const v = await judge(a, partner, out, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
    if (v.dead) return deadLetter(a, data, v.code, v.message, attemptLog(out));
    await recordRetry(a, at, out, v);
    log.debug({ jobId: a.jobId, partnerId: partner.id, attempt: a.attempt, delay: v.delayMs }, 'delivery will retry');
    throw new RetryLater(v.message, v.delayMs);
  };

  const attemptOf = (id: string, data: DeliverJob, attemptsMade: number, holder?: string): AttemptInfo => ({
    jobId: id,
    ...(holder ? { holder } : {}),
    webhookId: webhookId(data),
    partnerId: data.partnerId,
    storyUri: data.storyUri,
    version: data.version,
    eventType: data.eventType,
    variant: data.variant,
    attempt: attemptsMade + 1 + (data.priorAttempts ?? 0),
  });

  const limitsOf = (partner: Partner) => ({
    concurrency: partner.concurrency ?? config.partnerConcurrency,
    ratePerSec: partner.ratePerSec ?? config.partnerRatePerSec,
    slotTtlMs: config.timeoutMs + 10_000,
  });

  /** One admitted attempt on the wire: a 2xx with its log entry, or what went wrong. */
  type Sent =
    | { ok: true; entry: DeliveryAttempt }
    | { ok: false; out: SendOutcome; at: string }
    | { ok: false; unsigned: { code: string; message: string } };

  /** Sign and send an admitted attempt (the caller owns its slot and story lock). */
  const send = async (a: AttemptInfo, data: DeliverJob, partner: Partner, enqueuedAt: number): Promise<Sent> => {
    const body = payloads.cached(data) ?? (await payloads.body(data, enqueuedAt));
    const headers = webhookHeaders(activeSecrets(partner), { id: a.webhookId, timestamp: Math.floor(Date.now() / 1000), payload: body });
    if (!headers.ok) return { ok: false, unsigned: { code: headers.error.code, message: headers.error.message } };
    const out = await client.send({ url: partner.url, headers: headers.value, body });
    const pm = metricsOf(partner.id);
    pm.attempt.observe(out.latencyMs / 1000);
    const at = new Date().toISOString();
    if (!(out.ok && out.status >= 200 && out.status < 300)) return { ok: false, out, at };
    const receivedMs = data.receivedAt ? Date.parse(data.receivedAt) : NaN;
    const endToEndMs = Number.isFinite(receivedMs) ? Date.now() - receivedMs : undefined;
    if (endToEndMs !== undefined) pm.endToEnd.observe(endToEndMs / 1000);
    pm.delivered.inc();
    return { ok: true, entry: entryOf(a, at, 'delivered', { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt, endToEndMs }) };
  };

  /** After 2xx commits: record the partner as a recipient where routing did not, tell listeners. */
  const afterDelivered = (a: AttemptInfo, data: DeliverJob, enqueuedAt: number): Promise<unknown> | undefined => {
    if (events.listenerCount('delivery.delivered') > 0) {
      events.emit('delivery.delivered', { type: 'delivery.delivered', jobId: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, version: a.version, enqueuedAt });
    }
    // Routing recorded the partner before adding the job; other enqueuers (a translator given no
    // register, a hand-made job) leave it to the delivery.
    return deps.recipients && !data.recipientRecorded ? Promise.all(deps.recipients.addInto(own, data.storyUri, [recipientEntry(a.partnerId, data.variant)])) : undefined;
  };

  // Requests this process has on the wire per partner, and batch jobs waiting for one of them to
  // finish: a batch the gate held back entirely at the partner's cap waits here for a slot of its
  // own process's to free up (at most WAITERS_PER_PARTNER such jobs per partner, so a hung
  // partner never holds more of the worker than that) instead of being parked and fetched again.
  const WAITERS_PER_PARTNER = 2;
  /** Set by close(): batches start no new round. */
  let stopping = false;
  const onWire = new Map<string, { requests: number; waiters: Array<(freed: boolean) => void> }>();
  const wireOf = (partnerId: string) => {
    let w = onWire.get(partnerId);
    if (!w) onWire.set(partnerId, (w = { requests: 0, waiters: [] }));
    return w;
  };
  const tracked = <T>(partnerId: string, p: Promise<T>): Promise<T> => {
    const w = wireOf(partnerId);
    w.requests++;
    return p.finally(() => {
      w.requests--;
      w.waiters.shift()?.(true);
      if (w.requests === 0 && w.waiters.length === 0) onWire.delete(partnerId);
    });
  };
  /** Wait for one of this process's requests to the partner to finish; false when that is not worth it. */
  const slotFreed = (partnerId: string, maxMs: number): Promise<boolean> | false => {
    const w = onWire.get(partnerId);
    if (!w || w.requests === 0 || w.waiters.length >= WAITERS_PER_PARTNER) return false;
    return new Promise<boolean>((resolve) => {
      const done = (freed: boolean) => {
        clearTimeout(timer);
        resolve(freed);
      };
      const timer = setTimeout(() => {
        const i = w.waiters.indexOf(done);
        if (i >= 0) w.waiters.splice(i, 1);
        resolve(false);
      }, maxMs);
      w.waiters.push(done);
    });
  };

  // Processors still running after a forced close (their requests aborted) finish writing their
  // log entries before close() resolves, so nothing is written after the caller tears down Redis.
  let running = 0;
  let idle: (() => void) | undefined;

  async function process(job: Job<DeliverJob | DeliverBatchJob>, token?: string): Promise<DeliveryOutcome | BatchSummary> {
    running++;
    try {
      return job.name === DELIVER_BATCH_JOB_NAME ? await batch(job as Job<DeliverBatchJob>, token) : await attempt(job as Job<DeliverJob>, token);
    } finally {
      if (--running === 0 && idle) idle();
    }
  }

  async function attempt(job: Job<DeliverJob>, token: string | undefined): Promise<DeliveryOutcome> {
    const parsed = DeliverJob.safeParse(job.data);
    if (!parsed.success) return badJob(job, parsed.error);
    const data = parsed.data;
    // The attempt as the gate sees it (it caches the job's keys here) and as the log records it.
    const a = attemptOf(job.id!, data, job.attemptsMade);

    const partner = await deps.registry.get(data.partnerId);
    if (!partner) {
      await record(entryOf(a, new Date().toISOString(), 'dropped', { error: { code: DeliveryErrorCodes.PARTNER_GONE, message: `partner ${data.partnerId} no longer exists` } }));
      return 'dropped';
    }
    if (partner.disabled) {
      return deadLetter(a, data, DeliveryErrorCodes.PARTNER_DISABLED, `partner ${partner.id} is disabled (${partner.disabledReason ?? 'no reason'})`);
    }

    const admission = await gate.admit(a, limitsOf(partner));
    if (admission.kind !== 'ok') return notAdmitted(job, token, a, admission);

    // The slot and story lock are this attempt's until a 2xx commit or a release.
    let held = true;
    try {
      const sent = await send(a, data, partner, job.timestamp);
      held = false;
      if (sent.ok) {
        // Register, lock release and log entry in one script call; the recipient (when routing
        // did not record it) in the same tick, so on the auto-pipelined connection in the same write.
        const committed = gate.commit(a, deliveryLog.prepare(sent.entry));
        const recorded = afterDelivered(a, data, job.timestamp);
        await committed;
        if (recorded) await recorded;
        return 'delivered';
      }
      await gate.release(a);
      if ('unsigned' in sent) return await deadLetter(a, data, sent.unsigned.code, sent.unsigned.message);
      return await failed(job, a, data, partner, sent.out, sent.at);
    } catch (e) {
      if (held) await gate.release(a).catch((err: unknown) => log.error({ err, jobId: a.jobId }, 'slot release failed'));
      throw e;
    }
  }

  /** A delivery of a batch as a job of its own, for its retries (same id, attempts counted on). */
  const retryAlone = async (batchJob: Job, item: DeliverBatchItem, a: AttemptInfo, delayMs: number): Promise<void> => {
    const { id, ...data } = item;
    // A job of that id left from before (completed or failed and kept) would make the add a no-op.
    const old = await Job.fromId(queue, id);
    if (old) {
      const state = await old.getState();
      if (state !== 'completed' && state !== 'failed') return; // it is still to run: it delivers this.
      await old.remove();
    }
    const { attempts, backoff, removeOnComplete, removeOnFail } = batchJob.opts;
    await queue.add(data.eventType, { ...data, priorAttempts: a.attempt }, { attempts, backoff, removeOnComplete, removeOnFail, jobId: id, delay: delayMs });
  };

  /**
   * A batch of one partner's deliveries: admitted in one gate call, sent concurrently (each its
   * own signed request), the 2xx ones committed with their log entries in one call. A delivery
   * that fails goes on as a job of its own (the retry schedule, dead letters and replay as for
   * any delivery); those the gate holds back (partner at its cap or rate, another version of the
   * story in flight) stay in the batch, which is parked until their turn.
   */
  async function batch(job: Job<DeliverBatchJob>, token: string | undefined): Promise<BatchSummary> {
    const parsed = DeliverBatchJob.safeParse(job.data);
    if (!parsed.success) return badJob(job, parsed.error);
    const { partnerId, items } = parsed.data;
    const summary: BatchSummary = {};
    const count = (o: DeliveryOutcome) => (summary[o] = (summary[o] ?? 0) + 1);
    // Held as (this batch, the delivery): see GateJob.holder.
    const as = items.map((item) => attemptOf(item.id, item, job.attemptsMade, `${job.id}/${item.id}`));
    const at = () => new Date().toISOString();

    const partner = await deps.registry.get(partnerId);
    if (!partner) {
      const error = { code: DeliveryErrorCodes.PARTNER_GONE, message: `partner ${partnerId} no longer exists` };
      await Promise.all(as.map((a) => record(entryOf(a, at(), 'dropped', { error }))));
      return { dropped: as.length };
    }
    if (partner.disabled) {
      const message = `partner ${partner.id} is disabled (${partner.disabledReason ?? 'no reason'})`;
      await Promise.all(items.map((item, i) => recordDead(as[i]!, item, DeliveryErrorCodes.PARTNER_DISABLED, message)));
      return { dead: as.length };
    }

    // Rounds: what the gate admits goes out; while this job had requests of its own on the wire,
    // the ones held back at the cap are tried again as those finish (the partner's slots are
    // free again), so a batch is not parked and fetched again for every slot. A round that gets
    // nothing admitted parks the rest — the job then holds no worker slot while it waits.
    let roundItems = items;
    let roundAs = as;
    for (;;) {
      const admissions = await gate.admitMany(roundAs, limitsOf(partner));
      const waiting: DeliverBatchItem[] = [];
      const waitingAs: AttemptInfo[] = [];
      let waitMs = Infinity;
      let waitKind: Admission['kind'] | undefined;
      const logged: Array<Promise<DeliveryOutcome>> = [];
      const sending: Array<Promise<{ i: number; sent: Sent | { ok: false; thrown: Error } }>> = [];
      admissions.forEach((admission, i) => {
        const a = roundAs[i]!;
        switch (admission.kind) {
          case 'ok':
            // Whatever one send throws (a broken render, say) is that delivery's failure, not the batch's.
            sending.push(tracked(partnerId, send(a, roundItems[i]!, partner, job.timestamp)).then((sent) => ({ i, sent }), (err: unknown) => ({ i, sent: { ok: false, thrown: err instanceof Error ? err : new Error(String(err)) } })));
            break;
          case 'killed':
          case 'stale':
          case 'superseded':
          case 'duplicate':
            logged.push(refused(a, admission));
            break;
          default:
            waiting.push(roundItems[i]!);
            waitingAs.push(a);
            waitMs = Math.min(waitMs, parkMs(admission));
            waitKind ??= admission.kind;
        }
      });
      for (const o of await Promise.all(logged)) count(o);
      const results = await Promise.all(sending);

      // Every 2xx in one commit (registers, slots, locks, log entries), then the failures one by one.
      const delivered = results.filter((r): r is { i: number; sent: Extract<Sent, { ok: true }> } => r.sent.ok);
      const committed = gate.commitMany(delivered.map((r) => ({ job: roundAs[r.i]!, log: deliveryLog.prepare(r.sent.entry) })));
      const recorded = delivered.map((r) => afterDelivered(roundAs[r.i]!, roundItems[r.i]!, job.timestamp));
      await committed;
      await Promise.all(recorded);
      if (delivered.length > 0) summary.delivered = (summary.delivered ?? 0) + delivered.length;
      for (const { i, sent } of results) {
        if (sent.ok) continue;
        const a = roundAs[i]!;
        const item = roundItems[i]!;
        await gate.release(a);
        if ('unsigned' in sent) {
          await recordDead(a, item, sent.unsigned.code, sent.unsigned.message);
          count('dead');
          continue;
        }
        if ('thrown' in sent) {
          // As a single job's processor error would be: retried on the schedule.
          const delayMs = nextDelay(policy, a.attempt) ?? config.retryScheduleMs.at(-1) ?? 0;
          await record(entryOf(a, at(), 'retrying', { error: { code: DeliveryErrorCodes.FAILED, message: sent.thrown.message }, nextAttemptAt: new Date(Date.now() + delayMs).toISOString() }));
          await retryAlone(job, item, a, delayMs);
          count('retrying');
          continue;
        }
        const v = await judge(a, partner, sent.out, false);
        if (v.dead) {
          await recordDead(a, item, v.code, v.message, attemptLog(sent.out));
          count('dead');
        } else {
          await recordRetry(a, sent.at, sent.out, v);
          await retryAlone(job, item, a, v.delayMs);
          count('retrying');
        }
      }

      if (waiting.length === 0) break;
      // Another round only for a partner still enabled (a 410 this round disabled it: the parked
      // rest meet that on their next pass).
      if (sending.length > 0 && !stopping && !(await deps.registry.get(partnerId))?.disabled) {
        roundItems = waiting;
        roundAs = waitingAs;
        continue;
      }
      // Held back at the cap while this process has requests to the partner on the wire: wait
      // for one to finish (bounded) rather than park the whole batch.
      if (sending.length === 0 && waitKind === 'busy' && !stopping) {
        const freed = slotFreed(partnerId, Math.max(config.timeoutMs, 1_000));
        if (freed && (await freed)) continue;
      }
      // The rest wait for their turn in this job, parked without counting an attempt.
      if (waiting.length < items.length) await job.updateData({ partnerId, items: waiting });
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    return summary;
  }

  const worker = new Worker<DeliverJob | DeliverBatchJob, DeliveryOutcome | BatchSummary>(config.queueName, process, {
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
        err instanceof RetryLater ? err.delayMs : (nextDelay(policy, attemptsMade) ?? config.retryScheduleMs.at(-1) ?? 0),
    },
  });
  worker.on('failed', (job, err) => {
    // Dead letters from the processor are recorded there; this catches the rest: broken
    // infrastructure on the last attempt, and failures BullMQ makes final itself (an
    // UnrecoverableError, e.g. a job that stalled more often than allowed because the workers
    // holding it kept dying) whatever attempts are left.
    if (!job || err instanceof DeadLetter || err instanceof RetryLater) return;
    if (!(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const at = new Date().toISOString();
    const parsedBatch = job.name === DELIVER_BATCH_JOB_NAME ? DeliverBatchJob.safeParse(job.data) : undefined;
    const records: Array<{ id: string; data: DeliverJob }> = parsedBatch?.success
      ? parsedBatch.data.items.map(({ id, ...data }) => ({ id, data }))
      : [{ id: job.id!, data: job.data as DeliverJob }];
    for (const { id, data: d } of records) {
      void dead
        .add({ id, partnerId: d.partnerId, storyUri: d.storyUri, version: d.version, eventType: d.eventType, code: DeliveryErrorCodes.FAILED, reason: err.message, at, attempts: job.attemptsMade + (d.priorAttempts ?? 0) }, d)
        .catch((e: unknown) => log.error({ err: e, jobId: id }, 'dead letter record failed'));
    }
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
        // Batches stop their rounds: waiting ones and the rest of running ones are parked.
        stopping = true;
        for (const w of onWire.values()) for (const waiter of w.waiters.splice(0)) waiter(false);
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
