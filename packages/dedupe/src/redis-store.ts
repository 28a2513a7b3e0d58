/**
 * `DedupeStore` on Redis: the record log lives in Redis, and each process holds a replica of it
 * (`RecordIndex`) where its decisions look up. A batch of decisions is appended with one Lua
 * script, one round trip:
 *
 * - if nobody appended since the replica's snapshot, the batch's records are written at the
 *   next ids;
 * - if another writer did, the script reads those records and checks them against what the
 *   batch's decisions depend on (their query anchors and uri keys). None touched: the batch is
 *   written after them (ids of the batch that the batch's own records point to move up by the
 *   same amount), and the reply carries them so the replica catches up. One touched: nothing is
 *   written, the reply carries them, and the engine decides the batch again. That check is the
 *   atomic claim: two workers racing on one story cannot both append `new`.
 *
 * Key layout (prefix `P`; `:l` marks this log layout, so keys of the earlier layout of posting
 * hashes, Nov 2026, are never read — they expire on their own but for their `P:seq`):
 * - `P:l:seq` — last record id and the log's epoch (`<id> <epoch>`, made with the log).
 * - `P:l:r:{id / CHUNK}` — a 256 KiB string of fixed-size records side by side (record.ts),
 *   allocated at full size once so Redis does not over-allocate while it fills.
 * - `P:l:n:{id / 128}` — the uris of 128 ids, each as a 2-byte length and its bytes, in id order
 *   (stored without `urn:wire:`; any other uri behind a NUL, which no uri starts with).
 * When `P:l:seq` is behind a replica (Redis lost the log: restarted without persistence, keys
 * deleted), the replica starts over from what Redis has, like a new process would.
 * About 190 bytes per story (a 164-byte record and the uri). Every key but `P:l:seq` expires
 * `windowDays + grace + 1` days after its last write. A replica loads the live records at first
 * use (a million in about a second) and then only reads what other writers appended, in the
 * replies to its own appends. Keys are built inside the scripts, so this store wants a single
 * Redis (or one Cluster slot per prefix), not a Cluster spread.
 */
import type { Redis } from 'ioredis';
import { defineScripts, type WithScripts } from '@wire/redis-scripts';
import { dedupeError } from './errors';
import { CHUNK, RECORD_BYTES } from './record';
import { RecordIndex } from './record-index';
import { graceDaysFor, type AppendRequest, type AppendResult, type DedupeStore } from './store';

/** Uris per names key (the append script has it too). */
export const NAMES = 128;
/** Stored uris drop this common prefix (restored on read). */
const URI_PREFIX = 'urn:wire:';
/** Chunks read per round trip when a replica loads or catches up. */
const LOAD_CHUNKS = 16;

/** The append script, registered on the client as `wireDedupeAppend` (no KEYS: it builds them from the prefix). */
const DEDUPE_SCRIPTS = { wireDedupeAppend: { file: new URL('./dedupe-append.lua', import.meta.url), keys: 0 } } as const;

export interface RedisDedupeStoreOptions {
  /** An ioredis client (the store does not close it). */
  redis: Redis;
  /** Key prefix, e.g. `wire:dedupe`; unique per test. */
  prefix: string;
  /** Days a story stays findable (default 30). */
  windowDays?: number;
  /**
   * Most records of other writers an append reads and checks in its own step (default 4,096);
   * a replica further behind loads them first and decides again.
   */
  maxCatchUp?: number;
}


export class RedisDedupeStore implements DedupeStore {
  readonly windowDays: number;
  readonly prefix: string;
  readonly index: RecordIndex;
  private readonly logPrefix: string;
  private readonly redis: WithScripts<Redis, keyof typeof DEDUPE_SCRIPTS>;
  private readonly ttlSeconds: number;
  private readonly graceDays: number;
  private readonly maxCatchUp: number;
  private loaded = false;
  /** The epoch of the log the replica holds ('' until known). */
  private epoch = '';

  constructor(opts: RedisDedupeStoreOptions) {
    this.windowDays = opts.windowDays ?? 30;
    this.prefix = opts.prefix;
    this.logPrefix = `${opts.prefix}:l`;
    this.graceDays = graceDaysFor(this.windowDays);
    this.ttlSeconds = (this.windowDays + this.graceDays + 1) * 86_400;
    this.maxCatchUp = opts.maxCatchUp ?? 4096;
    this.index = new RecordIndex({ windowDays: this.windowDays });
    this.redis = defineScripts(opts.redis, DEDUPE_SCRIPTS);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.index.exclusive(async () => {
      if (!this.loaded) {
        await this.catchUp();
        this.loaded = true;
      }
      this.index.evict(this.graceDays);
      return fn();
    });
  }

  async append(req: AppendRequest): Promise<AppendResult> {
    const index = this.index;
    const snapshot = index.seq;
    const n = index.stagedCount;
    const blob = n > 0 ? index.stagedBytes() : Buffer.alloc(0);
    const touched = Buffer.allocUnsafe(4 * req.touched.length);
    for (let i = 0; i < req.touched.length; i++) touched.writeUInt32BE(req.touched[i]! >>> 0, 4 * i);
    const nums = `${snapshot} ${n} ${this.ttlSeconds} ${this.maxCatchUp} ${req.names.length}${req.names.length > 0 ? ` ${req.names.join(' ')}` : ''}`;
    let reply: Array<number | Buffer>;
    try {
      reply = (await this.redis.wireDedupeAppendBuffer(this.prefix, nums, blob, touched, namesBlob(req.uris), this.epoch)) as Array<number | Buffer>;
    } catch (e) {
      index.rollbackStaged();
      throw dedupeError('WIRE_ERR_DEDUPE_STORE', `append of ${n} records failed: ${(e as Error).message}`, { prefix: this.prefix }, e);
    }
    const ok = Number(reply[0]) === 1;
    const seq = Number(reply[1]);
    const between = reply[2] as Buffer;
    const epoch = String(reply[3]);
    const sameLog = this.epoch === '' || this.epoch === epoch;
    this.epoch = epoch;
    if (ok && seq === snapshot) {
      index.commitStaged();
    } else {
      index.rollbackStaged();
      if (!sameLog || seq < snapshot) {
        // Redis no longer has the log the replica holds: start over from what it has, so that
        // this process decides as a fresh one would (and as every other writer will).
        index.clear();
        await this.catchUp();
        return { ok: false, conflict: true };
      }
      if (seq > snapshot) {
        if (between.length > 0) index.apply(snapshot + 1, between);
        else await this.catchUp();
      }
      if (!ok) return { ok: false, conflict: true };
      // Written at seq + 1 …: the script moved the batch's references to itself by seq - snapshot.
      const gap = seq - snapshot;
      for (let r = 0; r < n; r++) {
        for (const field of [12, 16]) {
          const o = r * RECORD_BYTES + field;
          const v = blob.readUInt32BE(o);
          if (v > snapshot) blob.writeUInt32BE(v + gap, o);
        }
      }
      if (n > 0) index.apply(seq + 1, blob);
    }
    const names = new Map<number, string>();
    req.names.forEach((id, k) => {
      const raw = reply[4 + k] as Buffer | undefined;
      if (raw && raw.length > 0) names.set(id, readUri(raw.toString('utf8')));
    });
    return { ok: true, names };
  }

  async refresh(): Promise<void> {
    const [last = '0', epoch = ''] = ((await this.redis.get(`${this.logPrefix}:seq`)) ?? '').split(' ');
    // Redis lost the log the replica holds: start over from what it has, as `append` does.
    if ((this.epoch !== '' && epoch !== '' && epoch !== this.epoch) || (Number(last) || 0) < this.index.seq) this.index.clear();
    await this.catchUp();
  }

  /** Brings the replica up to `P:seq`: on first use every live chunk, later what it missed. */
  private async catchUp(): Promise<void> {
    const [last = '0', epoch = ''] = ((await this.redis.get(`${this.logPrefix}:seq`)) ?? '').split(' ');
    const seq = Number(last) || 0;
    if (this.index.seq === 0) this.epoch = epoch;
    if (seq <= this.index.seq) return;
    let from = this.index.seq + 1;
    if (this.index.seq === 0) from = Math.max(1, (await this.firstLiveChunk(Math.floor(seq / CHUNK))) * CHUNK);
    const lastChunk = Math.floor(seq / CHUNK);
    for (let c = Math.floor(from / CHUNK); c <= lastChunk; c += LOAD_CHUNKS) {
      const pipe = this.redis.pipeline();
      const starts: number[] = [];
      for (let k = c; k <= Math.min(lastChunk, c + LOAD_CHUNKS - 1); k++) {
        const first = Math.max(from, k * CHUNK);
        const last = Math.min(seq, (k + 1) * CHUNK - 1);
        starts.push(first);
        pipe.getrangeBuffer(`${this.logPrefix}:r:${k}`, (first % CHUNK) * RECORD_BYTES, (last % CHUNK + 1) * RECORD_BYTES - 1);
      }
      const res = (await pipe.exec()) ?? [];
      res.forEach(([err, bytes], k) => {
        if (err) throw dedupeError('WIRE_ERR_DEDUPE_STORE', `loading the index failed: ${err.message}`, { prefix: this.prefix }, err);
        this.index.apply(starts[k]!, bytes as Buffer);
      });
    }
    this.index.skipTo(seq);
  }

  /**
   * The oldest chunk still in Redis. Chunks expire in id order (each one's last write comes
   * before the next one's), so the live ones are a run ending at the newest: binary search.
   */
  private async firstLiveChunk(newest: number): Promise<number> {
    let lo = 0;
    let hi = newest;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.redis.exists(`${this.logPrefix}:r:${mid}`)) === 1) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Deletes every key under the prefix (tests and benchmarks clean up with this; never FLUSH). */
  async deleteAll(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }
}

/**
 * The uris as the names keys hold them: each a 2-byte length and its bytes, stored without
 * `urn:wire:`, any other uri behind a NUL (no uri starts with one).
 */
function namesBlob(uris: readonly string[]): Buffer {
  const stored = uris.map((uri) => (uri.startsWith(URI_PREFIX) ? uri.slice(URI_PREFIX.length) : `\0${uri}`));
  let total = 0;
  for (const u of stored) total += 2 + Buffer.byteLength(u);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  stored.forEach((u, k) => {
    const len = out.write(u, at + 2);
    // Normalization refuses ids anywhere near this long.
    if (len > 0xffff) throw dedupeError('WIRE_ERR_DEDUPE_STORE', `uri of ${len} bytes is longer than the index takes (65,535)`, { uri: uris[k]!.slice(0, 200) });
    out.writeUInt16BE(len, at);
    at += 2 + len;
  });
  return out;
}

function readUri(stored: string): string {
  return stored.startsWith('\0') ? stored.slice(1) : URI_PREFIX + stored;
}
