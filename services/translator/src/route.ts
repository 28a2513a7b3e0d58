import type { Queue } from 'bullmq';
import type { TranslateJob } from '@wire/queues';
import { enqueueDeliveries, routeVariant, type PartnerRegistry, type Partner, type RecipientsRegister } from '@wire/routing';
import type { CanonicalStory } from '@wire/schema';

/**
 * Hands a finished variant to delivery; returns the deliver job ids. Swappable so the worker does
 * not care how partners are looked up.
 */
export type VariantRouter = (variant: CanonicalStory, job: TranslateJob) => Promise<string[]>;

/**
 * The production router: the partners the job names (`job.partnerIds`), read from the registry
 * (gone or disabled ones are dropped by `routeVariant`), get one deliver job each with the
 * variant, on the same `deliver` queue as originals.
 */
export function createRegistryVariantRouter(deps: { registry: Pick<PartnerRegistry, 'get'>; deliverQueue: Queue; recipients?: RecipientsRegister }): VariantRouter {
  return async (variant, job) => {
    const partners = (await Promise.all(job.partnerIds.map((id) => deps.registry.get(id)))).filter((p): p is Partner => p !== undefined);
    const planned = routeVariant(variant, job, partners);
    await enqueueDeliveries({ deliverQueue: deps.deliverQueue, recipients: deps.recipients }, planned);
    return planned.map((p) => p.jobId);
  };
}
