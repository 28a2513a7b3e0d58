/**
 * The deliveries a run owes each partner, worked out here from the partners' filters and
 * languages and what each message is (CONTRACTS.md, "Webhooks to partners"; the routing rules the
 * README states) — never by asking the product.
 */
import type { MessageKind, PartnerSpec, StoryMessage } from './plan';

export type EventType = 'story.published' | 'story.updated' | 'story.corrected' | 'story.killed';

/** Order of event types within one version (a kill outranks anything else of its version). */
export const EVENT_RANK: Record<EventType, number> = { 'story.published': 0, 'story.updated': 1, 'story.corrected': 2, 'story.killed': 3 };

/** One webhook a partner should get: the story (or its language variant), version and event. */
export interface ExpectedDelivery {
  partner: string;
  /** The uri the webhook's `data.uri` carries: the story's, or `<uri>:lang:<xx>` for a translation. */
  uri: string;
  /** The story's own uri (variants share it). */
  baseUri: string;
  version: number;
  type: EventType;
  variant?: string;
}

/** `partner|uri|version|type`: the key receipts, dead letters and expectations meet on. */
export function deliveryKey(d: { partner: string; uri: string; version: number; type: string }): string {
  return `${d.partner}|${d.uri}|${d.version}|${d.type}`;
}

/** The uri a language variant of `baseUri` is delivered under. */
const variantUri = (baseUri: string, language: string) => `${baseUri}:lang:${language}`;
/** The story a delivered uri belongs to (a variant's uri names its source story). */
export const baseOf = (uri: string) => uri.replace(/:lang:[^:]+$/, '');

const EVENT_OF: Partial<Record<MessageKind, EventType>> = {
  new: 'story.published',
  copy: 'story.published',
  update: 'story.updated',
  correction: 'story.corrected',
  kill: 'story.killed',
};

const has = (list: readonly string[] | undefined, value: string) => list === undefined || list.some((x) => x.toLowerCase() === value.toLowerCase());

/** Whether a partner takes a story: every filter it sets must match; a partner taking translations passes the language filter. */
function takes(p: PartnerSpec, m: Pick<StoryMessage, 'source' | 'language' | 'subject'>): boolean {
  const f = p.filters ?? {};
  if (!has(f.sources, m.source)) return false;
  if (!has(f.subjects, m.subject)) return false;
  if (f.languages && !has(f.languages, m.language) && !(p.translateTo?.length ?? 0)) return false;
  return true;
}

/**
 * The forms a partner gets a story in: the original when it takes the story's language (or asked
 * for no translation), and a translated variant per `translateTo` language other than the story's.
 */
function forms(p: PartnerSpec, language: string): { original: boolean; variants: string[] } {
  const wants = p.translateTo ?? [];
  if (wants.length === 0) return { original: true, variants: [] };
  const original = wants.includes(language) || (p.filters?.languages?.includes(language) ?? false);
  return { original, variants: [...new Set(wants.filter((l) => l !== language))] };
}

/**
 * Every delivery owed for `messages` (any order): first versions, updates and corrections go to
 * the partners that take the story, in the forms they take it; a kill goes to every partner that
 * took the story, for exactly the forms it was sent (the original's uri, each translation's); a
 * re-send goes nowhere; another agency's exact copy only to partners that take every agency's copy.
 */
export function expectedDeliveries(partners: readonly PartnerSpec[], messages: readonly StoryMessage[]): ExpectedDelivery[] {
  const out: ExpectedDelivery[] = [];
  for (const m of messages) {
    const type = EVENT_OF[m.kind];
    if (!type) continue;
    for (const p of partners) {
      if (!takes(p, m)) continue;
      if (m.kind === 'copy' && !p.allCopies) continue;
      const base = { partner: p.id, baseUri: m.uri, version: m.version, type };
      // A story keeps its source, language and subject across versions here, so the forms a
      // partner was sent earlier (what a correction and a kill go to) are the forms it takes now.
      const f = forms(p, m.language);
      if (f.original) out.push({ ...base, uri: m.uri });
      for (const lang of f.variants) out.push({ ...base, uri: variantUri(m.uri, lang), variant: lang });
    }
  }
  return out;
}

/** The (uri, version) pairs that must each appear once on `stories.canonical`: every version ingest publishes. */
export function expectedCanonical(messages: readonly StoryMessage[]): string[] {
  return messages.filter((m) => m.kind === 'new' || m.kind === 'update' || m.kind === 'correction' || m.kind === 'kill').map((m) => `${m.uri}|${m.version}`);
}
