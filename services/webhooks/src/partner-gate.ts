/**
 * Per-partner admission in Redis, one script call per attempt, so any number of worker
 * processes share the limits:
 * - the delivered-version register per (partner, story[, language]): versions only move forward,
 *   and nothing follows a kill;
 * - a lock per (partner, story) so two versions of one story are never in flight to a partner at
 *   once (v1's retry cannot overtake v2 on the wire);
 * - a cap on in-flight requests per partner (slots expire, so a crashed worker frees them);
 * - a token bucket per partner (requests per second, with a burst).
 * Keys of one partner share a hash tag. The commit also writes the attempt's delivery log entry
 * in the same call, so the gate needs one Redis (as the deliver queue does), not a Cluster spread.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { storyHash, type WebhookEventType } from '@wire/queues';
import { partnerFailingKey } from '@wire/routing';
import { LOG_ENTRY_LUA, type LogEntryWrite } from '@wire/webhooks';

/** Order of event types within one version (a kill of v3 outranks the update of v3). */
export const EVENT_RANK: Record<WebhookEventType, number> = {
  'story.published': 0,
  'story.updated': 1,
  'story.corrected': 2,
  'story.killed': 3,
};

// KEYS 1-5: inflight, bucket, lock, base register, register (the base one for the original);
// ARGV 1-10: now, job id, cap, rate, burst, slot TTL ms, version, event rank, the slot's expiry
// (now + TTL), the in-flight set's TTL (2 × TTL) — computed here, so Lua formats no numbers.
const ADMIT = `
local now = tonumber(ARGV[1])
local jv = tonumber(ARGV[7]); local jt = tonumber(ARGV[8])
local killed, rv, rt
if KEYS[5] == KEYS[4] then
  local h = redis.call('HMGET', KEYS[4], 'killed', 'v', 't')
  killed = h[1]; rv = h[2]; rt = h[3]
else
  -- The kill of each language variant (a register of its own) still goes after the original's
  -- kill, and the register below drops repeats.
  if jt ~= 3 then killed = redis.call('HGET', KEYS[4], 'killed') end
  local reg = redis.call('HMGET', KEYS[5], 'v', 't')
  rv = reg[1]; rt = reg[2]
end
-- After a kill nothing more for the story.
if jt ~= 3 and killed == '1' then return {'killed', 0} end
if rv then
  local v = tonumber(rv); local t = tonumber(rt)
  if jv < v or (jv == v and jt < t) then return {'stale', v} end
  if jv == v and jt == t then return {'duplicate', v} end
end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[2] then return {'story-busy', redis.call('PTTL', KEYS[3])} end
local cap = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local full = redis.call('ZCARD', KEYS[1]) >= cap
-- Whether this job already holds a slot matters only at the cap and to the token bucket.
local mine = (full or rate > 0) and redis.call('ZSCORE', KEYS[1], ARGV[2])
if full and not mine then
  -- Slots of crashed workers expire: drop them before refusing.
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= cap then return {'busy', 0} end
end
if rate > 0 and not mine then
  local burst = tonumber(ARGV[5])
  local b = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
  local tokens = tonumber(b[1]) or burst
  local ts = tonumber(b[2]) or now
  if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
  if tokens < 1 then
    redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
    return {'rate', math.ceil((1 - tokens) * 1000 / rate)}
  end
  redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', tostring(math.max(now, ts)))
  redis.call('PEXPIRE', KEYS[2], 3600000)
end
redis.call('ZADD', KEYS[1], ARGV[9], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[6])
return {'ok', 0}
`;

// KEYS 1-5: inflight, lock, base register, register, failing; ARGV 1-5: job id, version, event
// rank, kill flag, register TTL s.
const COMMIT_BODY = `
local jv = tonumber(ARGV[2]); local jt = tonumber(ARGV[3])
local reg = redis.call('HMGET', KEYS[4], 'v', 't')
local v = tonumber(reg[1]) or -1; local t = tonumber(reg[2]) or -1
if jv > v or (jv == v and jt > t) then redis.call('HSET', KEYS[4], 'v', ARGV[2], 't', ARGV[3]) end
redis.call('EXPIRE', KEYS[4], ARGV[5])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[3], 'killed', '1')
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[5])
`;

const COMMIT = `${COMMIT_BODY}
return 1
`;

/** The commit and the delivery log entry in one call: KEYS 6-8 and ARGV 6-9 are the entry's (`LogEntryWrite`). */
const COMMIT_LOGGED = `${LOG_ENTRY_LUA}${COMMIT_BODY}
logEntry(5, 5)
return 1
`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** Continuous-failure clock: set on the first failure, cleared by any success. */
const FAILING = `
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return redis.call('GET', KEYS[1])
`;

export type Admission =
  | { kind: 'ok' }
  | { kind: 'killed' }
  | { kind: 'stale'; deliveredVersion: number }
  | { kind: 'duplicate'; deliveredVersion: number }
  /** Not now: retry after `retryMs` (another version in flight, partner at its cap, or out of tokens). */
  | { kind: 'story-busy' | 'busy' | 'rate'; retryMs: number };

export interface GateJob {
  jobId: string;
  partnerId: string;
  storyUri: string;
  version: number;
  eventType: WebhookEventType;
  variant?: string;
  /** Filled by the gate on first use: the attempt's admit, commit and release reuse them. */
  keys?: GateKeys;
}

export interface GateLimits {
  /** In-flight requests per partner. */
  concurrency: number;
  /** Requests per second per partner (0 = unlimited). */
  ratePerSec: number;
  /** Bucket size (default = ratePerSec, at least 1). */
  burst?: number;
  /** How long a slot and the story lock live without release, ms (> the request timeout). */
  slotTtlMs: number;
}

/** The Redis keys of one (partner, story[, language]). */
export interface GateKeys {
  inflight: string;
  bucket: string;
  lock: string;
  base: string;
  register: string;
  failing: string;
}

interface Script {
  lua: string;
  sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = { admit: script(ADMIT), commit: script(COMMIT), commitLogged: script(COMMIT_LOGGED), release: script(RELEASE), failing: script(FAILING) };

// Admissions without a number, shared (one is returned per attempt).
const OK: Admission = Object.freeze({ kind: 'ok' });
const KILLED: Admission = Object.freeze({ kind: 'killed' });

export class PartnerGate {
  private readonly prefix: string;
  private readonly registerTtlSec: number;
  /** Keys that depend on the partner only, built once per partner. */
  private readonly partnerKeys = new Map<string, { tag: string; inflight: string; bucket: string; failing: string }>();

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; registerDays?: number; now?: () => number } = {},
  ) {
    this.prefix = options.prefix ?? 'wire:';
    this.registerTtlSec = Math.round((options.registerDays ?? 30) * 86_400);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * EVALSHA with the script's SHA-1 (the script itself only after NOSCRIPT, once per Redis),
   * keys then arguments in one flat array, so each call carries only those.
   */
  private async run(s: Script, numKeys: number, keysAndArgs: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, numKeys, ...keysAndArgs);
    } catch (e) {
      if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
      return this.redis.eval(s.lua, numKeys, ...keysAndArgs);
    }
  }

  private keys(job: GateJob): GateKeys {
    if (job.keys) return job.keys;
    let pk = this.partnerKeys.get(job.partnerId);
    if (!pk) {
      const tag = `${this.prefix}{p:${job.partnerId}}:`;
      pk = { tag, inflight: `${tag}inflight`, bucket: `${tag}bucket`, failing: partnerFailingKey(this.prefix, job.partnerId) };
      if (this.partnerKeys.size >= 10_000) this.partnerKeys.clear();
      this.partnerKeys.set(job.partnerId, pk);
    }
    const s = storyHash(job.storyUri);
    const base = `${pk.tag}dv:${s}`;
    return (job.keys = {
      inflight: pk.inflight,
      bucket: pk.bucket,
      lock: `${pk.tag}lock:${s}`,
      base,
      register: job.variant ? `${base}:${job.variant}` : base,
      failing: pk.failing,
    });
  }

  /** Try to take a slot for this attempt. */
  async admit(job: GateJob, limits: GateLimits): Promise<Admission> {
    const k = this.keys(job);
    const rate = limits.ratePerSec;
    const now = this.now();
    const ttl = limits.slotTtlMs;
    const [kind, n] = (await this.run(SCRIPTS.admit, 5, [
      k.inflight,
      k.bucket,
      k.lock,
      k.base,
      k.register,
      now,
      job.jobId,
      limits.concurrency,
      rate,
      limits.burst ?? Math.max(1, rate),
      ttl,
      job.version,
      EVENT_RANK[job.eventType],
      now + ttl,
      ttl * 2,
    ])) as [string, number];
    switch (kind) {
      case 'ok':
        return OK;
      case 'killed':
        return KILLED;
      case 'stale':
      case 'duplicate':
        return { kind, deliveredVersion: n };
      case 'story-busy':
      case 'busy':
      case 'rate':
        return { kind, retryMs: Math.max(0, n) };
      default:
        throw new Error(`partner gate: unexpected admission ${kind}`);
    }
  }

  /**
   * After a 2xx: move the register forward (and mark a kill), free the slot, clear the failure
   * clock — and, given `log`, write the attempt's delivery log entry in the same call, so the
   * register never moves without its entry.
   */
  async commit(job: GateJob, log?: LogEntryWrite): Promise<void> {
    const k = this.keys(job);
    const kill = job.eventType === 'story.killed' ? '1' : '0';
    const rank = EVENT_RANK[job.eventType];
    if (!log) {
      await this.run(SCRIPTS.commit, 5, [k.inflight, k.lock, k.base, k.register, k.failing, job.jobId, job.version, rank, kill, this.registerTtlSec]);
      return;
    }
    const lk = log.keys;
    const la = log.args;
    await this.run(SCRIPTS.commitLogged, 8, [
      k.inflight,
      k.lock,
      k.base,
      k.register,
      k.failing,
      lk[0],
      lk[1],
      lk[2],
      job.jobId,
      job.version,
      rank,
      kill,
      this.registerTtlSec,
      la[0],
      la[1],
      la[2],
      la[3],
    ]);
  }

  /** After a failed attempt: free the slot and the story lock. */
  async release(job: GateJob): Promise<void> {
    const k = this.keys(job);
    await this.run(SCRIPTS.release, 2, [k.inflight, k.lock, job.jobId]);
  }

  /** Record a failure; returns since when the partner has been failing without a success (ms). */
  async failingSince(partnerId: string, windowMs: number): Promise<number> {
    // The clock expires after twice the window, so a partner idle for long starts afresh.
    const since = await this.run(SCRIPTS.failing, 1, [partnerFailingKey(this.prefix, partnerId), this.now(), Math.max(1, windowMs * 2)]);
    return Number(since);
  }

  /** Forget a partner's failure clock (re-enabled by ops). */
  async clearFailing(partnerId: string): Promise<void> {
    await this.redis.del(partnerFailingKey(this.prefix, partnerId));
  }
}
