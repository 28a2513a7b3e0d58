/**
 * Routing: turn one story decision into deliver jobs (one per matching partner) and translate
 * jobs (one per story version and target language). Pure: the caller passes the partners, the
 * story's earlier recipients and the clock.
 */
import type { JobsOptions } from 'bullmq';
import { deliverJobId, translateJobId, type DeliverJob, type TranslateJob, type WebhookEventType } from '@wire/queues';
import { canceledVariant, type CanonicalStory, type Decision } from '@wire/schema';
import type { Partner } from './partner';
import { receivedForms, recipientEntry, type ReceivedForms } from './recipients';

export interface RoutingContext {
  /** Now, ms since epoch (embargo delays are computed from it). */
  now?: number;
  /**
   * Who received any earlier version of this story, and in which form (`RecipientsRegister.entries`:
   * `partner@original`, `partner@es`; a bare partner id counts as every form the partner takes).
   */
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
 * The forms an earlier recipient gets a kill or correction in: the ones it was routed. A bare
 * entry (form not recorded) adds, for a kill, the original and every translateTo language other
 * than the story's own (a kill often comes without text, so an unknown language counts them
 * all), and for a correction the forms its settings ask for now.
 */
function formsHeld(partner: Partner, story: CanonicalStory, held: ReceivedForms, kill: boolean): { original: boolean; variants: string[] } {
  const variants = new Set(held.variants);
  let original = held.original;
  if (held.unknown && kill) {
    original = true;
    const lang = primaryLanguage(story.language);
    for (const l of partner.translateTo ?? []) {
      const p = primaryLanguage(l);
      if (p && p !== lang) variants.add(p);
    }
  } else if (held.unknown) {
    const now = variantsFor(partner, story);
    original ||= now.original;
    for (const l of now.translateTo) variants.add(l);
  }
  return { original, variants: [...variants] };
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
 * - correction → every earlier recipient, in the forms it was sent (the original and/or its
 *   language variants), plus matching partners that got none, in the forms their settings ask;
 * - kill → every earlier recipient, for exactly the uris it was sent: the original's kill if it
 *   got the original, a canceled variant for each language variant it got (or was routed, with
 *   the translation still in flight);
 * - duplicate → only matching partners that want every source's copy (`allCopies`);
 * - stale, and `withheld` copy without an embargo time → nothing.
 *
 * @example
 * const plan = planRoutes(story, decision, await registry.list(), { recipients: await recipients.entries(story.uri) });
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
  const received = receivedForms(ctx.recipients ?? []);
  const original = { uri: story.uri, version: story.version };
  const translations = new Map<string, string[]>();

  for (const partner of partners) {
    const held = received.get(partner.id);
    const earlier = held !== undefined;
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
      // A canceled variant needs no translation, so each variant's kill goes at once under the
      // variant's own uri, never waiting on the translate queue.
      const forms = formsHeld(partner, story, held!, true);
      if (forms.original) plan.deliver.push(deliverJob(partner, story, original, eventType, ctx));
      for (const lang of forms.variants) {
        plan.deliver.push(deliverJob(partner, canceledVariant(story, lang), original, eventType, ctx, lang));
      }
      continue;
    }
    let forms: { original: boolean; variants: string[] };
    if (held && eventType === 'story.corrected') forms = formsHeld(partner, story, held, false);
    else {
      const asked = variantsFor(partner, story);
      forms = { original: asked.original, variants: asked.translateTo };
    }
    if (forms.original) plan.deliver.push(deliverJob(partner, story, original, eventType, ctx));
    for (const lang of forms.variants) {
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

/**
 * The recipients entries a plan records, by story uri: each delivery's partner in its form (the
 * original, or its variant's language) and each translation's partners under its language — a
 * translation still in flight counts, so a kill right after reaches the variant's uri.
 */
export function plannedRecipients(plan: Pick<RoutePlan, 'deliver' | 'translate'>): Map<string, Set<string>> {
  const byStory = new Map<string, Set<string>>();
  const note = (uri: string, entry: string) => {
    const set = byStory.get(uri) ?? new Set<string>();
    set.add(entry);
    byStory.set(uri, set);
  };
  for (const d of plan.deliver) note(d.data.storyUri, recipientEntry(d.data.partnerId, d.data.variant));
  for (const t of plan.translate) for (const id of t.data.partnerIds) note(t.data.storyUri, recipientEntry(id, t.data.targetLanguage));
  return byStory;
}

/** What one partner of a translate job gets when no provider translates its language. */
export type UntranslatedOutcome = 'original' | 'original-already' | 'nothing';

export interface UntranslatedPlan {
  /** The original to the partners whose setting (or its default) says so. */
  deliver: PlannedDeliver[];
  partners: Array<{ partnerId: string; outcome: UntranslatedOutcome }>;
  /**
   * Recipients entries to forget: the variant a partner was routed and will never receive. Only
   * for a first publication — for a later version the partner may hold an earlier variant, whose
   * kill must still reach it.
   */
  forget: string[];
}

/**
 * Whether a partner takes the original when its language cannot be translated: its
 * `whenNoTranslator` setting, else the original when its language filter admits the story's
 * language or it has none (it did not say it takes only other languages).
 */
export function takesOriginalUntranslated(partner: Partner, story: CanonicalStory): boolean {
  if (partner.whenNoTranslator) return partner.whenNoTranslator === 'original';
  return !partner.filters?.languages || languageIn(primaryLanguage(story.language), partner.filters.languages);
}

/**
 * For the translator service, when no configured provider translates a job's pair: the partners
 * the job names (still present and enabled in `partners`) get the original where they take it
 * untranslated (`takesOriginalUntranslated`), unless routing already sent them the original.
 */
export function planUntranslated(
  job: Pick<TranslateJob, 'storyUri' | 'version' | 'targetLanguage' | 'eventType' | 'partnerIds' | 'receivedAt' | 'story'>,
  partners: readonly Partner[],
  ctx: RoutingContext = {},
): UntranslatedPlan {
  const wanted = new Set(job.partnerIds);
  const lang = primaryLanguage(job.targetLanguage) ?? job.targetLanguage;
  const c: RoutingContext = { ...ctx, receivedAt: ctx.receivedAt ?? job.receivedAt };
  const plan: UntranslatedPlan = { deliver: [], partners: [], forget: [] };
  for (const p of partners) {
    if (!wanted.has(p.id) || p.disabled) continue;
    let outcome: UntranslatedOutcome = 'nothing';
    if (variantsFor(p, job.story).original) outcome = 'original-already';
    else if (takesOriginalUntranslated(p, job.story)) {
      outcome = 'original';
      plan.deliver.push(deliverJob(p, job.story, { uri: job.storyUri, version: job.version }, job.eventType, c));
    }
    plan.partners.push({ partnerId: p.id, outcome });
    if (job.eventType === 'story.published') plan.forget.push(recipientEntry(p.id, lang));
  }
  return plan;
}
