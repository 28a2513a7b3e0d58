/**
 * `DedupeStore` on Redis. Two Lua scripts, one round trip each (pipelined across a batch):
 * `lookup` reads the uri register and the anchor postings of the window's buckets and returns the
 * records they lead to — and when it finds nothing at all and the request carries an `insert`,
 * writes that `new` story in the same script (atomic, so that is also the claim); `commit`
 * re-checks that nothing relevant was written since the lookup's snapshot (the claim), then
 * allocates a record id and writes record, postings and register.
 *
 * Memory layout (prefix `P`), chosen to stay near 250 bytes per story at a million stories:
 * - `P:seq` — last record id.
 * - `P:r:{id / CHUNK}` — a 256 KiB string holding fixed-size records side by side (record.ts),
 *   pre-allocated once so Redis does not over-allocate as it fills.
 * - `P:n:{id / 128}` — small hash, field `id % 128` → story uri (without `urn:wire:`).
 * - `P:a:{bucket}:{shard}` — small hash, field = 16 bits of the mixed anchor → newest record ids.
 * - `P:u:{bucket}:{shard}` — small hash, field = 48-bit uri hash (an integer) → version register.
 * - `P:f:{bucket}` — the bucket's presence filter: a pre-sized bit string with one bit per
 *   (posting shard, field) and per (register shard, field) written in the bucket (false positives
 *   only cost a read; no false negatives: the bit is set by the script that writes the field), so
 *   a lookup reads a bucket's bits with one BITFIELD and reads a hash only where a bit is set.
 *   Its first bits are reserved: bit 0 says the filter exists, then one bit per posting and
 *   register shard says that key already has the bucket's expiry.
 * Small hashes stay in Redis's compact listpack encoding (shard counts keep them near 90 fields,
 * under the default limit of 128). A bucket's keys all expire when its filter does,
 * `windowDays + bucketDays + 1` days after the bucket's first write (the expiry is set once per
 * key); records and uris expire that long after their chunk's last write. Lookups read only the
 * buckets of the window. Keys are built inside the scripts, so this store wants a single Redis
 * (or one Cluster slot per prefix), not a Cluster spread. Every writer of a prefix must use the
 * same `windowDays` and `expectedStoriesPerDay` (they fix shard counts and filter size).
 */
import type { Redis } from 'ioredis';
import { dedupeError } from './errors';
import { ANCHORS } from './fingerprint';
import { combine, fmix32, hashString } from './hash';
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
/** Mean fields per small hash at the expected load (listpack limit: 128). */
const FIELDS_PER_HASH = 90;
/** Presence filter bits per entry (1 − e^(−1/8) ≈ 12% false positives at the expected load). */
const FILTER_BITS_PER_ENTRY = 8;

/**
 * Arguments common to both scripts: prefix, buckets (newest first), register shard, field,
 * filter bit and reserved bit, then a list of anchors as (shard, field, filter bit, reserved bit).
 */
const LUA_COMMON = `
local p = ARGV[1]
local nb = tonumber(ARGV[2])
local i = 3
local buckets = {}
for b = 1, nb do buckets[b] = ARGV[i]; i = i + 1 end
local regShard, regField, regPos, regRes = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
i = i + 4
local function anchorList()
  local n = tonumber(ARGV[i]); i = i + 1
  local t = {}
  for a = 1, n do t[a] = { ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3] }; i = i + 4 end
  return t
end
local RB = ${RECORD_BYTES}
local CH = ${CHUNK}
local NM = ${NAMES}
-- Home-bucket filter bits a write needs, appended to a BITFIELD argument list; read back by homeBits.
local function homeArgs(args, idx)
  local function g(pos) args[#args + 1] = 'GET'; args[#args + 1] = 'u1'; args[#args + 1] = pos end
  g(0); g(regPos); g(regRes)
  for a = 1, #idx do g(idx[a][3]); g(idx[a][4]) end
end
local function homeBits(bits, at, idx)
  local hb = { init = bits[at], reg = bits[at + 1], regRes = bits[at + 2], a = {}, res = {} }
  for a = 1, #idx do hb.a[a] = bits[at + 1 + 2 * a]; hb.res[a] = bits[at + 2 + 2 * a] end
  return hb
end
-- Writes a story into the home bucket; hb: the home filter's bits read in this script.
local function writeStory(home, hb, idx, cur, curBucket, version, latest, killed, blob, uri, ttl, fb)
  local fk = p .. ':f:' .. home
  local sets = {}
  local function set(pos, v) sets[#sets + 1] = 'SET'; sets[#sets + 1] = 'u1'; sets[#sets + 1] = pos; sets[#sets + 1] = v or 1 end
  if hb.init == 0 then
    redis.call('SETRANGE', fk, fb - 1, '\\0')
    redis.call('EXPIRE', fk, ttl)
    set(0)
  end
  local expAt
  local function expireWithBucket(key)
    if not expAt then expAt = redis.call('PEXPIRETIME', fk) end
    if expAt > 0 then redis.call('PEXPIREAT', key, expAt) else redis.call('EXPIRE', key, ttl) end
  end
  local id = redis.call('INCR', p .. ':seq')
  local ck = p .. ':r:' .. math.floor(id / CH)
  if id % CH == 0 or id == 1 then redis.call('SETRANGE', ck, CH * RB - 1, '\\0') end
  redis.call('SETRANGE', ck, (id % CH) * RB, blob)
  redis.call('EXPIRE', ck, ttl)
  local nk = p .. ':n:' .. math.floor(id / NM)
  redis.call('HSET', nk, tostring(id % NM), uri)
  redis.call('EXPIRE', nk, ttl)
  local sid = tostring(id)
  for a = 1, #idx do
    local key = p .. ':a:' .. home .. ':' .. idx[a][1]
    local nv = sid
    if hb.a[a] == 1 then
      local v = redis.call('HGET', key, idx[a][2])
      if v then
        local n = 1
        for old in string.gmatch(v, '%d+') do
          if n >= ${POSTING_IDS} then break end
          if old ~= sid then nv = nv .. ',' .. old; n = n + 1 end
        end
      end
    else
      set(idx[a][3])
    end
    redis.call('HSET', key, idx[a][2], nv)
    if hb.res[a] == 0 then
      expireWithBucket(key)
      set(idx[a][4])
      for b = a + 1, #idx do if idx[b][4] == idx[a][4] then hb.res[b] = 1 end end
    end
  end
  local list = {}
  if string.find(cur, '^%d+$') then
    list[1] = '1:' .. cur
  else
    local rest = string.match(cur, '^[^|]*|[^|]*|(.*)$') or cur
    for pair in string.gmatch(rest, '[^,]+') do list[#list + 1] = pair end
  end
  list[#list + 1] = version .. ':' .. id
  while #list > ${REGISTER_ENTRIES} do table.remove(list, 1) end
  if curBucket and curBucket ~= home then
    redis.call('HDEL', p .. ':u:' .. curBucket .. ':' .. regShard, regField)
    -- The key may now be gone: let a later write there set its expiry again.
    local ofk = p .. ':f:' .. curBucket
    if redis.call('EXISTS', ofk) == 1 then redis.call('BITFIELD', ofk, 'SET', 'u1', regRes, 0) end
  end
  local rk = p .. ':u:' .. home .. ':' .. regShard
  -- Common cases kept short: a bare id (one entry, version 1), or the bare list.
  local value
  if killed == '0' and latest == version and version == '1' and #list == 1 then
    value = sid
  else
    value = table.concat(list, ',')
    if killed ~= '0' or latest ~= version then value = latest .. '|' .. killed .. '|' .. value end
  end
  redis.call('HSET', rk, regField, value)
  if hb.regRes == 0 then expireWithBucket(rk); set(regRes) end
  if hb.reg == 0 then set(regPos) end
  if #sets > 0 then redis.call('BITFIELD', fk, unpack(sets)) end
  return id
end
`;

const LUA_LOOKUP = `${LUA_COMMON}
local q = anchorList()
local idx, version, blob, uri, ttl, fb
local fuse = ARGV[i] == '1'
i = i + 1
if fuse then
  idx = anchorList()
  version, blob, uri, ttl, fb = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
end
local seq = tonumber(redis.call('GET', p .. ':seq') or '0')
local reg = ''
local cands = {}
local seen = {}
local hb
for b = 1, nb do
  local args = { 'GET', 'u1', regPos }
  for a = 1, #q do args[#args + 1] = 'GET'; args[#args + 1] = 'u1'; args[#args + 1] = q[a][3] end
  if b == 1 and fuse then homeArgs(args, idx) end
  local bits = redis.call('BITFIELD', p .. ':f:' .. buckets[b], unpack(args))
  if b == 1 and fuse then hb = homeBits(bits, #q + 2, idx) end
  if reg == '' and bits[1] == 1 then
    reg = redis.call('HGET', p .. ':u:' .. buckets[b] .. ':' .. regShard, regField) or ''
  end
  for a = 1, #q do
    if bits[a + 1] == 1 then
      local v = redis.call('HGET', p .. ':a:' .. buckets[b] .. ':' .. q[a][1], q[a][2])
      if v then
        for id in string.gmatch(v, '%d+') do
          if not seen[id] then seen[id] = true; cands[#cands + 1] = id end
        end
      end
    end
  end
end
if fuse and reg == '' and #cands == 0 then
  local id = writeStory(buckets[1], hb, idx, '', nil, version, version, '0', blob, uri, ttl, fb)
  return { seq, '', '', id }
end
local out = { seq, reg, table.concat(cands, ','), 0 }
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
  local rec = redis.call('GETRANGE', p .. ':r:' .. math.floor(id / CH), off, off + RB - 1)
  if #rec < RB then return end
  local name = redis.call('HGET', p .. ':n:' .. math.floor(id / NM), tostring(id % NM))
  if not name then return end
  out[#out + 1] = id
  out[#out + 1] = rec
  out[#out + 1] = name
  blobs[#blobs + 1] = rec
end
if string.find(reg, '^%d+$') then
  fetch(tonumber(reg))
else
  for id in string.gmatch(reg, ':(%d+)') do fetch(tonumber(id)) end
end
for k = 1, #cands do fetch(tonumber(cands[k])) end
local direct = #blobs
for k = 1, direct do
  fetch(u32(blobs[k], 13))
  fetch(u32(blobs[k], 17))
end
return out
`;

const LUA_COMMIT = `${LUA_COMMON}
local idx = anchorList()
local snapshot = tonumber(ARGV[i])
local expected = ARGV[i + 1]
local latest = ARGV[i + 2]
local killed = ARGV[i + 3]
local version = ARGV[i + 4]
local blob = ARGV[i + 5]
local uri = ARGV[i + 6]
local ttl = tonumber(ARGV[i + 7])
local claim = ARGV[i + 8] == '1'
local fb = tonumber(ARGV[i + 9])
local home = buckets[1]
local args = {}
homeArgs(args, idx)
local hb = homeBits(redis.call('BITFIELD', p .. ':f:' .. home, unpack(args)), 1, idx)
local cur, curBucket = '', nil
if hb.reg == 1 then
  local v = redis.call('HGET', p .. ':u:' .. home .. ':' .. regShard, regField)
  if v then cur = v; curBucket = home end
end
if not curBucket then
  for b = 2, nb do
    local v = redis.call('HGET', p .. ':u:' .. buckets[b] .. ':' .. regShard, regField)
    if v then cur = v; curBucket = buckets[b]; break end
  end
end
if cur ~= expected then return { 0, 0 } end
-- The claim: a story written since the snapshot under one of these anchors (in the home bucket,
-- where every write of the same day lands) means this decision may be out of date.
if claim then
  for a = 1, #idx do
    if hb.a[a] == 1 then
      local v = redis.call('HGET', p .. ':a:' .. home .. ':' .. idx[a][1], idx[a][2])
      if v then
        local newest = tonumber(string.match(v, '^(%d+)'))
        if newest and newest > snapshot then return { 0, 0 } end
      end
    end
  end
end
return { 1, writeStory(home, hb, idx, cur, curBucket, version, latest, killed, blob, uri, ttl, fb) }
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

/**
 * Bytes of a string Redis allocates as exactly one jemalloc size class (four classes per
 * doubling), so the filter uses every byte it pays for.
 */
function stringBytesFilling(minBytes: number): number {
  const header = minBytes < 2 ** 16 ? 6 : 10; // sds header + NUL
  const n = minBytes + header;
  const step = 2 ** Math.max(4, Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / step) * step - header;
}

export class RedisDedupeStore implements DedupeStore {
  readonly windowDays: number;
  readonly prefix: string;
  private readonly bucketDays: number;
  private readonly redis: DedupeRedis;
  private readonly postingShards: number;
  private readonly registerShards: number;
  private readonly ttlSeconds: number;
  /** Presence filter: size in bytes, first hashed bit (after the reserved ones), hashed bits. */
  private readonly filterBytes: number;
  private readonly filterBase: number;
  private readonly filterBits: number;

  constructor(opts: RedisDedupeStoreOptions) {
    this.windowDays = opts.windowDays ?? 30;
    this.prefix = opts.prefix;
    this.bucketDays = bucketDaysFor(this.windowDays);
    const perBucket = (opts.expectedStoriesPerDay ?? 40_000) * this.bucketDays;
    // ~90 fields per small hash at the expected load: inside the listpack limit (128) with room
    // for chance, and few keys (each key costs ~150 bytes beside its fields).
    this.postingShards = Math.max(1, Math.ceil((perBucket * ANCHORS) / FIELDS_PER_HASH));
    this.registerShards = Math.max(1, Math.ceil(perBucket / FIELDS_PER_HASH));
    this.ttlSeconds = (this.windowDays + this.bucketDays + 1) * 86_400;
    this.filterBase = 1 + this.postingShards + this.registerShards;
    const wanted = this.filterBase + perBucket * (ANCHORS + 1) * FILTER_BITS_PER_ENTRY;
    this.filterBytes = stringBytesFilling(Math.ceil(wanted / 8));
    this.filterBits = this.filterBytes * 8 - this.filterBase;
    const redis = opts.redis as DedupeRedis;
    if (typeof redis.wireDedupeLookupBuffer !== 'function') {
      redis.defineCommand('wireDedupeLookup', { numberOfKeys: 0, lua: LUA_LOOKUP });
      redis.defineCommand('wireDedupeCommit', { numberOfKeys: 0, lua: LUA_COMMIT });
    }
    this.redis = redis;
  }

  /** Prefix, buckets and the register's (shard, field, filter bit, reserved bit). */
  private common(uri: string, day: number): Array<string | number> {
    const h = hashString(uri);
    const h2 = hashString(uri, 0x9747b28c) & 0xffff;
    // 48 bits of uri hash as one integer field: unique enough among a window's uris.
    const regShard = h % this.registerShards;
    const buckets = bucketsFor(day, this.windowDays, this.bucketDays);
    return [
      this.prefix,
      buckets.length,
      ...buckets,
      regShard,
      h * 65_536 + h2,
      this.filterBase + (combine(h, h2) % this.filterBits),
      1 + this.postingShards + regShard,
    ];
  }

  /**
   * Appends anchors as (shard, field, filter bit, reserved bit). The anchor is mixed first (the
   * smallest shingle hashes are not uniform); 16 bits beyond the shard select the field: with ~90
   * fields per hash a false hit is rare and harmless (candidates are compared anyway).
   */
  private pushAnchors(args: Array<string | number | Buffer>, anchors: readonly number[]): void {
    args.push(anchors.length);
    for (const a of anchors) {
      const m = fmix32(a ^ 0x5bd1e995);
      const shard = m % this.postingShards;
      const field = Math.floor(m / this.postingShards) & 0xffff;
      args.push(shard, field, this.filterBase + (combine(shard, field) % this.filterBits), 1 + shard);
    }
  }

  private static storedUri(uri: string): string {
    return uri.startsWith(URI_PREFIX) ? `~${uri.slice(URI_PREFIX.length)}` : `=${uri}`;
  }

  async lookup(requests: LookupRequest[]): Promise<LookupResult[]> {
    const pipe = this.redis.pipeline() as unknown as DedupeRedis & { exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (const r of requests) {
      const args: Array<string | number | Buffer> = this.common(r.uri, r.day);
      this.pushAnchors(args, r.anchors);
      if (r.insert) {
        args.push('1');
        this.pushAnchors(args, r.insert.anchors);
        args.push(r.insert.record.version, encodeRecord(r.insert.record), RedisDedupeStore.storedUri(r.uri), this.ttlSeconds, this.filterBytes);
      } else {
        args.push('0');
      }
      void pipe.wireDedupeLookupBuffer(...args);
    }
    const res = await pipe.exec();
    return requests.map((r, i) => {
      const [e, raw] = res?.[i] ?? [new Error('no reply'), null];
      if (e) throw dedupeError('WIRE_ERR_DEDUPE_STORE', `lookup of ${r.uri} failed: ${e.message}`, { prefix: this.prefix }, e);
      return this.parseLookup(raw as Array<number | Buffer>, r.day);
    });
  }

  private parseLookup(raw: Array<number | Buffer>, day: number): LookupResult {
    const snapshot = Number(raw[0]);
    const inserted = Number(raw[3]);
    if (inserted > 0) return { snapshot, register: null, candidates: [], stories: new Map(), inserted };
    const register = parseRegister(String(raw[1] ?? ''));
    const candidateIds = String(raw[2] ?? '')
      .split(',')
      .filter(Boolean)
      .map(Number);
    const stories = new Map<number, StoredStory>();
    for (let k = 4; k + 2 < raw.length; k += 3) {
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
      const args: Array<string | number | Buffer> = this.common(c.uri, c.day);
      this.pushAnchors(args, c.anchors);
      args.push(
        c.snapshot,
        c.expectedRegister ?? '',
        c.latest,
        c.killed ? 1 : 0,
        c.record.version,
        encodeRecord(c.record),
        RedisDedupeStore.storedUri(c.uri),
        this.ttlSeconds,
        c.claim ? '1' : '0',
        this.filterBytes,
      );
      void pipe.wireDedupeCommitBuffer(...args);
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
