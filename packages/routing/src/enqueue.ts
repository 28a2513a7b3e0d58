import type { Queue } from 'bullmq';
import type { CanonicalStory, Decision } from '@wire/schema';
import { planRoutes, type PlannedDeliver, type RoutePlan, type RoutingContext } from './plan';
import type { RecipientsRegister } from './recipients';
import type { PartnerRegistry } from './registry';

export interface RouteQueues {
  deliverQueue: Queue;
  translateQueue?: Queue;
  /** When given, every partner a job is queued for is recorded as a recipient of the story. */
  recipients?: RecipientsRegister;
}

/**
 * Add a plan's jobs with BullMQ `addBulk`. Job ids are deterministic, so enqueuing the same plan
 * twice (a re-run after a crash) adds nothing new.
 */
export async function enqueueRoutes(queues: RouteQueues, plan: Pick<RoutePlan, 'deliver' | 'translate'>): Promise<{ deliver: number; translate: number }> {
  const uris = new Map<string, Set<string>>();
  const note = (uri: string, ids: Iterable<string>) => {
    const set = uris.get(uri) ?? new Set<string>();
    for (const id of ids) set.add(id);
    uris.set(uri, set);
  };
  for (const d of plan.deliver) note(d.data.storyUri, [d.data.partnerId]);
  for (const t of plan.translate) note(t.data.storyUri, t.data.partnerIds);
  // Record recipients before the jobs exist, so a kill planned right after sees them.
  if (queues.recipients) await queues.recipients.addMany(uris);
  if (plan.deliver.length > 0) {
    const recorded = queues.recipients !== undefined;
    await queues.deliverQueue.addBulk(plan.deliver.map((d) => ({ name: d.data.eventType, data: recorded ? { ...d.data, recipientRecorded: true } : d.data, opts: d.opts })));
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
  const [partners, recipients] = await Promise.all([deps.registry.list(), deps.recipients.list(story.uri)]);
  const plan = planRoutes(story, decision, partners, { ...ctx, recipients });
  await enqueueRoutes(deps, plan);
  return plan;
}
