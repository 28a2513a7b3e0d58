import { z } from 'zod';

/** Partner ids appear in job ids and Redis keys: letters, digits, `-` and `_` only. */
export const PartnerId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "-" or "_", 1 to 64 characters');

/** What a partner subscribes to. Every list present must match; absent lists match everything. */
export const PartnerFilters = z.object({
  /** Agency names (`story.source`), case-insensitive. */
  sources: z.array(z.string().min(1)).optional(),
  /** BCP 47 languages; `en` matches `en-US`. */
  languages: z.array(z.string().min(1)).optional(),
  /** Subject codes or names (`story.subjects`), case-insensitive; any one matches. */
  subjects: z.array(z.string().min(1)).optional(),
  /** Words matched against `story.keywords` and the headline, case-insensitive; any one matches. */
  keywords: z.array(z.string().min(1)).optional(),
  /** Only stories at least this urgent (IPTC 1 = most urgent … 9); stories without urgency do not match. */
  urgency: z.number().int().min(1).max(9).optional(),
});
export type PartnerFilters = z.infer<typeof PartnerFilters>;

/** A signing secret; previous secrets carry the end of their grace period. */
export const PartnerSecret = z.object({
  secret: z.string().startsWith('whsec_'),
  createdAt: z.string(),
  /** Until when this (previous) secret still signs; absent on the current secret. */
  expiresAt: z.string().optional(),
});
export type PartnerSecret = z.infer<typeof PartnerSecret>;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http: or https: URL');

/** A partner outlet as stored in the registry. */
export const Partner = z.object({
  id: PartnerId,
  name: z.string().min(1),
  url: httpUrl,
  /** Current secret first, then previous ones still in their grace period. */
  secrets: z.array(PartnerSecret).min(1),
  filters: PartnerFilters.optional(),
  /** Languages the partner wants translated variants in. */
  translateTo: z.array(z.string().min(2)).optional(),
  /**
   * What the partner gets when no configured provider translates a story into a language it
   * asked for (`no translator for sv→es`): `original`, the story as it came, or `nothing`.
   * Default: the original when its language filter admits the story's language or it has no
   * language filter, else nothing.
   */
  whenNoTranslator: z.enum(['original', 'nothing']).optional(),
  /** Trusted to receive embargoed copy before `embargoedUntil`. */
  embargoEarly: z.boolean().optional(),
  /** Wants every source's copy of a story, not one per story. */
  allCopies: z.boolean().optional(),
  /** Per-partner overrides of the delivery worker's defaults. */
  concurrency: z.number().int().positive().optional(),
  ratePerSec: z.number().positive().optional(),
  disabled: z.boolean().optional(),
  disabledReason: z.string().optional(),
  disabledAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Partner = z.infer<typeof Partner>;

/** What a caller gives to create a partner; a secret is generated unless given. */
export const PartnerInput = Partner.omit({ secrets: true, createdAt: true, updatedAt: true, disabledAt: true }).extend({
  secret: z.string().startsWith('whsec_').optional(),
});
export type PartnerInput = z.input<typeof PartnerInput>;

/** Fields `update` may change. */
export const PartnerPatch = PartnerInput.omit({ id: true, secret: true }).partial();
export type PartnerPatch = z.input<typeof PartnerPatch>;

/** The secrets that sign now: the current one and previous ones whose grace period has not ended. */
export function activeSecrets(partner: Pick<Partner, 'secrets'>, now = Date.now()): string[] {
  return partner.secrets
    .filter((s, i) => i === 0 || (s.expiresAt !== undefined && Date.parse(s.expiresAt) > now))
    .map((s) => s.secret);
}

/** The current signing secret. */
export function currentSecret(partner: Pick<Partner, 'secrets'>): string {
  return partner.secrets[0]!.secret;
}

/** A readable line per zod issue: `filters.languages.0: too short`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(partner)'}: ${i.message}`).join('; ');
}
