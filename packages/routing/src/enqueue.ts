import type { JobsOptions, Queue } from 'bullmq';
import { DELIVER_BATCH_JOB_NAME, deliverBatchJobId, type DeliverBatchItem, type DeliverJob } from '@wire/queues';
import type { CanonicalStory, Decision } from '@wire/schema';
import { plannedRecipients, planRoutes, type PlannedDeliver, type RoutePlan, type RoutingContext } from './plan';
import type { RecipientsRegister } from './recipients';
import type { PartnerRegistry } from './registry';

export interface RouteQueues {
  deliverQueue: Queue;
  translateQueue?: Queue;
  /**
   * When given, every partner a job is queued for is recorded as a recipient of the story, in the
   * form it is sent (`plannedRecipients`).
   */
  recipients?: RecipientsRegister;
  /**
   * Most deliveries one batch job carries (default `DELIVER_BATCH_MAX`; 1 = one job per delivery).
   * A partner with two or more undelayed deliveries in one plan gets them as batch jobs.
   */
  batchMax?: number;
}

/** Default size cap of a deliver batch job. */
export const DELIVER_BATCH_MAX = 50;

interface BulkJob {
  name: string;
  data: DeliverJob | { partnerId: string; items: DeliverBatchItem[] };
  opts: JobsOptions;
}

/**
 * The deliver jobs of a plan: a partner's undelayed deliveries grouped into batch jobs of up to
 * `max` (in plan order, so versions of one story keep their order inside a batch), the rest —
 * embargoed (delayed) ones, and partners with a single delivery — one job each.
 */
export function deliverJobsOf(deliver: readonly PlannedDeliver[], recorded: boolean, max = DELIVER_BATCH_MAX): BulkJob[] {
  const data = (d: PlannedDeliver): DeliverJob => (recorded ? { ...d.data, recipientRecorded: true } : d.data);
  const single = (d: PlannedDeliver): BulkJob => ({ name: d.data.eventType, data: data(d), opts: d.opts });
  if (max <= 1) return deliver.map(single);
  const byPartner = new Map<string, PlannedDeliver[]>();
  const jobs: BulkJob[] = [];
  for (const d of deliver) {
    if (d.opts.delay) {
      jobs.push(single(d));
      continue;
    }
    const list = byPartner.get(d.data.partnerId);
    if (list) list.push(d);
    else byPartner.set(d.data.partnerId, [d]);
  }
  for (const [partnerId, list] of byPartner) {
    if (list.length === 1) {
      jobs.push(single(list[0]!));
      continue;
    }
    for (let i = 0; i < list.length; i += max) {
      const chunk = list.slice(i, i + max);
      const ids = chunk.map((d) => d.jobId);
      // Retries, retention and the rest as the deliveries' own; the id names the batch.
      const { jobId: _jobId, delay: _delay, ...opts } = chunk[0]!.opts;
      jobs.push({
        name: DELIVER_BATCH_JOB_NAME,
        data: { partnerId, items: chunk.map((d) => ({ ...data(d), id: d.jobId })) },
        opts: { ...opts, jobId: deliverBatchJobId(partnerId, ids) },
      });
    }
  }
  return jobs;
}

/**
 * Add a plan's jobs with BullMQ `addBulk`. Job ids are deterministic, so enqueuing the same plan
 * twice (a re-run after a crash) adds nothing new.
 */
export async function enqueueRoutes(queues: RouteQueues, plan: Pick<RoutePlan, 'deliver' | 'translate'>): Promise<{ deliver: number; translate: number }> {
  // Record recipients before the jobs exist, so a kill planned right after sees them.
  if (queues.recipients) await queues.recipients.addMany(plannedRecipients(plan));
  if (plan.deliver.length > 0) {
    await queues.deliverQueue.addBulk(deliverJobsOf(plan.deliver, queues.recipients !== undefined, queues.batchMax));
  }
  if (plan.translate.length > 0) {
    if (!queues.translateQueue) throw new Error('enqueueRoutes: the plan has translate jobs but no translateQueue was given');
    await queues.translateQueue.addBulk(plan.translate.map((t) => ({ name: 'translate', data: t.data, opts: t.opts })));
  }
  return { deliver: plan.deliver.length, translate: plan.translate.length };
}

/** Enqueue deliver jobs only (the translator service, after `routeVariant`). */
export async function enqueueDeliveries(queues: RouteQueues, jobs: PlannedDeliver[]): Promise<number> {
  return (await enqueueRoutes(queues, { deliver: jobs, translate: [] })).deliver;
}

/**
 * The whole route step for one decision: read partners and earlier recipients, plan, enqueue.
 * Returns the plan (with the skipped partners and why).
 */
export async function routeStory(
  deps: RouteQueues & { registry: PartnerRegistry; recipients: RecipientsRegister },
  story: CanonicalStory,
  decision: Decision,
  ctx: Omit<RoutingContext, 'recipients'> = {},
): Promise<RoutePlan> {
  const [partners, recipients] = await Promise.all([deps.registry.list(), deps.recipients.entries(story.uri)]);
  const plan = planRoutes(story, decision, partners, { ...ctx, recipients });
  await enqueueRoutes(deps, plan);
  return plan;
}
