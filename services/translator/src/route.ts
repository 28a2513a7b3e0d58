import type { Queue } from 'bullmq';
import { deliverJobId, type TranslateJob } from '@wire/queues';
import {
  enqueueDeliveries,
  planUntranslated,
  primaryLanguage,
  routeVariant,
  type Partner,
  type PartnerRegistry,
  type RecipientsRegister,
  type UntranslatedOutcome,
} from '@wire/routing';
import type { CanonicalStory } from '@wire/schema';
import { TranslateErrorCodes } from '@wire/translate';
import type { DeliveryLog } from '@wire/webhooks';

/**
 * Hands a finished variant to delivery; returns the deliver job ids. Swappable so the worker does
 * not care how partners are looked up.
 */
export type VariantRouter = (variant: CanonicalStory, job: TranslateJob) => Promise<string[]>;

/** What became of a job no provider can translate: per partner, and the deliver jobs of originals sent instead. */
export interface UntranslatedResult {
  deliverJobIds: string[];
  partners: Array<{ partnerId: string; outcome: UntranslatedOutcome }>;
}

/**
 * Settles a translate job whose pair no configured provider translates (`reason`: "no translator
 * for sv→es"): each partner gets what its settings say, and the skip is recorded where ops looks.
 */
export type UntranslatedRouter = (job: TranslateJob, reason: string) => Promise<UntranslatedResult>;

const readPartners = async (registry: Pick<PartnerRegistry, 'get'>, ids: string[]): Promise<Partner[]> =>
  (await Promise.all(ids.map((id) => registry.get(id)))).filter((p): p is Partner => p !== undefined);

/**
 * The production router: the partners the job names (`job.partnerIds`), read from the registry
 * (gone or disabled ones are dropped by `routeVariant`), get one deliver job each with the
 * variant, on the same `deliver` queue as originals.
 */
export function createRegistryVariantRouter(deps: { registry: Pick<PartnerRegistry, 'get'>; deliverQueue: Queue; recipients?: RecipientsRegister }): VariantRouter {
  return async (variant, job) => {
    const planned = routeVariant(variant, job, await readPartners(deps.registry, job.partnerIds));
    await enqueueDeliveries({ deliverQueue: deps.deliverQueue, recipients: deps.recipients }, planned);
    return planned.map((p) => p.jobId);
  };
}

const OUTCOME_TEXT: Record<UntranslatedOutcome, string> = {
  original: 'the original was sent instead',
  'original-already': 'the partner takes the original too, which went as usual',
  nothing: 'nothing was sent (the partner takes no untranslated copy)',
};

/**
 * The production untranslated router: the original to the partners that take it untranslated
 * (`planUntranslated`), recipients put right (the original recorded, a variant that will never
 * come forgotten), and one `skipped` entry per partner in the delivery log under the variant it
 * asked for — the story view, `/api/deliveries?status=skipped` and the dashboard show it there.
 */
export function createRegistryUntranslatedRouter(deps: {
  registry: Pick<PartnerRegistry, 'get'>;
  deliverQueue: Queue;
  recipients?: RecipientsRegister;
  deliveryLog?: Pick<DeliveryLog, 'record'>;
}): UntranslatedRouter {
  return async (job, reason) => {
    const plan = planUntranslated(job, await readPartners(deps.registry, job.partnerIds));
    // The original is recorded (by enqueueDeliveries) before the variant is forgotten: a kill
    // planned in between reaches both uris, never neither.
    await enqueueDeliveries({ deliverQueue: deps.deliverQueue, recipients: deps.recipients }, plan.deliver);
    await deps.recipients?.remove(job.storyUri, plan.forget);
    if (deps.deliveryLog) {
      const at = new Date().toISOString();
      const variant = primaryLanguage(job.targetLanguage) ?? job.targetLanguage;
      for (const { partnerId, outcome } of plan.partners) {
        await deps.deliveryLog.record({
          jobId: deliverJobId(partnerId, job.storyUri, job.version, job.eventType, variant),
          // No webhook was made: nothing was signed or sent for this variant.
          webhookId: '',
          partnerId,
          storyUri: job.storyUri,
          version: job.version,
          eventType: job.eventType,
          variant,
          attempt: 0,
          at,
          outcome: 'skipped',
          error: { code: TranslateErrorCodes.UNSUPPORTED_PAIR, message: `${reason}: ${OUTCOME_TEXT[outcome]}` },
        });
      }
    }
    return { deliverJobIds: plan.deliver.map((d) => d.jobId), partners: plan.partners };
  };
}
