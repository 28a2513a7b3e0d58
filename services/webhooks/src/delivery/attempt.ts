/**
 * One delivery (a `DeliverJob`): read the partner, admit through the gate, sign and send, then
 * commit a 2xx with its log entry — or hand what went wrong to the verdict. `send` and
 * `afterDelivered` serve the batch too.
 */
import { DelayedError, type Job } from 'bullmq';
import { DeliverJob } from '@wire/queues';
import { activeSecrets, recipientEntry, type Partner } from '@wire/routing';
import { DeliveryErrorCodes, webhookHeaders, type DeliveryAttempt, type DeliveryOutcome, type SendOutcome } from '@wire/webhooks';
import type { DeliveryConfig } from '../config';
import type { Admission, GateLimits } from '../gate/partner-gate';
import { webhookId } from '../payload';
import { withJitter } from '@wire/retry';
import { entryOf, record, type AttemptInfo, type DeliveryContext } from './context';
import { badJob, deadLetter, judge, attemptLog, recordRetry, refused, RetryLater } from './verdict';

/** The attempt as the gate sees it (it caches the job's keys there) and as the log records it. */
export function attemptOf(id: string, data: DeliverJob, attemptsMade: number, holder?: string): AttemptInfo {
  return {
    jobId: id,
    ...(holder ? { holder } : {}),
    webhookId: webhookId(data),
    partnerId: data.partnerId,
    storyUri: data.storyUri,
    version: data.version,
    eventType: data.eventType,
    variant: data.variant,
    attempt: attemptsMade + 1 + (data.priorAttempts ?? 0),
  };
}

/** The partner's limits at the gate: its own settings, else the service's. */
export function limitsOf(config: DeliveryConfig, partner: Partner): GateLimits {
  return {
    concurrency: partner.concurrency ?? config.partnerConcurrency,
    ratePerSec: partner.ratePerSec ?? config.partnerRatePerSec,
    slotTtlMs: config.timeoutMs + 10_000,
  };
}

/** How long a job the gate asked to wait is parked (another version in flight finishes in about one request time). */
export function parkMs(config: DeliveryConfig, admission: Extract<Admission, { kind: 'story-busy' | 'busy' | 'rate' }>): number {
  return withJitter(Math.max(admission.kind === 'story-busy' ? 0 : admission.retryMs, config.busyRetryMs), 0.5);
}

/** One admitted attempt on the wire: a 2xx with its log entry, or what went wrong. */
export type Sent =
  | { ok: true; entry: DeliveryAttempt }
  | { ok: false; out: SendOutcome; at: string }
  | { ok: false; unsigned: { code: string; message: string } };

/** Sign and send an admitted attempt (the caller owns its slot and story lock). */
export async function send(ctx: DeliveryContext, a: AttemptInfo, data: DeliverJob, partner: Partner, enqueuedAt: number): Promise<Sent> {
  const body = ctx.payloads.cached(data) ?? (await ctx.payloads.body(data, enqueuedAt));
  const headers = webhookHeaders(activeSecrets(partner), { id: a.webhookId, timestamp: Math.floor(Date.now() / 1000), payload: body });
  if (!headers.ok) return { ok: false, unsigned: { code: headers.error.code, message: headers.error.message } };
  const out = await ctx.client.send({ url: partner.url, headers: headers.value, body });
  const pm = ctx.partnerMetrics(partner.id);
  pm.attempt.observe(out.latencyMs / 1000);
  const at = new Date().toISOString();
  if (!(out.ok && out.status >= 200 && out.status < 300)) return { ok: false, out, at };
  const receivedMs = data.receivedAt ? Date.parse(data.receivedAt) : NaN;
  const endToEndMs = Number.isFinite(receivedMs) ? Date.now() - receivedMs : undefined;
  if (endToEndMs !== undefined) pm.endToEnd.observe(endToEndMs / 1000);
  pm.delivered.inc();
  return { ok: true, entry: entryOf(a, at, 'delivered', { status: out.status, latencyMs: out.latencyMs, excerpt: out.excerpt, endToEndMs }) };
}

/** After 2xx commits: record the partner as a recipient where routing did not, tell listeners. */
export function afterDelivered(ctx: DeliveryContext, a: AttemptInfo, data: DeliverJob, enqueuedAt: number): Promise<unknown> | undefined {
  if (ctx.events.listenerCount('delivery.delivered') > 0) {
    ctx.events.emit('delivery.delivered', { type: 'delivery.delivered', jobId: a.jobId, partnerId: a.partnerId, storyUri: a.storyUri, version: a.version, enqueuedAt });
  }
  // Routing recorded the partner before adding the job; other enqueuers (a translator given no
  // register, a hand-made job) leave it to the delivery.
  return ctx.recipients && !data.recipientRecorded ? Promise.all(ctx.recipients.addInto(ctx.writes, data.storyUri, [recipientEntry(a.partnerId, data.variant)])) : undefined;
}

/** The gate said no: log a stale or duplicate attempt, or park the job until its turn. */
async function notAdmitted(ctx: DeliveryContext, job: Job, token: string | undefined, a: AttemptInfo, admission: Exclude<Admission, { kind: 'ok' }>): Promise<DeliveryOutcome> {
  switch (admission.kind) {
    case 'killed':
    case 'stale':
    case 'superseded':
    case 'duplicate':
      return refused(ctx, a, admission);
    default:
      // Not this partner's turn: park the job briefly without counting an attempt, so a slow
      // partner holds at most its own slots and never the worker's.
      await job.moveToDelayed(Date.now() + parkMs(ctx.config, admission), token);
      throw new DelayedError();
  }
}

/** After a non-2xx answer or no answer to a single job: dead letter it, or throw for BullMQ to retry it. */
async function failed(ctx: DeliveryContext, job: Job, a: AttemptInfo, data: DeliverJob, partner: Partner, out: SendOutcome, at: string): Promise<never> {
  const v = await judge(ctx, a, partner, out, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  if (v.dead) return deadLetter(ctx, a, data, v.code, v.message, attemptLog(out));
  await recordRetry(ctx, a, at, out, v);
  ctx.log.debug({ jobId: a.jobId, partnerId: partner.id, attempt: a.attempt, delay: v.delayMs }, 'delivery will retry');
  throw new RetryLater(v.message, v.delayMs);
}

/** Process one `DeliverJob`. */
export async function deliverOne(ctx: DeliveryContext, job: Job<DeliverJob>, token: string | undefined): Promise<DeliveryOutcome> {
  const parsed = DeliverJob.safeParse(job.data);
  if (!parsed.success) return badJob(ctx, job, parsed.error);
  const data = parsed.data;
  // The attempt as the gate sees it (it caches the job's keys here) and as the log records it.
  const a = attemptOf(job.id!, data, job.attemptsMade);

  const partner = await ctx.registry.get(data.partnerId);
  if (!partner) {
    await record(ctx, entryOf(a, new Date().toISOString(), 'dropped', { error: { code: DeliveryErrorCodes.PARTNER_GONE, message: `partner ${data.partnerId} no longer exists` } }));
    return 'dropped';
  }
  if (partner.disabled) {
    return deadLetter(ctx, a, data, DeliveryErrorCodes.PARTNER_DISABLED, `partner ${partner.id} is disabled (${partner.disabledReason ?? 'no reason'})`);
  }

  const admission = await ctx.gate.admit(a, limitsOf(ctx.config, partner));
  if (admission.kind !== 'ok') return notAdmitted(ctx, job, token, a, admission);

  // The slot and story lock are this attempt's until a 2xx commit or a release.
  let held = true;
  try {
    const sent = await send(ctx, a, data, partner, job.timestamp);
    held = false;
    if (sent.ok) {
      // Register, lock release and log entry in one script call; the recipient (when routing
      // did not record it) in the same tick, so on the auto-pipelined connection in the same write.
      const committed = ctx.gate.commit(a, ctx.deliveryLog.prepare(sent.entry));
      const recorded = afterDelivered(ctx, a, data, job.timestamp);
      await committed;
      if (recorded) await recorded;
      return 'delivered';
    }
    await ctx.gate.release(a);
    if ('unsigned' in sent) return await deadLetter(ctx, a, data, sent.unsigned.code, sent.unsigned.message);
    return await failed(ctx, job, a, data, partner, sent.out, sent.at);
  } catch (e) {
    if (held) await ctx.gate.release(a).catch((err: unknown) => ctx.log.error({ err, jobId: a.jobId }, 'slot release failed'));
    throw e;
  }
}
