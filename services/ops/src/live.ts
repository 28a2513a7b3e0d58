import type { Queue } from 'bullmq';
import type { Logger } from '@wire/observability';
import type { DeliveryAdmin, DeliveryRecord, LagReader, PartnerAdmin } from './ports';
import type { IngestDeadLetters } from './ingest-dead-letters';
import type { StoryIndex } from './story-index';

export interface PartnerHealth {
  id: string;
  name: string;
  disabled: boolean;
  disabledReason?: string;
  attempts: number;
  successRate: number | null;
  p95Ms: number | null;
  lastStatus?: string;
}

/** What the dashboard shows, pushed over server-sent events. */
export interface Snapshot {
  at: string;
  stories: Array<{
    uri: string;
    version: number;
    headline: string;
    source: string;
    language?: string;
    event: string;
    decision: string;
    of?: string;
    at: string;
    destinations: Array<{ partner: string; status: string }>;
  }>;
  partners: PartnerHealth[];
  queues: Array<{ name: string; counts: Record<string, number> }>;
  lag: Array<{ group: string; topic: string; lag: number }>;
  decisions: Record<string, number>;
  deadLetters: { ingest: number };
  /** Parts that could not be read, with why. */
  problems: string[];
  /** What an operator should fix in the deployment (e.g. a Redis that does not persist). */
  warnings: string[];
}

export interface SnapshotDeps {
  stories: StoryIndex;
  partners: PartnerAdmin;
  deliveries?: DeliveryAdmin;
  queues: Queue[];
  lag?: LagReader;
  ingestDeadLetters: IngestDeadLetters;
  warnings?: () => string[];
}

const SUCCESS = new Set(['delivered', 'success', 'succeeded', 'ok', 'sent']);

/** True when a delivery record is a success (2xx). */
export function isSuccess(r: DeliveryRecord): boolean {
  if (typeof r.httpStatus === 'number') return r.httpStatus >= 200 && r.httpStatus < 300;
  return SUCCESS.has(r.status);
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] ?? null;
}

/** Health of each partner from its recent delivery attempts. */
export function partnerHealth(partners: Array<{ id: string; name: string; disabled?: boolean; disabledReason?: unknown }>, attempts: DeliveryRecord[]): PartnerHealth[] {
  return partners.map((p) => {
    const mine = attempts.filter((a) => a.partnerId === p.id && a.status !== 'skipped' && a.status !== 'stale');
    const ok = mine.filter(isSuccess);
    const latencies = ok.map((a) => a.latencyMs).filter((n): n is number => typeof n === 'number');
    const last = [...mine].sort((a, b) => b.at.localeCompare(a.at))[0];
    return {
      id: p.id,
      name: p.name,
      disabled: p.disabled === true,
      disabledReason: typeof p.disabledReason === 'string' ? p.disabledReason : undefined,
      attempts: mine.length,
      successRate: mine.length > 0 ? ok.length / mine.length : null,
      p95Ms: p95(latencies),
      lastStatus: last ? (last.httpStatus ? `${last.status} ${last.httpStatus}` : last.status) : undefined,
    };
  });
}

/** Build one dashboard snapshot; a part that fails is reported in `problems`, never thrown. */
export async function buildSnapshot(deps: SnapshotDeps, log: Logger): Promise<Snapshot> {
  const problems: string[] = [];
  const guard = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      log.debug({ err, part: what }, 'snapshot part failed');
      problems.push(`${what}: ${(err as Error).message}`);
      return fallback;
    }
  };
  const [events, partners, recentDeliveries, queues, lag, decisions, dlq] = await Promise.all([
    guard('stories', () => deps.stories.recentEvents(25), []),
    guard('partners', () => deps.partners.list(), []),
    guard('deliveries', async () => (deps.deliveries ? deps.deliveries.list({ limit: 2000 }) : []), [] as DeliveryRecord[]),
    guard(
      'queues',
      () => Promise.all(deps.queues.map(async (q) => ({ name: q.name, counts: await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children') }))),
      [],
    ),
    guard('consumer lag', async () => (deps.lag ? deps.lag.lag() : []), []),
    guard('decisions', () => deps.stories.decisionCounts(), {}),
    guard('dead letters', () => deps.ingestDeadLetters.count(), 0),
  ]);
  if (!deps.deliveries) problems.push('deliveries: the delivery log is not wired (services/webhooks)');
  const lagByGroup = new Map<string, { group: string; topic: string; lag: number }>();
  for (const l of lag) {
    const k = `${l.group}\u0000${l.topic}`;
    const cur = lagByGroup.get(k) ?? { group: l.group, topic: l.topic, lag: 0 };
    cur.lag += l.lag;
    lagByGroup.set(k, cur);
  }
  return {
    at: new Date().toISOString(),
    stories: events.map((ev) => {
      // A duplicate or stale version goes nowhere: the deliveries of that uri and version belong to the original.
      const sent = ev.decision.kind !== 'duplicate' && ev.decision.kind !== 'stale';
      const mine = sent ? recentDeliveries.filter((d) => d.storyUri === ev.uri && (d.version === undefined || d.version === ev.version)) : [];
      const latestPerPartner = new Map<string, DeliveryRecord>();
      for (const d of [...mine].sort((a, b) => a.at.localeCompare(b.at))) latestPerPartner.set(d.partnerId, d);
      return {
        uri: ev.uri,
        version: ev.version,
        headline: ev.headline,
        source: ev.source,
        language: ev.language,
        event: ev.type,
        decision: ev.decision.kind,
        of: ev.decision.of ? `${ev.decision.of.uri} v${ev.decision.of.version}` : undefined,
        at: ev.at,
        destinations: [...latestPerPartner.values()].map((d) => ({ partner: d.partnerId, status: d.httpStatus ? `${d.status} ${d.httpStatus}` : d.status })),
      };
    }),
    partners: partnerHealth(partners, recentDeliveries),
    queues,
    lag: [...lagByGroup.values()],
    decisions,
    deadLetters: { ingest: dlq },
    problems,
    warnings: deps.warnings?.() ?? [],
  };
}
