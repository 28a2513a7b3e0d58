/**
 * What becomes of an attempt that did not end in a 2xx: refused by the gate for good (stale,
 * superseded, duplicate, after a kill), retried on the schedule, or dead-lettered — and the
 * partner disabled on a 410 or after failing without a success for `disableAfterMs`.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { DeliverBatchJob, DELIVER_BATCH_JOB_NAME, type DeliverJob } from '@wire/queues';
import type { Partner } from '@wire/routing';
import { DeliveryErrorCodes, WebhookErrorCodes, type DeliveryAttempt, type DeliveryOutcome, type SendOutcome } from '@wire/webhooks';
import type { Admission } from '../gate/partner-gate';
import { nextDelay, parseRetryAfter } from '../retry';
import { entryOf, record, type AttemptInfo, type DeliveryContext, type PartnerDisabledEvent } from './context';

/** A failure that may succeed later; BullMQ's backoff strategy reads `delayMs`. */
export class RetryLater extends Error {
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

/** What follows a non-2xx answer or no answer. */
export type Verdict = { dead: true; code: string; message: string } | { dead: false; code: string; message: string; delayMs: number };

const statusRetryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** Disable the partner (once: a partner already disabled is left as it is) and tell listeners. */
async function disablePartner(ctx: DeliveryContext, partner: Partner, reason: string): Promise<void> {
  const outcome = await ctx.registry.disableIfEnabled(partner.id, reason);
  if (!outcome?.changed) return;
  const event: PartnerDisabledEvent = { type: 'partner.disabled', partnerId: partner.id, reason, at: new Date().toISOString() };
  ctx.metrics.partnersDisabled.inc({ partner: partner.id, reason: reason.startsWith('410') ? 'gone' : 'failing' });
  ctx.log.warn({ partnerId: partner.id, reason }, 'partner disabled');
  ctx.events.emit('partner.disabled', event);
  ctx.onEvent?.(event);
}

/** Sustained failure: failing without a single success for `disableAfterMs` disables the partner. */
async function noteFailure(ctx: DeliveryContext, partner: Partner): Promise<void> {
  const { disableAfterMs } = ctx.config;
  if (disableAfterMs <= 0) return;
  const since = await ctx.gate.failingSince(partner.id, disableAfterMs);
  if (Date.now() - since >= disableAfterMs) {
    await disablePartner(ctx, partner, `failing without success since ${new Date(since).toISOString()}`);
  }
}

/**
 * After a non-2xx answer or no answer: dead letter (410 also disables the endpoint; other 4xx,
 * redirects, refused URLs), or retry on the schedule — unless the attempts are spent or the
 * partner got disabled meanwhile. `lastAllowed` is true when the job may not be attempted again.
 */
export async function judge(ctx: DeliveryContext, a: AttemptInfo, partner: Partner, out: SendOutcome, lastAllowed: boolean): Promise<Verdict> {
  if (out.ok && out.status === 410) {
    await disablePartner(ctx, partner, '410 Gone from the partner endpoint');
    return { dead: true, code: DeliveryErrorCodes.GONE, message: `partner ${partner.id} answered 410 Gone; endpoint disabled` };
  }
  if (out.ok && !statusRetryable(out.status)) {
    await noteFailure(ctx, partner);
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
  if (!(out.ok && out.status === 429)) await noteFailure(ctx, partner);
  const fresh = await ctx.registry.get(partner.id);
  if (fresh?.disabled) return { dead: true, code: DeliveryErrorCodes.PARTNER_DISABLED, message: `${message}; partner disabled (${fresh.disabledReason ?? ''})` };
  const retryAfterMs = out.ok ? parseRetryAfter(out.retryAfter) : undefined;
  const delay = lastAllowed ? undefined : nextDelay(ctx.policy, a.attempt, retryAfterMs);
  if (delay === undefined) return { dead: true, code: DeliveryErrorCodes.EXHAUSTED, message: `${message}; gave up after ${a.attempt} attempts` };
  return { dead: false, code, message, delayMs: delay };
}

/** What the log keeps of an answer (or of no answer). */
export function attemptLog(out: SendOutcome): Partial<DeliveryAttempt> {
  return out.ok ? { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt } : { latencyMs: out.latencyMs };
}

/** Record the retry that follows (the log entry says when). */
export function recordRetry(ctx: DeliveryContext, a: AttemptInfo, at: string, out: SendOutcome, v: Extract<Verdict, { dead: false }>): Promise<void> {
  return record(ctx, entryOf(a, at, 'retrying', { error: { code: v.code, message: v.message }, nextAttemptAt: new Date(Date.now() + v.delayMs).toISOString(), ...attemptLog(out) }));
}

/** Record a dead letter of this delivery (its reason and data kept, replayable) and log it. */
export async function recordDead(ctx: DeliveryContext, a: AttemptInfo, data: DeliverJob, code: string, message: string, extra: Partial<DeliveryAttempt> = {}): Promise<void> {
  const at = new Date().toISOString();
  await ctx.dead.add({ id: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, version: a.version, eventType: a.eventType, ...(a.variant ? { variant: a.variant } : {}), code, reason: message, at, attempts: a.attempt, ...(extra.status !== undefined ? { lastStatus: extra.status } : {}) }, data);
  await record(ctx, entryOf(a, at, 'dead', { error: { code, message }, ...extra }));
  ctx.metrics.deadLetters.inc({ partner: a.partnerId, code });
  ctx.log.warn({ jobId: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, code }, 'delivery dead-lettered');
}

/** Dead-letter the job and end it without retries. */
export async function deadLetter(ctx: DeliveryContext, a: AttemptInfo, data: DeliverJob, code: string, message: string, extra: Partial<DeliveryAttempt> = {}): Promise<never> {
  await recordDead(ctx, a, data, code, message, extra);
  throw new DeadLetter(code, message);
}

/** A job that fails its schema can never succeed: kept with its reason in dead letters (fixable by hand, replayable). */
export async function badJob(ctx: DeliveryContext, job: Job, error: { issues: Array<{ path: PropertyKey[]; message: string }> }): Promise<never> {
  const issue = error.issues[0];
  const reason = `deliver job ${job.id}: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid'}`;
  const raw = (job.data ?? {}) as Partial<DeliverJob>;
  await ctx.dead.add(
    { id: job.id!, partnerId: String(raw.partnerId ?? '?'), storyUri: String(raw.storyUri ?? '?'), version: Number(raw.version ?? 0), eventType: raw.eventType ?? 'story.published', code: DeliveryErrorCodes.BAD_JOB, reason, at: new Date().toISOString(), attempts: job.attemptsMade + 1 },
    raw as DeliverJob,
  );
  ctx.metrics.deadLetters.inc({ partner: String(raw.partnerId ?? '?'), code: DeliveryErrorCodes.BAD_JOB });
  throw new DeadLetter(DeliveryErrorCodes.BAD_JOB, reason);
}

/** Log a stale, superseded, duplicate or killed attempt (the gate refused it for good). */
export async function refused(ctx: DeliveryContext, a: AttemptInfo, admission: Extract<Admission, { kind: 'killed' | 'stale' | 'superseded' | 'duplicate' }>): Promise<DeliveryOutcome> {
  const outcome = admission.kind === 'duplicate' ? 'duplicate' : 'stale';
  const message =
    admission.kind === 'killed'
      ? 'story was killed at this partner'
      : admission.kind === 'superseded'
        ? `version ${admission.sentVersion} was already sent (it may have reached the partner)`
        : `version ${admission.deliveredVersion} already delivered`;
  await record(ctx, entryOf(a, new Date().toISOString(), outcome, { error: { code: admission.kind, message } }));
  return outcome;
}

/**
 * The worker's `failed` event. Dead letters from the processor are recorded there; this catches
 * the rest: broken infrastructure on the last attempt, and failures BullMQ makes final itself (an
 * UnrecoverableError, e.g. a job that stalled more often than allowed because the workers holding
 * it kept dying) whatever attempts are left.
 */
export function deadLetterFailedJob(ctx: DeliveryContext, job: Job<DeliverJob | DeliverBatchJob> | undefined, err: Error): void {
  if (!job || err instanceof DeadLetter || err instanceof RetryLater) return;
  if (!(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1)) return;
  const at = new Date().toISOString();
  const parsedBatch = job.name === DELIVER_BATCH_JOB_NAME ? DeliverBatchJob.safeParse(job.data) : undefined;
  const records: Array<{ id: string; data: DeliverJob }> = parsedBatch?.success
    ? parsedBatch.data.items.map(({ id, ...data }) => ({ id, data }))
    : [{ id: job.id!, data: job.data as DeliverJob }];
  for (const { id, data: d } of records) {
    void ctx.dead
      .add({ id, partnerId: d.partnerId, storyUri: d.storyUri, version: d.version, eventType: d.eventType, code: DeliveryErrorCodes.FAILED, reason: err.message, at, attempts: job.attemptsMade + (d.priorAttempts ?? 0) }, d)
      .catch((e: unknown) => ctx.log.error({ err: e, jobId: id }, 'dead letter record failed'));
  }
}
