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
 * - `P:a:{bucket}:{shard}` — small hash, field = 13 bits of the mixed anchor → newest record ids.
 * - `P:u:{bucket}:{shard}` — small hash, field = 40 more bits of uri hash → version register.
 * - `P:w` — the window's presence filter: a pre-sized bit string with, for each of 4 bucket
 *   slots, one bit per (posting shard, field) and per (register shard, field) written in the
 *   bucket (false positives only cost a read; no false negatives: the bit is set by the script
 *   that writes the field). The 4 slots' bits of an entry sit side by side in a 4-bit cell, so a
 *   lookup reads every bucket's bits with one BITFIELD and reads a hash only where a bit is set.
 *   Layout and slot reuse: see LUA_COMMON.
 * Small hashes stay in Redis's compact listpack encoding (shard counts keep them near 90 fields,
 * under the default limit of 128). A bucket's posting and register keys all expire
 * `windowDays + bucketDays + 1` days after the bucket's first write (the expiry is set once per
 * key, from the filter's slot header); the filter that long after the newest bucket's first
 * write; records and uris expire that long after their chunk's last write. Lookups read only the
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
/** Filter cells per entry and bucket (1 − e^(−1/8) ≈ 12% false positives at the expected load). */
const FILTER_BITS_PER_ENTRY = 8;
/** Window filter: bucket slots (a lookup reads at most 4 buckets), header bits, cell offsets. */
const SLOTS = 4;
const FILTER_HEADER_BITS = 192;
const cellOffset = (cell: number): number => FILTER_HEADER_BITS + SLOTS * cell;

/**
 * Arguments of both scripts: the prefix; one string of space-separated numbers — buckets (count,
 * then newest first), the register's shard and filter offsets (cell, home slot's bit in it,
 * reserved cell, home slot's bit in it), the time (Unix seconds), then anchor lists (see
 * anchorList) and each script's own numbers; the register field; then each script's binary
 * arguments. Filter offsets are computed by the caller.
 *
 * The window filter `P:w` (one bit string for the whole window, so a lookup reads every bucket's
 * bits with one BITFIELD): a 192-bit header — the bucket owning each of the 4 slots (u16 each),
 * then each slot's expiry (u32 Unix seconds each) — then 4-bit cells, one bit per slot (bucket %
 * 4). Cells: one per posting shard and one per register shard (reserved: the key already has its
 * bucket's expiry), then the hashed cells of (shard, field). When a bucket takes over a slot
 * from an older one, that slot's bit is cleared in every cell (one BITOP, once per bucket).
 * A bucket whose slot a newer bucket owns (only late writes can need it) is read unfiltered.
 */
const LUA_COMMON = `
-- ARGV: prefix, the numbers (one space-separated string: one argument instead of ~90), the
-- register field, then binary arguments. Numbers stay strings (Lua's number formatting is slow).
local p = ARGV[1]
local nx = string.gmatch(ARGV[2], '%S+')
local regField = ARGV[3]
local nb = tonumber(nx())
local buckets = {}
for b = 1, nb do buckets[b] = nx() end
local regShard, regOff, regBit, regRes, regResBit = nx(), nx(), nx(), nx(), nx()
local now = tonumber(nx())
-- Anchors: shard, field, cell offset; for a write also the home slot's bit in that cell, the
-- reserved cell of the shard and the home slot's bit in it.
local function anchorList(write)
  local n = tonumber(nx())
  local t = {}
  if write then
    for a = 1, n do t[a] = { nx(), nx(), nx(), nx(), nx(), nx() } end
  else
    for a = 1, n do t[a] = { nx(), nx(), nx() } end
  end
  return t
end
local RB = ${RECORD_BYTES}
local CH = ${CHUNK}
local NM = ${NAMES}
local wk = p .. ':w'
local numOf = {}
for b = 1, nb do numOf[buckets[b]] = tonumber(buckets[b]) end
local function num(bucket) return numOf[bucket] or tonumber(bucket) end
local function slotOf(bucket) return num(bucket) % 4 end
local function b16Of(bucket) return num(bucket) % 65536 end
local MASK = { [0] = 8, 4, 2, 1 }
local EXPOFF = { [0] = '64', '96', '128', '160' }
local function bit(v, j) return math.floor(v / MASK[j]) % 2 end
local function g(args, ty, off) args[#args + 1] = 'GET'; args[#args + 1] = ty; args[#args + 1] = off end
-- Reads the slot owners, the register cell and, for a write, the home slot's expiry and the
-- cells of the anchors it indexes; extra cells (a lookup's anchors) come after.
local function readFilter(idx, home, extra)
  local args = {}
  g(args, 'u32', 0); g(args, 'u32', 32); g(args, 'u4', regOff)
  if idx then
    g(args, 'u32', EXPOFF[slotOf(home)]); g(args, 'u4', regRes)
    for a = 1, #idx do g(args, 'u4', idx[a][3]); g(args, 'u4', idx[a][5]) end
  end
  local at = #args / 3 + 1
  if extra then for a = 1, #extra do g(args, 'u4', extra[a][3]) end end
  local v = redis.call('BITFIELD', wk, unpack(args))
  local f = { own = { [0] = math.floor(v[1] / 65536), v[1] % 65536, math.floor(v[2] / 65536), v[2] % 65536 }, reg = v[3], extra = {}, a = {}, res = {} }
  if idx then
    f.exp = v[4]; f.regRes = v[5]
    for a = 1, #idx do f.a[a] = v[4 + 2 * a]; f.res[a] = v[5 + 2 * a] end
  end
  if extra then for a = 1, #extra do f.extra[a] = v[at + a - 1] end end
  return f
end
-- 'yes': bucket owns its slot (bits are exact), 'no': never written, 'unknown': read unfiltered.
local function state(f, bucket)
  local o = f.own[slotOf(bucket)]
  local b = b16Of(bucket)
  if o == b then return 'yes' elseif o > b then return 'unknown' else return 'no' end
end
-- Writes a story into the home bucket; f: the filter as read by this script.
local function writeStory(home, f, idx, cur, curBucket, version, latest, killed, blob, uri, ttl, wb)
  local j = slotOf(home)
  local st = state(f, home)
  -- A slot past its expiry (a late write after a quiet spell) starts over, with a new expiry.
  if st == 'yes' and f.exp <= now then st = 'no' end
  local sets = {}
  local function set(off, ty, v) sets[#sets + 1] = 'SET'; sets[#sets + 1] = ty or 'u1'; sets[#sets + 1] = off; sets[#sets + 1] = v or 1 end
  local fresh = false
  local expAt = f.exp
  if st == 'no' then
    -- This bucket takes the slot: clear the slot's bit in every cell, once.
    fresh = true
    expAt = now + tonumber(ttl)
    if redis.call('EXISTS', wk) == 0 then
      redis.call('SETRANGE', wk, wb - 1, '\\0')
    else
      local mk = wk .. ':mask'
      redis.call('SET', mk, string.rep('\\255', 24) .. string.rep(string.char(255 - 2 ^ (7 - j) - 2 ^ (3 - j)), wb - 24))
      redis.call('BITOP', 'AND', wk, wk, mk)
      redis.call('DEL', mk)
    end
    redis.call('EXPIRE', wk, ttl)
    set(16 * j, 'u16', b16Of(home))
    set(64 + 32 * j, 'u32', expAt)
  end
  local filtered = st ~= 'unknown'
  local function isSet(v) return (not filtered) or ((not fresh) and bit(v, j) == 1) end
  local function expireKey(key, resBit, resCell)
    if not filtered then
      redis.call('EXPIRE', key, ttl)
    elseif fresh or bit(resCell, j) == 0 then
      redis.call('EXPIREAT', key, expAt)
      set(resBit)
      return true
    end
    return false
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
  local done = {}
  for a = 1, #idx do
    local key = p .. ':a:' .. home .. ':' .. idx[a][1]
    local nv = sid
    if isSet(f.a[a]) then
      local v = redis.call('HGET', key, idx[a][2])
      if v then
        local n = 1
        for old in string.gmatch(v, '%d+') do
          if n >= ${POSTING_IDS} then break end
          if old ~= sid then nv = nv .. ',' .. old; n = n + 1 end
        end
      end
    elseif filtered then
      set(idx[a][4])
    end
    redis.call('HSET', key, idx[a][2], nv)
    if not done[idx[a][5]] then
      done[idx[a][5]] = true
      expireKey(key, idx[a][6], f.res[a])
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
    if state(f, curBucket) == 'yes' then set(tonumber(regRes) + slotOf(curBucket), 'u1', 0) end
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
  expireKey(rk, regResBit, f.regRes)
  if filtered and (fresh or bit(f.reg, j) == 0) then set(regBit) end
  if #sets > 0 then redis.call('BITFIELD', wk, unpack(sets)) end
  return id
end
`;

const LUA_LOOKUP = `${LUA_COMMON}
local q = anchorList(false)
local idx, version, blob, uri, ttl, wb
local fuse = nx() == '1'
if fuse then
  idx = anchorList(true)
  version, ttl, wb = nx(), nx(), tonumber(nx())
  blob, uri = ARGV[4], ARGV[5]
end
local seq = tonumber(redis.call('GET', p .. ':seq') or '0')
local f = readFilter(idx, buckets[1], q)
local reg = ''
local cands = {}
local seen = {}
for b = 1, nb do
  local st = state(f, buckets[b])
  if st ~= 'no' then
    local j = slotOf(buckets[b])
    local all = st == 'unknown'
    if reg == '' and (all or bit(f.reg, j) == 1) then
      reg = redis.call('HGET', p .. ':u:' .. buckets[b] .. ':' .. regShard, regField) or ''
    end
    for a = 1, #q do
      if all or bit(f.extra[a], j) == 1 then
        local v = redis.call('HGET', p .. ':a:' .. buckets[b] .. ':' .. q[a][1], q[a][2])
        if v then
          for id in string.gmatch(v, '%d+') do
            if not seen[id] then seen[id] = true; cands[#cands + 1] = id end
          end
        end
      end
    end
  end
end
if fuse and reg == '' and #cands == 0 then
  local id = writeStory(buckets[1], f, idx, '', nil, version, version, '0', blob, uri, ttl, wb)
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
local idx = anchorList(true)
local snapshot = tonumber(nx())
local latest = nx()
local killed = nx()
local version = nx()
local ttl = nx()
local claim = nx() == '1'
local wb = tonumber(nx())
local known = {}
for k = 1, tonumber(nx()) do known[tonumber(nx())] = true end
local expected = ARGV[4]
local blob = ARGV[5]
local uri = ARGV[6]
local home = buckets[1]
local f = readFilter(idx, home, nil)
local cur, curBucket = '', nil
for b = 1, nb do
  local st = state(f, buckets[b])
  if st == 'unknown' or (st == 'yes' and bit(f.reg, slotOf(buckets[b])) == 1) then
    local v = redis.call('HGET', p .. ':u:' .. buckets[b] .. ':' .. regShard, regField)
    if v then cur = v; curBucket = buckets[b]; break end
  end
end
if cur ~= expected then return { 0, 0 } end
-- The claim: a story written since the snapshot under one of these anchors (in the home bucket,
-- where every write of the same day lands) means this decision may be out of date, unless it is
-- one the decision knew of (an earlier story of the same batch).
local hst = state(f, home)
if claim and hst ~= 'no' then
  local j = slotOf(home)
  for a = 1, #idx do
    if hst == 'unknown' or bit(f.a[a], j) == 1 then
      local v = redis.call('HGET', p .. ':a:' .. home .. ':' .. idx[a][1], idx[a][2])
      if v then
        -- Newest first: stop at the first id the snapshot already saw.
        for id in string.gmatch(v, '%d+') do
          local n = tonumber(id)
          if n <= snapshot then break end
          if not known[n] then return { 0, 0 } end
        end
      end
    end
  end
end
return { 1, writeStory(home, f, idx, cur, curBucket, version, latest, killed, blob, uri, ttl, wb) }
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
  /** Window filter: size in bytes, first hashed cell (after the reserved ones), hashed cells. */
  private readonly filterBytes: number;
  private readonly filterBase: number;
  private readonly filterCells: number;

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
    this.filterBase = this.postingShards + this.registerShards;
    const cells = this.filterBase + perBucket * (ANCHORS + 1) * FILTER_BITS_PER_ENTRY;
    this.filterBytes = stringBytesFilling(Math.ceil((FILTER_HEADER_BITS + SLOTS * cells) / 8));
    this.filterCells = Math.floor((this.filterBytes * 8 - FILTER_HEADER_BITS) / SLOTS) - this.filterBase;
    const redis = opts.redis as DedupeRedis;
    if (typeof redis.wireDedupeLookupBuffer !== 'function') {
      redis.defineCommand('wireDedupeLookup', { numberOfKeys: 0, lua: LUA_LOOKUP });
      redis.defineCommand('wireDedupeCommit', { numberOfKeys: 0, lua: LUA_COMMIT });
    }
    this.redis = redis;
  }

  /**
   * Prefix, buckets and the register's shard, field and filter offsets (cell, home bit, reserved
   * cell, home bit in it). Offsets are computed here: Lua's number formatting is slow.
   */
  private common(uri: string, day: number): { nums: number[]; regField: Buffer; slot: number } {
    const h = hashString(uri);
    const h2 = hashString(uri, 0x9747b28c);
    const regShard = h % this.registerShards;
    // The field: 40 more bits of uri hash as 5 raw bytes (7 bytes in a listpack; an integer
    // would take 10). With the shard, ~52 bits: unique enough among a window's uris.
    const regField = Buffer.from([h2 >>> 24, (h2 >>> 16) & 255, (h2 >>> 8) & 255, h2 & 255, h >>> 24]);
    const buckets = bucketsFor(day, this.windowDays, this.bucketDays);
    const slot = buckets[0]! % SLOTS;
    const cell = cellOffset(this.filterBase + (combine(h, h2) % this.filterCells));
    const res = cellOffset(this.postingShards + regShard);
    const now = Math.floor(Date.now() / 1000);
    return { nums: [buckets.length, ...buckets, regShard, cell, cell + slot, res, res + slot, now], regField, slot };
  }

  /**
   * Appends anchors as (shard, field, filter cell offset) and, for a write, (home bit, reserved
   * cell, home bit in it). The anchor is mixed first (the smallest shingle hashes are not
   * uniform); 13 bits beyond the shard select the field: with ~90 fields per hash a false hit is
   * rare and harmless (candidates are compared anyway).
   */
  private pushAnchors(args: number[], anchors: readonly number[], writeSlot: number | null): void {
    args.push(anchors.length);
    for (const a of anchors) {
      const m = fmix32(a ^ 0x5bd1e995);
      const shard = m % this.postingShards;
      // 13 bits, centred on zero: a listpack keeps an integer in -4096..4095 in 2 bytes (a 16-bit
      // field would take 3 or 4). ~90 fields in 8,192: 1% of writes share a field (a false candidate).
      const field = (Math.floor(m / this.postingShards) & 0x1fff) - 4096;
      const cell = cellOffset(this.filterBase + (combine(shard, field) % this.filterCells));
      args.push(shard, field, cell);
      if (writeSlot !== null) args.push(cell + writeSlot, cellOffset(shard), cellOffset(shard) + writeSlot);
    }
  }

  /** Uris are stored without `urn:wire:`; any other uri behind a NUL (no uri starts with one). */
  private static storedUri(uri: string): string {
    return uri.startsWith(URI_PREFIX) ? uri.slice(URI_PREFIX.length) : `\0${uri}`;
  }

  /**
   * One script call per request, pipelined; a single request goes as a plain call (a one-story
   * decide need not build an ioredis pipeline, ~7 KB of garbage). Replies as `exec` gives them.
   */
  private async send(requests: number, queue: (target: DedupeRedis, i: number) => Promise<unknown>): Promise<Array<[Error | null, unknown]>> {
    if (requests === 1) {
      try {
        return [[null, await queue(this.redis, 0)]];
      } catch (e) {
        return [[e as Error, null]];
      }
    }
    const pipe = this.redis.pipeline() as unknown as DedupeRedis & { exec(): Promise<Array<[Error | null, unknown]> | null> };
    for (let i = 0; i < requests; i++) void queue(pipe, i);
    return (await pipe.exec()) ?? [];
  }

  async lookup(requests: LookupRequest[]): Promise<LookupResult[]> {
    const res = await this.send(requests.length, (target, i) => {
      const r = requests[i]!;
      const { nums, regField, slot } = this.common(r.uri, r.day);
      this.pushAnchors(nums, r.anchors, null);
      if (r.insert) {
        nums.push(1);
        this.pushAnchors(nums, r.insert.anchors, slot);
        nums.push(r.insert.record.version, this.ttlSeconds, this.filterBytes);
        return target.wireDedupeLookupBuffer(this.prefix, nums.join(' '), regField, encodeRecord(r.insert.record), RedisDedupeStore.storedUri(r.uri));
      }
      nums.push(0);
      return target.wireDedupeLookupBuffer(this.prefix, nums.join(' '), regField);
    });
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
      const uri = stored.startsWith('\0') ? stored.slice(1) : URI_PREFIX + stored;
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
    const res = await this.send(requests.length, (target, i) => {
      const c = requests[i]!;
      const { nums, regField, slot } = this.common(c.uri, c.day);
      this.pushAnchors(nums, c.anchors, slot);
      nums.push(c.snapshot, c.latest, c.killed ? 1 : 0, c.record.version, this.ttlSeconds, c.claim ? 1 : 0, this.filterBytes);
      nums.push(c.known?.length ?? 0, ...(c.known ?? []));
      return target.wireDedupeCommitBuffer(this.prefix, nums.join(' '), regField, c.expectedRegister ?? '', encodeRecord(c.record), RedisDedupeStore.storedUri(c.uri));
    });
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
