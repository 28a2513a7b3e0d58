import type { Queue } from 'bullmq';
import { enqueueRoutes, eventTypeFor, plannedRecipients, planRoutes, type PartnerRegistry, type RecipientsRegister, type RoutePlan } from '@wire/routing';
import type { RouteItem, Router } from './ports';

/**
 * Routing for a chunk: partners read once, earlier recipients once per story killed or corrected
 * in the chunk (no other event reads them), plans made in
 * offset order (a kill later in the chunk sees the partners an earlier version went to), and one
 * `addBulk` per queue. Job ids are deterministic, so a re-run enqueues nothing new.
 */
export function createRouter(deps: {
  registry: PartnerRegistry;
  recipients: RecipientsRegister;
  deliverQueue: Queue;
  translateQueue: Queue;
  now?: () => number;
}): Router {
  return {
    async route(items: RouteItem[]) {
      if (items.length === 0) return { jobIds: [] };
      const partners = await deps.registry.list();
      if (partners.length === 0) return { jobIds: [] };
      // Earlier recipients matter only to kills and corrections (they go to every partner that
      // got any version): read them for the stories that have one in this chunk, not for all.
      const reach = new Set<string>();
      for (const i of items) {
        const type = eventTypeFor(i.story, i.decision);
        if (type === 'story.killed' || type === 'story.corrected') reach.add(i.story.uri);
      }
      const uris = [...reach];
      const earlier = await Promise.all(uris.map((u) => deps.recipients.entries(u)));
      const known = new Map(uris.map((u, n) => [u, new Set(earlier[n])]));
      for (const i of items) if (!known.has(i.story.uri)) known.set(i.story.uri, new Set());
      const plan: Pick<RoutePlan, 'deliver' | 'translate'> = { deliver: [], translate: [] };
      const now = deps.now?.() ?? Date.now();
      for (const item of items) {
        const seen = known.get(item.story.uri) as Set<string>;
        const p = planRoutes(item.story, item.decision, partners, { now, recipients: seen, receivedAt: item.receivedAt });
        plan.deliver.push(...p.deliver);
        plan.translate.push(...p.translate);
        for (const entry of plannedRecipients(p).get(item.story.uri) ?? []) seen.add(entry);
      }
      await enqueueRoutes({ deliverQueue: deps.deliverQueue, translateQueue: deps.translateQueue, recipients: deps.recipients }, plan);
      return { jobIds: [...plan.deliver.map((d) => d.jobId), ...plan.translate.map((t) => t.jobId)] };
    },
  };
}
