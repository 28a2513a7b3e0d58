/**
 * A batch of one partner's deliveries (a `DeliverBatchJob`): admitted in one gate call, sent
 * concurrently (each its own signed request), the 2xx ones committed with their log entries in
 * one call. A delivery that fails goes on as a job of its own (the retry schedule, dead letters
 * and replay as for any delivery); those the gate holds back (partner at its cap or rate, another
 * version of the story in flight) stay in the batch, which is parked until their turn.
 */
import { DelayedError, Job } from 'bullmq';
import { DeliverBatchJob, type DeliverBatchItem } from '@wire/queues';
import { DeliveryErrorCodes, type DeliveryOutcome } from '@wire/webhooks';
import type { Admission } from '../gate/partner-gate';
import { nextDelay } from '../retry';
import { afterDelivered, attemptOf, limitsOf, parkMs, send, type Sent } from './attempt';
import { entryOf, record, type AttemptInfo, type BatchSummary, type DeliveryContext } from './context';
import { attemptLog, badJob, judge, recordDead, recordRetry, refused } from './verdict';

/** A delivery of a batch as a job of its own, for its retries (same id, attempts counted on). */
async function retryAlone(ctx: DeliveryContext, batchJob: Job, item: DeliverBatchItem, a: AttemptInfo, delayMs: number): Promise<void> {
  const { id, ...data } = item;
  // A job of that id left from before (completed or failed and kept) would make the add a no-op.
  const old = await Job.fromId(ctx.queue, id);
  if (old) {
    const state = await old.getState();
    if (state !== 'completed' && state !== 'failed') return; // it is still to run: it delivers this.
    await old.remove();
  }
  const { attempts, backoff, removeOnComplete, removeOnFail } = batchJob.opts;
  await ctx.queue.add(data.eventType, { ...data, priorAttempts: a.attempt }, { attempts, backoff, removeOnComplete, removeOnFail, jobId: id, delay: delayMs });
}

/** Process one `DeliverBatchJob`. */
export async function deliverBatch(ctx: DeliveryContext, job: Job<DeliverBatchJob>, token: string | undefined): Promise<BatchSummary> {
  const { config } = ctx;
  const parsed = DeliverBatchJob.safeParse(job.data);
  if (!parsed.success) return badJob(ctx, job, parsed.error);
  const { partnerId, items } = parsed.data;
  const summary: BatchSummary = {};
  const count = (o: DeliveryOutcome) => (summary[o] = (summary[o] ?? 0) + 1);
  // Held as (this batch, the delivery): see GateJob.holder.
  const as = items.map((item) => attemptOf(item.id, item, job.attemptsMade, `${job.id}/${item.id}`));
  const at = () => new Date().toISOString();

  const partner = await ctx.registry.get(partnerId);
  if (!partner) {
    const error = { code: DeliveryErrorCodes.PARTNER_GONE, message: `partner ${partnerId} no longer exists` };
    await Promise.all(as.map((a) => record(ctx, entryOf(a, at(), 'dropped', { error }))));
    return { dropped: as.length };
  }
  if (partner.disabled) {
    const message = `partner ${partner.id} is disabled (${partner.disabledReason ?? 'no reason'})`;
    await Promise.all(items.map((item, i) => recordDead(ctx, as[i]!, item, DeliveryErrorCodes.PARTNER_DISABLED, message)));
    return { dead: as.length };
  }

  // Rounds: what the gate admits goes out; while this job had requests of its own on the wire,
  // the ones held back at the cap are tried again as those finish (the partner's slots are
  // free again), so a batch is not parked and fetched again for every slot. A round that gets
  // nothing admitted parks the rest — the job then holds no worker slot while it waits.
  let roundItems = items;
  let roundAs = as;
  for (;;) {
    const admissions = await ctx.gate.admitMany(roundAs, limitsOf(config, partner));
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
          sending.push(ctx.inFlight.track(partnerId, send(ctx, a, roundItems[i]!, partner, job.timestamp)).then((sent) => ({ i, sent }), (err: unknown) => ({ i, sent: { ok: false, thrown: err instanceof Error ? err : new Error(String(err)) } })));
          break;
        case 'killed':
        case 'stale':
        case 'superseded':
        case 'duplicate':
          logged.push(refused(ctx, a, admission));
          break;
        default:
          waiting.push(roundItems[i]!);
          waitingAs.push(a);
          waitMs = Math.min(waitMs, parkMs(config, admission));
          waitKind ??= admission.kind;
      }
    });
    for (const o of await Promise.all(logged)) count(o);
    const results = await Promise.all(sending);

    // Every 2xx in one commit (registers, slots, locks, log entries), then the failures one by one.
    const delivered = results.filter((r): r is { i: number; sent: Extract<Sent, { ok: true }> } => r.sent.ok);
    const committed = ctx.gate.commitMany(delivered.map((r) => ({ job: roundAs[r.i]!, log: ctx.deliveryLog.prepare(r.sent.entry) })));
    const recorded = delivered.map((r) => afterDelivered(ctx, roundAs[r.i]!, roundItems[r.i]!, job.timestamp));
    await committed;
    await Promise.all(recorded);
    if (delivered.length > 0) summary.delivered = (summary.delivered ?? 0) + delivered.length;
    for (const { i, sent } of results) {
      if (sent.ok) continue;
      const a = roundAs[i]!;
      const item = roundItems[i]!;
      await ctx.gate.release(a);
      if ('unsigned' in sent) {
        await recordDead(ctx, a, item, sent.unsigned.code, sent.unsigned.message);
        count('dead');
        continue;
      }
      if ('thrown' in sent) {
        // As a single job's processor error would be: retried on the schedule.
        const delayMs = nextDelay(ctx.policy, a.attempt) ?? config.retryScheduleMs.at(-1) ?? 0;
        await record(ctx, entryOf(a, at(), 'retrying', { error: { code: DeliveryErrorCodes.FAILED, message: sent.thrown.message }, nextAttemptAt: new Date(Date.now() + delayMs).toISOString() }));
        await retryAlone(ctx, job, item, a, delayMs);
        count('retrying');
        continue;
      }
      const v = await judge(ctx, a, partner, sent.out, false);
      if (v.dead) {
        await recordDead(ctx, a, item, v.code, v.message, attemptLog(sent.out));
        count('dead');
      } else {
        await recordRetry(ctx, a, sent.at, sent.out, v);
        await retryAlone(ctx, job, item, a, v.delayMs);
        count('retrying');
      }
    }

    if (waiting.length === 0) break;
    // Another round only for a partner still enabled (a 410 this round disabled it: the parked
    // rest meet that on their next pass).
    if (sending.length > 0 && !ctx.stopping && !(await ctx.registry.get(partnerId))?.disabled) {
      roundItems = waiting;
      roundAs = waitingAs;
      continue;
    }
    // Held back at the cap while this process has requests to the partner on the wire: wait
    // for one to finish (bounded) rather than park the whole batch.
    if (sending.length === 0 && waitKind === 'busy' && !ctx.stopping) {
      const freed = ctx.inFlight.slotFreed(partnerId, Math.max(config.timeoutMs, 1_000));
      if (freed && (await freed)) continue;
    }
    // The rest wait for their turn in this job, parked without counting an attempt.
    if (waiting.length < items.length) await job.updateData({ partnerId, items: waiting });
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }
  return summary;
}
