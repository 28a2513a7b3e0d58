/**
 * `DedupeStore` on Redis. Two Lua scripts, one round trip each (pipelined across a batch):
 * `lookup` reads the uri register and the anchor postings of the window's buckets and returns the
 * records they lead to; `commit` re-checks that nothing relevant was written since the lookup's
 * snapshot (the claim), then allocates a record id and writes record, postings and register.
 *
 * Memory layout (prefix `P`), chosen to stay near 200 bytes per story at a million stories:
 * - `P:seq` — last record id.
 * - `P:r:{id / CHUNK}` — a 256 KiB string holding fixed-size records side by side (record.ts),
 *   pre-allocated once so Redis does not over-allocate as it fills.
 * - `P:n:{id / 128}` — small hash, field `id % 128` → story uri (without `urn:wire:`).
 * - `P:a:{bucket}:{shard}` — small hash, field = 16 more bits of the anchor → newest record ids.
 * - `P:u:{bucket}:{shard}` — small hash, field = 48-bit uri hash → version register.
 * Small hashes stay in Redis's compact listpack encoding (shard counts keep them under 120 fields).
 * Every key expires `windowDays + bucketDays` after its last write; lookups read only the buckets
 * of the window. Keys are built inside the scripts, so this store wants a single Redis (or one
 * Cluster slot per prefix), not a Cluster spread.
 */
import type { Redis } from 'ioredis';
import { dedupeError } from './errors';
import { ANCHORS } from './fingerprint';
import { hashString } from './hash';
import { RECORD_BYTES, decodeRecord, encodeRecord } from './record';
import {
  POSTING_IDS,
  REGISTER_ENTRIES,
  bucketDaysFor,
  bucketsFor,
  parseRegister,
  type CommitRequest,
  type CommitResult,
  type DedupeStore,
  type LookupRequest,
  type LookupResult,
  type StoredStory,
} from './store';

/**
 * Records per chunk string: as many as fit in 256 KiB with the string header, so the allocation
 * is exactly one allocator size class (no rounding waste).
 */
const CHUNK = Math.floor((2 ** 18 - 16) / RECORD_BYTES);
const NAMES = 128;
/** Stored uris drop this common prefix (restored on read). */
const URI_PREFIX = 'urn:wire:';

const LUA_COMMON = `
local p = ARGV[1]
local regShard = ARGV[2]
local uriField = ARGV[3]
local nb = tonumber(ARGV[4])
local i = 5
local buckets = {}
for b = 1, nb do buckets[b] = ARGV[i]; i = i + 1 end
local na = tonumber(ARGV[i]); i = i + 1
local anchors = {}
for a = 1, na do anchors[a] = { ARGV[i], ARGV[i + 1] }; i = i + 2 end
local RB = ${RECORD_BYTES}
local CH = ${CHUNK}
local NM = ${NAMES}
local function findRegister()
  for b = 1, nb do
    local v = redis.call('HGET', p .. ':u:' .. buckets[b] .. ':' .. regShard, uriField)
    if v then return v, buckets[b] end
  end
  return '', nil
end
`;

const LUA_LOOKUP = `${LUA_COMMON}
local seq = tonumber(redis.call('GET', p .. ':seq') or '0')
local reg = findRegister()
local out = { seq, reg, '' }
local fetched = {}
local function u32(s, pos)
  local a, b, c, d = string.byte(s, pos, pos + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local blobs = {}
local function fetch(id)
  if id == 0 or fetched[id] then return end
  fetched[id] = true
  local off = (id % CH) * RB
  local blob = redis.call('GETRANGE', p .. ':r:' .. math.floor(id / CH), off, off + RB - 1)
  if #blob < RB then return end
  local uri = redis.call('HGET', p .. ':n:' .. math.floor(id / NM), tostring(id % NM))
  if not uri then return end
  out[#out + 1] = id
  out[#out + 1] = blob
  out[#out + 1] = uri
  blobs[#blobs + 1] = blob
end
for id in string.gmatch(reg, ':(%d+)') do fetch(tonumber(id)) end
local cands = {}
local seen = {}
for b = 1, nb do
  for a = 1, na do
    local v = redis.call('HGET', p .. ':a:' .. buckets[b] .. ':' .. anchors[a][1], anchors[a][2])
    if v then
      for id in string.gmatch(v, '%d+') do
        local n = tonumber(id)
        if not seen[n] then
          seen[n] = true
          cands[#cands + 1] = id
          fetch(n)
        end
      end
    end
  end
end
out[3] = table.concat(cands, ',')
local direct = #blobs
for k = 1, direct do
  fetch(u32(blobs[k], 13))
  fetch(u32(blobs[k], 17))
end
return out
`;

const LUA_COMMIT = `${LUA_COMMON}
local snapshot = tonumber(ARGV[i])
local expected = ARGV[i + 1]
local latest = ARGV[i + 2]
local killed = ARGV[i + 3]
local version = ARGV[i + 4]
local blob = ARGV[i + 5]
local uri = ARGV[i + 6]
local ttl = tonumber(ARGV[i + 7])
local claim = ARGV[i + 8] == '1'
local cur, curBucket = findRegister()
if cur ~= expected then return { 0, 0 } end
-- The claim: a story written since the snapshot under one of these anchors (in the home bucket,
-- where every write of the same day lands) means this decision may be out of date.
if claim then
  for a = 1, na do
    local v = redis.call('HGET', p .. ':a:' .. buckets[1] .. ':' .. anchors[a][1], anchors[a][2])
    if v then
      local newest = tonumber(string.match(v, '^(%d+)'))
      if newest and newest > snapshot then return { 0, 0 } end
    end
  end
end
local id = redis.call('INCR', p .. ':seq')
local ck = p .. ':r:' .. math.floor(id / CH)
if redis.call('EXISTS', ck) == 0 then redis.call('SET', ck, string.rep('\\0', CH * RB)) end
redis.call('SETRANGE', ck, (id % CH) * RB, blob)
redis.call('EXPIRE', ck, ttl)
local nk = p .. ':n:' .. math.floor(id / NM)
redis.call('HSET', nk, tostring(id % NM), uri)
redis.call('EXPIRE', nk, ttl)
local home = buckets[1]
do
  for a = 1, na do
    local key = p .. ':a:' .. home .. ':' .. anchors[a][1]
    local v = redis.call('HGET', key, anchors[a][2])
    local nv = tostring(id)
    if v then
      local n = 1
      for old in string.gmatch(v, '%d+') do
        if n >= ${POSTING_IDS} then break end
        nv = nv .. ',' .. old
        n = n + 1
      end
    end
    redis.call('HSET', key, anchors[a][2], nv)
    redis.call('EXPIRE', key, ttl)
  end
end
local list = {}
local rest = string.match(cur, '^[^|]*|[^|]*|(.*)$') or cur
for pair in string.gmatch(rest, '[^,]+') do list[#list + 1] = pair end
list[#list + 1] = version .. ':' .. id
while #list > ${REGISTER_ENTRIES} do table.remove(list, 1) end
if curBucket and curBucket ~= home then
  redis.call('HDEL', p .. ':u:' .. curBucket .. ':' .. regShard, uriField)
end
local rk = p .. ':u:' .. home .. ':' .. regShard
-- The common case (not killed, latest = this version) is stored as the bare list.
local value = table.concat(list, ',')
if killed ~= '0' or latest ~= version then value = latest .. '|' .. killed .. '|' .. value end
redis.call('HSET', rk, uriField, value)
redis.call('EXPIRE', rk, ttl)
return { 1, id }
`;

export interface RedisDedupeStoreOptions {
  /** An ioredis client (the store does not close it). */
  redis: Redis;
  /** Key prefix, e.g. `wire:dedupe`; unique per test. */
  prefix: string;
  /** Days a story stays findable (default 30). */
  windowDays?: number;
  /** Expected stories per day, to size the key shards (default 40,000). */
  expectedStoriesPerDay?: number;
}

type DedupeRedis = Redis & {
  wireDedupeLookupBuffer(...args: Array<string | number | Buffer>): Promise<unknown>;
  wireDedupeCommitBuffer(...args: Array<string | number | Buffer>): Promise<unknown>;
};

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class RedisDedupeStore implements DedupeStore {
  readonly windowDays: number;
  readonly prefix: string;
  private readonly bucketDays: number;
  private readonly redis: DedupeRedis;
  private readonly postingShardBits: number;
  private readonly registerShards: number;
  private readonly ttlSeconds: number;

  constructor(opts: RedisDedupeStoreOptions) {
    this.windowDays = opts.windowDays ?? 30;
    this.prefix = opts.prefix;
    this.bucketDays = bucketDaysFor(this.windowDays);
    const perBucket = (opts.expectedStoriesPerDay ?? 40_000) * this.bucketDays;
    // About 80 fields per small hash: well inside the listpack limit (128 by default).
    // 60–120 fields per small hash: inside the listpack limit (128 by default), few keys.
    this.postingShardBits = Math.log2(pow2AtLeast(Math.max(1, (perBucket * ANCHORS) / 120)));
    this.registerShards = pow2AtLeast(Math.max(1, perBucket / 120));
    this.ttlSeconds = (this.windowDays + this.bucketDays + 1) * 86_400;
    const redis = opts.redis as DedupeRedis;
    if (typeof redis.wireDedupeLookupBuffer !== 'function') {
      redis.defineCommand('wireDedupeLookup', { numberOfKeys: 0, lua: LUA_LOOKUP });
      redis.defineCommand('wireDedupeCommit', { numberOfKeys: 0, lua: LUA_COMMIT });
    }
    this.redis = redis;
  }

  private common(uri: string, day: number, anchors: readonly number[]): Array<string | number> {
    const h = hashString(uri);
    const h2 = hashString(uri, 0x9747b28c);
    // 48 bits of uri hash beside the shard bits: unique enough among a window's uris.
    const uriField = h.toString(16).padStart(8, '0') + (h2 & 0xffff).toString(16).padStart(4, '0');
    const regShard = h & (this.registerShards - 1);
    const buckets = bucketsFor(day, this.windowDays, this.bucketDays);
    const mask = (1 << this.postingShardBits) - 1;
    const args: Array<string | number> = [this.prefix, regShard, uriField, buckets.length, ...buckets, anchors.length];
    // 16 bits beyond the shard select the field: with ~80 fields per hash, a false hit is rare
    // and harmless (candidates are compared anyway).
    for (const a of anchors) args.push(a & mask, Math.floor(a / 2 ** this.postingShardBits) & 0xffff);
    return args;
  }

  async lookup(requests: LookupRequest[]): Promise<LookupResult[]> {
    const pipe = this.redis.pipeline() as unknown as DedupeRedis & { exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const r of requests) void pipe.wireDedupeLookupBuffer(...this.common(r.uri, r.day, r.anchors));
    const res = await pipe.exec();
    return requests.map((r, i) => {
      const [e, raw] = res?.[i] ?? [new Error('no reply'), null];
      if (e) throw dedupeError('WIRE_ERR_DEDUPE_STORE', `lookup of ${r.uri} failed: ${e.message}`, { prefix: this.prefix }, e);
      return this.parseLookup(raw as Array<number | Buffer>, r.day);
    });
  }

  private parseLookup(raw: Array<number | Buffer>, day: number): LookupResult {
    const snapshot = Number(raw[0]);
    const register = parseRegister(String(raw[1] ?? ''));
    const candidateIds = String(raw[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map(Number);
    const stories = new Map<number, StoredStory>();
    for (let k = 3; k + 2 < raw.length; k += 3) {
      const id = Number(raw[k]);
      const blob = raw[k + 1] as Buffer;
      const stored = String(raw[k + 2]);
      const uri = stored.startsWith('~') ? URI_PREFIX + stored.slice(1) : stored.slice(1);
      const record = decodeRecord(blob);
      if (record) stories.set(id, { id, uri, record });
    }
    const candidates = candidateIds.filter((id) => {
      const s = stories.get(id);
      return s !== undefined && s.record.day >= day - this.windowDays;
    });
    return { snapshot, register, candidates, stories };
  }

  async commit(requests: CommitRequest[]): Promise<CommitResult[]> {
    const pipe = this.redis.pipeline() as unknown as DedupeRedis & { exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const c of requests) {
      void pipe.wireDedupeCommitBuffer(
        ...this.common(c.uri, c.day, c.anchors),
        c.snapshot,
        c.expectedRegister ?? '',
        c.latest,
        c.killed ? 1 : 0,
        c.record.version,
        encodeRecord(c.record),
        c.uri.startsWith(URI_PREFIX) ? `~${c.uri.slice(URI_PREFIX.length)}` : `=${c.uri}`,
        this.ttlSeconds,
        c.claim ? '1' : '0',
      );
    }
    const res = await pipe.exec();
    return requests.map((c, i) => {
      const [e, raw] = res?.[i] ?? [new Error('no reply'), null];
      if (e) throw dedupeError('WIRE_ERR_DEDUPE_STORE', `commit of ${c.uri} failed: ${e.message}`, { prefix: this.prefix }, e);
      const [okFlag, id] = raw as [number, number];
      return okFlag === 1 ? { ok: true, id: Number(id) } : { ok: false, conflict: true };
    });
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
