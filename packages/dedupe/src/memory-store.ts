/**
 * In-process `DedupeStore`: the same semantics as the Redis store (windowed anchor buckets,
 * version register, snapshot/commit claim), for tests, the CLI's `--store memory` and one-process
 * tools. Not shared between processes.
 */
import {
  POSTING_IDS,
  bucketDaysFor,
  bucketsFor,
  formatRegister,
  parseRegister,
  type CommitRequest,
  type CommitResult,
  type DedupeStore,
  type LookupRequest,
  type LookupResult,
  type StoredStory,
} from './store';
import type { StoryRecord } from './record';

export interface MemoryDedupeStoreOptions {
  /** Days a story stays findable (default 30). */
  windowDays?: number;
}

export class MemoryDedupeStore implements DedupeStore {
  readonly windowDays: number;
  private readonly bucketDays: number;
  private seq = 0;
  private readonly records = new Map<number, { uri: string; record: StoryRecord }>();
  /** bucket → anchor → ids, newest first. */
  private readonly postings = new Map<number, Map<number, number[]>>();
  private readonly registers = new Map<string, { raw: string; day: number }>();

  constructor(opts: MemoryDedupeStoreOptions = {}) {
    this.windowDays = opts.windowDays ?? 30;
    this.bucketDays = bucketDaysFor(this.windowDays);
  }

  async lookup(requests: LookupRequest[]): Promise<LookupResult[]> {
    return requests.map((r) => this.lookupOne(r));
  }

  async commit(requests: CommitRequest[]): Promise<CommitResult[]> {
    return requests.map((r) => this.commitOne(r));
  }

  /** Number of records held (for tests and diagnostics). */
  get size(): number {
    return this.records.size;
  }

  private register(uri: string, day: number): string | null {
    const reg = this.registers.get(uri);
    if (!reg || reg.day < day - this.windowDays - this.bucketDays) return null;
    return reg.raw;
  }

  private lookupOne(r: LookupRequest): LookupResult {
    const raw = this.register(r.uri, r.day);
    const register = parseRegister(raw);
    const stories = new Map<number, StoredStory>();
    const candidates: number[] = [];
    const take = (id: number): StoredStory | undefined => {
      if (!id || stories.has(id)) return stories.get(id);
      const hit = this.records.get(id);
      if (!hit) return undefined;
      const s: StoredStory = { id, uri: hit.uri, record: hit.record };
      stories.set(id, s);
      return s;
    };
    for (const e of register?.entries ?? []) take(e.id);
    const seen = new Set<number>();
    for (const b of bucketsFor(r.day, this.windowDays, this.bucketDays)) {
      const bucket = this.postings.get(b);
      if (!bucket) continue;
      for (const a of r.anchors) {
        for (const id of bucket.get(a) ?? []) {
          if (seen.has(id)) continue;
          seen.add(id);
          const s = take(id);
          if (s && s.record.day >= r.day - this.windowDays) candidates.push(id);
        }
      }
    }
    if (r.insert && raw === null && seen.size === 0) {
      const snapshot = this.seq;
      const id = this.write(r.uri, r.day, r.insert.anchors, r.insert.record, null, r.insert.record.version, false);
      return { snapshot, register: null, candidates: [], stories, inserted: id };
    }
    for (const s of [...stories.values()]) {
      take(s.record.ofId);
      take(s.record.rootId);
    }
    return { snapshot: this.seq, register, candidates, stories };
  }

  private commitOne(c: CommitRequest): CommitResult {
    const current = this.register(c.uri, c.day);
    if ((current ?? null) !== c.expectedRegister) return { ok: false, conflict: true };
    const buckets = bucketsFor(c.day, this.windowDays, this.bucketDays);
    const home = this.postings.get(buckets[0]!);
    if (c.claim && home) {
      for (const a of c.anchors) {
        for (const id of home.get(a) ?? []) if (id > c.snapshot && !c.known?.includes(id)) return { ok: false, conflict: true };
      }
    }
    return { ok: true, id: this.write(c.uri, c.day, c.anchors, c.record, current, c.latest, c.killed) };
  }

  private write(uri: string, day: number, anchors: readonly number[], record: StoryRecord, current: string | null, latest: number, killed: boolean): number {
    const buckets = bucketsFor(day, this.windowDays, this.bucketDays);
    const id = ++this.seq;
    this.records.set(id, { uri, record });
    let bucket = this.postings.get(buckets[0]!);
    if (!bucket) this.postings.set(buckets[0]!, (bucket = new Map()));
    for (const a of anchors) {
      const ids = bucket.get(a) ?? [];
      if (ids[0] !== id) ids.unshift(id);
      if (ids.length > POSTING_IDS) ids.length = POSTING_IDS;
      bucket.set(a, ids);
    }
    const entries = parseRegister(current)?.entries ?? [];
    entries.push({ version: record.version, id });
    this.registers.set(uri, { raw: formatRegister(latest, killed, entries), day });
    this.prune(day);
    return id;
  }

  private prune(day: number): void {
    const oldest = Math.floor((day - this.windowDays) / this.bucketDays) - 1;
    for (const b of this.postings.keys()) if (b < oldest) this.postings.delete(b);
  }
}
