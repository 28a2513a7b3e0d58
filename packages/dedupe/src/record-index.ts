/**
 * The lookup side of the dedupe index, in process: the log of fixed-size records (record.ts) by
 * id, with two chained hash tables over it — anchor → records indexed under it, uri → records of
 * that uri (the version register). Both are rebuilt from the records alone, so a store only has
 * to keep the log: the Redis store keeps it in Redis and this index is its replica; the memory
 * store keeps only this.
 *
 * A decision looks up here (no round trip), then *stages* the record it will write: staged
 * records get the next ids and are linked in like any other, so later stories of the same batch
 * see them exactly as if they had been committed one by one. The store then makes them durable
 * (`commitStaged`) or, when another writer appended something that could change a decision,
 * takes them back (`rollbackStaged`), applies what the other writer wrote and the engine decides
 * again.
 *
 * Memory: RECORD_BYTES (164) + 28 bytes per record for the chains, plus the table heads (~4–8
 * bytes per anchor and uri). About 200 MB for a million stories.
 */
import { ANCHORS } from './fingerprint';
import { fmix32 } from './hash';
import { CHUNK, RECORD_BYTES, RECORD_FIELD, decodeRecord, writeRecord, type StoryRecord } from './record';

/** The version register of one uri (source + guid). */
export interface RegisterState {
  latest: number;
  killed: boolean;
  /** Record ids per version, oldest first. */
  entries: Array<{ version: number; id: number }>;
}

export interface StoredStory {
  id: number;
  record: StoryRecord;
}

/** What one decision sees of the index (`RecordIndex.lookup`). */
export interface LookupResult {
  register: RegisterState | null;
  /** Candidate record ids reached through the anchors, within the window. */
  candidates: number[];
  /** Every record the decision may need: register entries, candidates and what they point to. */
  stories: ReadonlyMap<number, StoredStory>;
}

/** Most register entries kept per uri (oldest dropped first). */
export const REGISTER_ENTRIES = 6;

/** Records kept per anchor in a lookup (newest first), as a posting list would keep. */
export const POSTING_IDS = 24;
/** Chain steps per anchor before giving up (other anchors hashed to the same head). */
const MAX_STEPS = 96;
/** Chain entries per head before the table doubles. */
const LOAD = 2;
const ANCHOR_SEED = 0x5bd1e995;
/** Anchor chain entries are `id * 8 + k` (k: the anchor's position in its record). */
const MAX_ID = 2 ** 29 - 1;

interface Chunk {
  bytes: Buffer;
  /** Next entry of each (record, anchor k) in its anchor chain. */
  anchorNext: Uint32Array;
  /** Next record id of the same uri chain. */
  uriNext: Uint32Array;
}

export interface RecordIndexOptions {
  /** Days a story stays findable. */
  windowDays: number;
}

export class RecordIndex {
  readonly windowDays: number;
  /** Highest committed record id: the snapshot decisions are based on. */
  seq = 0;
  /** Lowest record id held (older records were evicted). */
  lo = 1;
  /** Records linked in (committed and staged). */
  private top = 0;
  private staged = 0;
  private chunkBase = 0;
  private readonly chunks: Array<Chunk | undefined> = [];
  private anchorHeads = new Uint32Array(1 << 12);
  private uriHeads = new Uint32Array(1 << 10);
  private anchorLinked = 0;
  private uriLinked = 0;
  private lock: Promise<unknown> = Promise.resolve();
  /** Newest story day linked in, and the day `evict` last dropped records below. */
  private maxDay = 0;
  private evictedBelow = 0;

  constructor(opts: RecordIndexOptions) {
    this.windowDays = opts.windowDays;
  }

  /** Runs `fn` with the index to itself: decisions on one index take turns, each against a stable view. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Records held (committed). */
  get size(): number {
    let n = 0;
    for (let id = this.lo; id <= this.seq; id++) if (this.versionAt(id) !== 0) n++;
    return n;
  }

  get stagedCount(): number {
    return this.staged;
  }

  /**
   * Applies committed records `firstId …` from `bytes` (RECORD_BYTES each; all-zero records are
   * missing ids). Ids at or below `seq` are ignored; nothing may be staged.
   */
  apply(firstId: number, bytes: Buffer): void {
    if (this.staged > 0) throw new Error('apply with staged records');
    const count = Math.floor(bytes.length / RECORD_BYTES);
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      if (id <= this.seq) continue;
      this.place(id, bytes, k * RECORD_BYTES);
      this.seq = this.top = id;
    }
  }

  /** Forgets every record (the log it mirrors is gone); the next ids start from the store's. */
  clear(): void {
    if (this.staged > 0) throw new Error('clear with staged records');
    this.chunks.length = 0;
    this.chunkBase = 0;
    this.seq = this.top = 0;
    this.lo = 1;
    this.anchorHeads = new Uint32Array(1 << 12);
    this.uriHeads = new Uint32Array(1 << 10);
    this.anchorLinked = this.uriLinked = 0;
    this.maxDay = this.evictedBelow = 0;
  }

  /** Moves the snapshot to `id` (the ids up to it are missing: expired or never written). */
  skipTo(id: number): void {
    if (this.staged > 0) throw new Error('skipTo with staged records');
    if (id > this.seq) this.seq = this.top = id;
  }

  /** Stages a record at the next id and links it in; returns the id. */
  stage(record: StoryRecord): number {
    const id = this.top + 1;
    const chunk = this.chunkFor(id);
    writeRecord(record, chunk.bytes, (id % CHUNK) * RECORD_BYTES);
    this.link(id, chunk);
    this.top = id;
    this.staged++;
    return id;
  }

  /** The staged records' bytes, in id order (`seq + 1 …`). */
  stagedBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.staged * RECORD_BYTES);
    for (let k = 0; k < this.staged; k++) {
      const id = this.seq + 1 + k;
      this.chunkAt(id)!.bytes.copy(out, k * RECORD_BYTES, (id % CHUNK) * RECORD_BYTES, (id % CHUNK + 1) * RECORD_BYTES);
    }
    return out;
  }

  /** The staged records are durable: they become committed. */
  commitStaged(): void {
    this.seq = this.top;
    this.staged = 0;
  }

  /** Takes the staged records back out (newest first: each is the head of its chains). */
  rollbackStaged(): void {
    for (let id = this.top; id > this.seq; id--) {
      const chunk = this.chunkAt(id)!;
      const off = (id % CHUNK) * RECORD_BYTES;
      const b = chunk.bytes;
      const i = id % CHUNK;
      const n = b[off + RECORD_FIELD.anchorCount]!;
      for (let k = n - 1; k >= 0; k--) {
        const slot = this.anchorSlot(b.readUInt32BE(off + RECORD_FIELD.anchors + 4 * k));
        this.anchorHeads[slot] = chunk.anchorNext[i * ANCHORS + k]!;
        chunk.anchorNext[i * ANCHORS + k] = 0;
        this.anchorLinked--;
      }
      const uslot = b.readUInt32BE(off + RECORD_FIELD.uriKey) & (this.uriHeads.length - 1);
      this.uriHeads[uslot] = chunk.uriNext[i]!;
      chunk.uriNext[i] = 0;
      this.uriLinked--;
      b.fill(0, off, off + RECORD_BYTES);
    }
    this.top = this.seq;
    this.staged = 0;
  }

  /** Copy of the record `id`, or null when it is not held. */
  record(id: number): StoryRecord | null {
    const chunk = this.chunkAt(id);
    return chunk ? decodeRecord(chunk.bytes, (id % CHUNK) * RECORD_BYTES) : null;
  }

  /**
   * What a decision for a story of this uri, received on `day`, needs: the uri's version register,
   * the records its query anchors lead to within the window (newest first, at most `POSTING_IDS`
   * per anchor) and every record those point to (ofId, rootId).
   */
  lookup(uriKey: number, uriCheck: number, day: number, query: readonly number[]): LookupResult {
    const minDay = day - this.windowDays;
    // Most stories find nothing: no Map or Set until something is found.
    let stories: Map<number, StoredStory> | null = null;
    const take = (id: number): StoredStory | undefined => {
      if (id < this.lo || id > this.top) return undefined;
      let s = stories?.get(id);
      if (s) return s;
      const record = this.record(id);
      if (!record) return undefined;
      s = { id, record };
      (stories ??= new Map()).set(id, s);
      return s;
    };

    // The register: the uri's records, newest first; it lapses with its newest record's window.
    let register: RegisterState | null = null;
    let entryIds: number[] | null = null;
    let steps = 0;
    for (let id = this.uriHeads[uriKey & (this.uriHeads.length - 1)]!; id >= this.lo && id !== 0 && steps < MAX_STEPS * 4; steps++) {
      const chunk = this.chunkAt(id)!;
      const off = (id % CHUNK) * RECORD_BYTES;
      const b = chunk.bytes;
      if (b.readUInt32BE(off + RECORD_FIELD.uriKey) === uriKey >>> 0 && b.readUInt32BE(off + RECORD_FIELD.uriCheck) === uriCheck >>> 0) {
        if (entryIds === null) {
          if (b.readUInt16BE(off + RECORD_FIELD.day) < minDay) break;
          entryIds = [];
        }
        entryIds.push(id);
        if (entryIds.length >= REGISTER_ENTRIES) break;
      }
      id = chunk.uriNext[id % CHUNK]!;
    }
    if (entryIds !== null) {
      const newest = take(entryIds[0]!)!.record;
      const entries: RegisterState['entries'] = [];
      for (let k = entryIds.length - 1; k >= 0; k--) {
        const s = take(entryIds[k]!);
        if (s) entries.push({ version: s.record.version, id: s.id });
      }
      register = { latest: newest.latest, killed: newest.killed, entries };
    }

    // Candidates by anchor (a few at most: a list is a fine set).
    const candidates: number[] = [];
    for (let q = 0; q < query.length; q++) {
      const anchor = query[q]! >>> 0;
      let found = 0;
      steps = 0;
      for (let e = this.anchorHeads[this.anchorSlot(anchor)]!; e !== 0 && steps < MAX_STEPS; steps++) {
        const id = Math.floor(e / 8);
        if (id < this.lo) break;
        const k = e & 7;
        const chunk = this.chunkAt(id)!;
        const off = (id % CHUNK) * RECORD_BYTES;
        const b = chunk.bytes;
        if (b.readUInt32BE(off + RECORD_FIELD.anchors + 4 * k) === anchor) {
          if (b.readUInt16BE(off + RECORD_FIELD.day) >= minDay && !candidates.includes(id)) candidates.push(id);
          if (++found >= POSTING_IDS) break;
        }
        e = chunk.anchorNext[(id % CHUNK) * ANCHORS + k]!;
      }
    }
    if (candidates.length === 0 && stories === null) return { register, candidates, stories: NO_STORIES };
    for (const id of candidates) take(id);
    const direct = [...stories!.values()];
    for (const s of direct) {
      if (s.record.ofId) take(s.record.ofId);
      if (s.record.rootId) take(s.record.rootId);
    }
    return { register, candidates, stories: stories! };
  }

  /**
   * Drops records that fell out of every window worth keeping: whole chunks from the low end
   * whose records are all older than the newest day held minus the window and `graceDays` (a
   * chunk holding a younger record is kept with everything after it). Stories received more than
   * `graceDays` behind the newest are decided against what is still held.
   */
  evict(graceDays: number): void {
    const day = this.maxDay - this.windowDays - graceDays;
    if (this.staged > 0 || day <= this.evictedBelow) return;
    this.evictedBelow = day;
    while (this.chunks.length > 1) {
      const chunk = this.chunks[0];
      if (chunk) {
        for (let i = 0; i < CHUNK; i++) {
          const off = i * RECORD_BYTES;
          if (chunk.bytes.readUInt16BE(off + RECORD_FIELD.version) !== 0 && chunk.bytes.readUInt16BE(off + RECORD_FIELD.day) >= day) return;
        }
      }
      this.chunks.shift();
      this.chunkBase++;
      this.lo = this.chunkBase * CHUNK;
    }
  }

  private versionAt(id: number): number {
    const chunk = this.chunkAt(id);
    return chunk ? chunk.bytes.readUInt16BE((id % CHUNK) * RECORD_BYTES + RECORD_FIELD.version) : 0;
  }

  private place(id: number, src: Buffer, srcOffset: number): void {
    if (src.readUInt16BE(srcOffset + RECORD_FIELD.version) === 0) return;
    const chunk = this.chunkFor(id);
    src.copy(chunk.bytes, (id % CHUNK) * RECORD_BYTES, srcOffset, srcOffset + RECORD_BYTES);
    this.link(id, chunk);
  }

  private chunkAt(id: number): Chunk | undefined {
    return this.chunks[Math.floor(id / CHUNK) - this.chunkBase];
  }

  private chunkFor(id: number): Chunk {
    if (id > MAX_ID) throw new Error(`record id ${id} beyond the index's ${MAX_ID}`);
    const c = Math.floor(id / CHUNK);
    if (this.chunks.length === 0) {
      this.chunkBase = c;
      this.lo = Math.max(1, c * CHUNK);
    }
    while (c - this.chunkBase >= this.chunks.length) this.chunks.push(undefined);
    let chunk = this.chunks[c - this.chunkBase];
    if (!chunk) {
      chunk = { bytes: Buffer.alloc(CHUNK * RECORD_BYTES), anchorNext: new Uint32Array(CHUNK * ANCHORS), uriNext: new Uint32Array(CHUNK) };
      this.chunks[c - this.chunkBase] = chunk;
    }
    return chunk;
  }

  private anchorSlot(anchor: number): number {
    return fmix32(anchor ^ ANCHOR_SEED) & (this.anchorHeads.length - 1);
  }

  private link(id: number, chunk: Chunk): void {
    const off = (id % CHUNK) * RECORD_BYTES;
    const b = chunk.bytes;
    const i = id % CHUNK;
    const uslot = b.readUInt32BE(off + RECORD_FIELD.uriKey) & (this.uriHeads.length - 1);
    chunk.uriNext[i] = this.uriHeads[uslot]!;
    this.uriHeads[uslot] = id;
    this.uriLinked++;
    const day = b.readUInt16BE(off + RECORD_FIELD.day);
    if (day > this.maxDay) this.maxDay = day;
    const n = Math.min(b[off + RECORD_FIELD.anchorCount]!, ANCHORS);
    for (let k = 0; k < n; k++) {
      const slot = this.anchorSlot(b.readUInt32BE(off + RECORD_FIELD.anchors + 4 * k));
      chunk.anchorNext[i * ANCHORS + k] = this.anchorHeads[slot]!;
      this.anchorHeads[slot] = id * 8 + k;
      this.anchorLinked++;
    }
    if (this.anchorLinked > LOAD * this.anchorHeads.length || this.uriLinked > LOAD * this.uriHeads.length) this.relink(id);
  }

  /** Rebuilds both tables, sized for what is held, linking ids `lo … upTo` in order. */
  private relink(upTo: number): void {
    let anchors = 0;
    let uris = 0;
    for (let id = this.lo; id <= upTo; id++) {
      const chunk = this.chunkAt(id);
      if (!chunk) continue;
      const off = (id % CHUNK) * RECORD_BYTES;
      if (chunk.bytes.readUInt16BE(off + RECORD_FIELD.version) === 0) continue;
      uris++;
      anchors += chunk.bytes[off + RECORD_FIELD.anchorCount]!;
    }
    this.anchorHeads = new Uint32Array(headsFor(anchors));
    this.uriHeads = new Uint32Array(headsFor(uris));
    this.anchorLinked = 0;
    this.uriLinked = 0;
    for (let id = this.lo; id <= upTo; id++) {
      const chunk = this.chunkAt(id);
      if (!chunk) continue;
      const off = (id % CHUNK) * RECORD_BYTES;
      if (chunk.bytes.readUInt16BE(off + RECORD_FIELD.version) === 0) continue;
      const i = id % CHUNK;
      const uslot = chunk.bytes.readUInt32BE(off + RECORD_FIELD.uriKey) & (this.uriHeads.length - 1);
      chunk.uriNext[i] = this.uriHeads[uslot]!;
      this.uriHeads[uslot] = id;
      this.uriLinked++;
      const n = Math.min(chunk.bytes[off + RECORD_FIELD.anchorCount]!, ANCHORS);
      for (let k = 0; k < n; k++) {
        const slot = this.anchorSlot(chunk.bytes.readUInt32BE(off + RECORD_FIELD.anchors + 4 * k));
        chunk.anchorNext[i * ANCHORS + k] = this.anchorHeads[slot]!;
        this.anchorHeads[slot] = id * 8 + k;
        this.anchorLinked++;
      }
    }
  }
}

/** The stories of a lookup that found nothing (shared: lookups' results are read-only). */
const NO_STORIES: ReadonlyMap<number, StoredStory> = new Map();

/** Table heads for `entries` chain entries: a power of two, about one head per entry. */
function headsFor(entries: number): number {
  let n = 1 << 10;
  while (n < entries) n *= 2;
  return n;
}
