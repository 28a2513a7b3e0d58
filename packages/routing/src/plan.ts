/**
 * Routing: turn one story decision into deliver jobs (one per matching partner) and translate
 * jobs (one per story version and target language). Pure: the caller passes the partners, the
 * story's earlier recipients and the clock.
 */
import type { JobsOptions } from 'bullmq';
import { deliverJobId, translateJobId, type DeliverJob, type TranslateJob, type WebhookEventType } from '@wire/queues';
import { canceledVariant, type CanonicalStory, type Decision } from '@wire/schema';
import type { Partner } from './partner';

export interface RoutingContext {
  /** Now, ms since epoch (embargo delays are computed from it). */
  now?: number;
  /** Partner ids that received any earlier version of this story (RecipientsRegister.list). */
  recipients?: Iterable<string>;
  /** When the wire message was received, carried to the job for end-to-end latency. */
  receivedAt?: string;
  /** BullMQ options merged into every job (e.g. removeOnComplete); jobId and delay are set here. */
  jobOptions?: JobsOptions;
}

export interface PlannedDeliver {
  jobId: string;
  data: DeliverJob;
  opts: JobsOptions;
}
export interface PlannedTranslate {
  jobId: string;
  data: TranslateJob;
  opts: JobsOptions;
}
export interface RoutePlan {
  deliver: PlannedDeliver[];
  translate: PlannedTranslate[];
  /** Partners considered and left out, with why (for logs and the story view). */
  skipped: Array<{ partnerId: string; reason: string }>;
}

/**
 * Attempts is only a ceiling: the delivery worker decides exhaustion from its own retry schedule
 * and ends the job with UnrecoverableError, so producers and workers cannot drift.
 */
export const DEFAULT_DELIVER_JOB_OPTIONS: JobsOptions = {
  attempts: 100,
  backoff: { type: 'wire' },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 30 * 86_400 },
};
export const DEFAULT_TRANSLATE_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 30 * 86_400 },
};

/** The webhook event a decision becomes; undefined when nothing is sent (stale). */
export function eventTypeFor(story: CanonicalStory, decision: Decision): WebhookEventType | undefined {
  if (decision.kind === 'stale') return undefined;
  if (decision.kind === 'kill' || story.pubStatus === 'canceled') return 'story.killed';
  if (decision.kind === 'correction' || (decision.kind === 'update' && story.correction)) return 'story.corrected';
  if (decision.kind === 'update') return 'story.updated';
  return 'story.published';
}

const lower = (s: string) => s.trim().toLowerCase();
/** `en-US` → `en`. */
export const primaryLanguage = (tag: string | undefined): string | undefined => (tag ? lower(tag).split(/[-_]/)[0] : undefined);

function languageIn(lang: string | undefined, list: readonly string[] | undefined): boolean {
  if (!lang || !list) return false;
  return list.some((l) => primaryLanguage(l) === lang);
}

/**
 * Whether the partner's filters match the story. The language filter also passes when the
 * partner asked for translations (it then gets the translated variant).
 */
export function matchesFilters(partner: Partner, story: CanonicalStory): boolean {
  const f = partner.filters;
  if (!f) return true;
  if (f.sources && !f.sources.some((s) => lower(s) === lower(story.source))) return false;
  const lang = primaryLanguage(story.language);
  if (f.languages && !languageIn(lang, f.languages) && !(partner.translateTo?.length && lang)) return false;
  if (f.subjects) {
    const wanted = new Set(f.subjects.map(lower));
    if (!story.subjects.some((s) => wanted.has(lower(s.name)) || (s.code !== undefined && wanted.has(lower(s.code))))) return false;
  }
  if (f.keywords) {
    const kws = new Set(story.keywords.map(lower));
    const headline = lower(story.headline);
    if (!f.keywords.some((k) => kws.has(lower(k)) || headline.includes(lower(k)))) return false;
  }
  if (f.urgency !== undefined && (story.urgency === undefined || story.urgency > f.urgency)) return false;
  return true;
}

/**
 * Which forms of the story a partner gets: the original (when it takes the story's language, or
 * asked for no translations) and/or translated variants (its translateTo languages the story is
 * not in). A story of unknown language always goes as the original.
 */
export function variantsFor(partner: Partner, story: CanonicalStory): { original: boolean; translateTo: string[] } {
  const lang = primaryLanguage(story.language);
  const wants = (partner.translateTo ?? []).map((l) => primaryLanguage(l)!).filter(Boolean);
  if (wants.length === 0 || !lang) return { original: true, translateTo: [] };
  const original = wants.includes(lang) || languageIn(lang, partner.filters?.languages);
  return { original, translateTo: [...new Set(wants.filter((l) => l !== lang))] };
}

/**
 * Languages whose variants a partner may hold when a story is killed: its translateTo languages
 * other than the story's own. A kill often comes without text, so an unknown language counts
 * every translateTo language.
 */
function killedVariantLanguages(partner: Partner, story: CanonicalStory): string[] {
  const lang = primaryLanguage(story.language);
  const wants = (partner.translateTo ?? []).map((l) => primaryLanguage(l)!).filter(Boolean);
  return [...new Set(wants.filter((l) => l !== lang))];
}

/** Delay until the embargo lifts, unless the partner may have it early. */
function embargoDelay(partner: Partner, story: CanonicalStory, now: number): number | undefined {
  if (!story.embargoedUntil || partner.embargoEarly) return undefined;
  const until = Date.parse(story.embargoedUntil);
  return Number.isFinite(until) && until > now ? until - now : undefined;
}

function deliverJob(partner: Partner, story: CanonicalStory, original: { uri: string; version: number }, eventType: WebhookEventType, ctx: RoutingContext, variant?: string): PlannedDeliver {
  const now = ctx.now ?? Date.now();
  const jobId = deliverJobId(partner.id, original.uri, original.version, eventType, variant);
  const delay = eventType === 'story.killed' ? undefined : embargoDelay(partner, story, now);
  const data: DeliverJob = { partnerId: partner.id, eventType, storyUri: original.uri, version: original.version, story };
  if (ctx.receivedAt) data.receivedAt = ctx.receivedAt;
  if (variant) data.variant = variant;
  return { jobId, data, opts: { ...DEFAULT_DELIVER_JOB_OPTIONS, ...ctx.jobOptions, jobId, ...(delay ? { delay } : {}) } };
}

/**
 * Plan the jobs for one story decision.
 *
 * - new → every enabled partner whose filters match; update → the same;
 * - correction → matching partners plus every earlier recipient; kill → every earlier recipient,
 *   as the original and as a canceled variant for each language it took translations in;
 * - duplicate → only matching partners that want every source's copy (`allCopies`);
 * - stale, and `withheld` copy without an embargo time → nothing.
 *
 * @example
 * const plan = planRoutes(story, decision, await registry.list(), { recipients: await recipients.list(story.uri) });
 * await enqueueRoutes({ deliverQueue, translateQueue, recipients }, plan);
 */
export function planRoutes(story: CanonicalStory, decision: Decision, partners: readonly Partner[], ctx: RoutingContext = {}): RoutePlan {
  const plan: RoutePlan = { deliver: [], translate: [], skipped: [] };
  const eventType = eventTypeFor(story, decision);
  if (!eventType) return plan;
  if (story.pubStatus === 'withheld' && !story.embargoedUntil && eventType !== 'story.killed') {
    for (const p of partners) plan.skipped.push({ partnerId: p.id, reason: 'withheld without embargo time' });
    return plan;
  }
  const recipients = new Set(ctx.recipients ?? []);
  const original = { uri: story.uri, version: story.version };
  const translations = new Map<string, string[]>();

  for (const partner of partners) {
    const earlier = recipients.has(partner.id);
    let target: boolean;
    let reason = 'filters do not match';
    switch (eventType) {
      case 'story.killed':
        target = earlier;
        reason = 'never received this story';
        break;
      case 'story.corrected':
        target = earlier || matchesFilters(partner, story);
        break;
      default:
        if (decision.kind === 'duplicate') {
          target = Boolean(partner.allCopies) && matchesFilters(partner, story);
          reason = 'duplicate of a story already sent (partner takes one copy per story)';
        } else {
          target = matchesFilters(partner, story);
        }
    }
    // A disabled partner still gets kills queued: they dead-letter and are replayed once it is
    // enabled, so it never keeps a story we withdrew. Other events are not queued for it.
    if (target && partner.disabled && eventType !== 'story.killed') {
      target = false;
      reason = 'partner disabled';
    }
    if (!target) {
      plan.skipped.push({ partnerId: partner.id, reason });
      continue;
    }
    if (eventType === 'story.killed') {
      // The original kill always goes (it names the uri every variant links to), and a partner
      // that took translations also gets the kill of each variant under the variant's own uri, at
      // once: a canceled variant needs no translation, so it never waits on the translate queue.
      plan.deliver.push(deliverJob(partner, story, original, eventType, ctx));
      for (const lang of killedVariantLanguages(partner, story)) {
        plan.deliver.push(deliverJob(partner, canceledVariant(story, lang), original, eventType, ctx, lang));
      }
      continue;
    }
    const forms = variantsFor(partner, story);
    if (forms.original) plan.deliver.push(deliverJob(partner, story, original, eventType, ctx));
    for (const lang of forms.translateTo) {
      const waiting = translations.get(lang) ?? [];
      waiting.push(partner.id);
      translations.set(lang, waiting);
    }
  }

  for (const [lang, partnerIds] of translations) {
    const jobId = translateJobId(story.uri, story.version, lang, eventType);
    const data: TranslateJob = { storyUri: story.uri, version: story.version, targetLanguage: lang, eventType, story, partnerIds };
    if (ctx.receivedAt) data.receivedAt = ctx.receivedAt;
    plan.translate.push({ jobId, data, opts: { ...DEFAULT_TRANSLATE_JOB_OPTIONS, jobId } });
  }
  return plan;
}

/**
 * For the translator service: deliver jobs that send a translated variant to the partners that
 * asked for its language (`job.partnerIds`, still present and enabled in `partners`).
 */
export function routeVariant(
  variant: CanonicalStory,
  job: Pick<TranslateJob, 'storyUri' | 'version' | 'targetLanguage' | 'eventType' | 'partnerIds' | 'receivedAt'> & { story?: CanonicalStory },
  partners: readonly Partner[],
  ctx: RoutingContext = {},
): PlannedDeliver[] {
  const wanted = new Set(job.partnerIds);
  const lang = primaryLanguage(job.targetLanguage) ?? job.targetLanguage;
  const withEmbargo: CanonicalStory =
    variant.embargoedUntil || !job.story?.embargoedUntil ? variant : { ...variant, embargoedUntil: job.story.embargoedUntil };
  const c: RoutingContext = { ...ctx, receivedAt: ctx.receivedAt ?? job.receivedAt };
  return partners
    .filter((p) => wanted.has(p.id) && !p.disabled)
    .map((p) => deliverJob(p, withEmbargo, { uri: job.storyUri, version: job.version }, job.eventType, c, lang));
}
