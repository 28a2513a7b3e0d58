/**
 * The storage interface behind the engine. Two calls per decision: `lookup` reads what a decision
 * needs (the version register of the story's uri and the records its anchors lead to) together
 * with a snapshot number; `commit` writes the decision only if nothing that could change it was
 * written since that snapshot (an anchor of this story or its uri register), else it reports a
 * conflict and the engine decides again. That is the atomic claim: two workers racing on the same
 * story cannot both commit `new`.
 */
import type { StoryRecord } from './record';

/** The version register of one uri (source + guid). */
export interface RegisterState {
  latest: number;
  killed: boolean;
  /** Record ids per version, oldest first. */
  entries: Array<{ version: number; id: number }>;
  /** The raw stored value, for the compare-and-set at commit. */
  raw: string;
}

export interface StoredStory {
  id: number;
  uri: string;
  record: StoryRecord;
}

export interface LookupRequest {
  uri: string;
  /** Day of receipt (days since the Unix epoch). */
  day: number;
  anchors: number[];
  /**
   * The `new` record to write if the lookup finds nothing at all (no register for the uri, no
   * posting under any anchor in any bucket): the decision is then `new` whatever the engine
   * would compare, so the store writes it in the same atomic step (that is also the claim) and
   * reports its id in `inserted`. Otherwise nothing is written and the engine decides as usual.
   */
  insert?: InsertIfNew;
}

/** What a lookup writes when it finds nothing (see `LookupRequest.insert`). */
export interface InsertIfNew {
  /** Anchors to index the record under. */
  anchors: number[];
  record: StoryRecord;
}

export interface LookupResult {
  /** Snapshot: the last record id allocated when the lookup ran. */
  snapshot: number;
  register: RegisterState | null;
  /** Candidate record ids reached through the anchors, within the window. */
  candidates: number[];
  /** Every record the decision may need: register entries, candidates and what they point to. */
  stories: Map<number, StoredStory>;
  /** Set when the lookup found nothing and wrote the request's `insert` record: its id. */
  inserted?: number;
}

export interface CommitRequest {
  uri: string;
  day: number;
  /** Anchors to index this record under (empty: not indexed). */
  anchors: number[];
  /**
   * True for a `new` decision: fail if a story was written under one of `anchors` since the
   * snapshot (it might be this story's duplicate). Other decisions only need the register check:
   * a newer copy never changes which story is the earliest of a cluster.
   */
  claim: boolean;
  record: StoryRecord;
  /** From the lookup this decision was based on. */
  snapshot: number;
  /**
   * Record ids written after the snapshot that the decision did take into account (stories of
   * the same batch committed just before it): the claim fails only on a later write not listed.
   */
  known?: number[];
  /** Raw register value seen at lookup (null: none existed). */
  expectedRegister: string | null;
  /** Register after this decision. */
  latest: number;
  killed: boolean;
}

export type CommitResult = { ok: true; id: number } | { ok: false; conflict: true };

/** Where the dedupe index lives. Implementations: `MemoryDedupeStore`, `RedisDedupeStore`. */
export interface DedupeStore {
  /** Days a story stays findable. */
  readonly windowDays: number;
  lookup(requests: LookupRequest[]): Promise<LookupResult[]>;
  /** Commits in order; each result says whether that commit applied. */
  commit(requests: CommitRequest[]): Promise<CommitResult[]>;
  close?(): Promise<void>;
}

/**
 * Register value: `latest|killed|v:id,v:id`, or just `v:id,v:id` when the story is not killed and
 * its latest version is the last entry's, or just `id` for one entry of version 1 (the common
 * case: Redis keeps a bare integer in a few bytes).
 */
export function parseRegister(raw: string | null | undefined): RegisterState | null {
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return { latest: 1, killed: false, entries: [{ version: 1, id: Number(raw) }], raw };
  const parts = raw.split('|');
  const list = parts.length === 3 ? parts[2]! : raw;
  const entries: RegisterState['entries'] = [];
  for (const pair of list.split(',')) {
    if (!pair) continue;
    const [v, id] = pair.split(':');
    entries.push({ version: Number(v), id: Number(id) });
  }
  if (parts.length === 3) return { latest: Number(parts[0]), killed: parts[1] === '1', entries, raw };
  return { latest: entries[entries.length - 1]?.version ?? 0, killed: false, entries, raw };
}

/** Most register entries kept per uri (oldest dropped first). */
export const REGISTER_ENTRIES = 6;

export function formatRegister(latest: number, killed: boolean, entries: RegisterState['entries']): string {
  const kept = entries.slice(-REGISTER_ENTRIES);
  if (!killed && latest === 1 && kept.length === 1 && kept[0]!.version === 1) return String(kept[0]!.id);
  const list = kept.map((e) => `${e.version}:${e.id}`).join(',');
  return !killed && kept[kept.length - 1]?.version === latest ? list : `${latest}|${killed ? 1 : 0}|${list}`;
}

/** Bucket width for a window: about a third of it, so a lookup reads at most 4 buckets. */
export function bucketDaysFor(windowDays: number): number {
  return Math.max(1, Math.ceil(windowDays / 3));
}

/** The bucket numbers a lookup on `day` reads, newest first. */
export function bucketsFor(day: number, windowDays: number, bucketDays: number): number[] {
  const last = Math.floor(day / bucketDays);
  const first = Math.floor(Math.max(0, day - windowDays) / bucketDays);
  const out: number[] = [];
  for (let b = last; b >= first; b--) out.push(b);
  return out;
}

/** Most record ids kept per anchor and bucket (newest first). */
export const POSTING_IDS = 6;
