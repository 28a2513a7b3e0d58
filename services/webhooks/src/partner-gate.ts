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

const ADMIT = `
local now = tonumber(ARGV[1])
-- After a kill nothing more for the story; but the kill of each language variant (a register of
-- its own) still goes after the original's kill, and the register below drops repeats.
if tonumber(ARGV[8]) ~= 3 and redis.call('HGET', KEYS[4], 'killed') == '1' then return {'killed', 0} end
local reg = redis.call('HMGET', KEYS[5], 'v', 't')
if reg[1] then
  local v = tonumber(reg[1]); local t = tonumber(reg[2])
  local jv = tonumber(ARGV[7]); local jt = tonumber(ARGV[8])
  if jv < v or (jv == v and jt < t) then return {'stale', v} end
  if jv == v and jt == t then return {'duplicate', v} end
end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= ARGV[2] then return {'story-busy', redis.call('PTTL', KEYS[3])} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local mine = redis.call('ZSCORE', KEYS[1], ARGV[2])
if (not mine) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {'busy', 0} end
local rate = tonumber(ARGV[4])
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
local ttl = tonumber(ARGV[6])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('SET', KEYS[3], ARGV[2], 'PX', ttl)
return {'ok', 0}
`;

// KEYS 1-5: inflight, lock, base register, register, failing; ARGV 1-5: job id, version, event
// rank, kill flag, register TTL s.
const COMMIT_BODY = `
local jv = tonumber(ARGV[2]); local jt = tonumber(ARGV[3])
local reg = redis.call('HMGET', KEYS[4], 'v', 't')
local v = tonumber(reg[1]) or -1; local t = tonumber(reg[2]) or -1
if jv > v or (jv == v and jt > t) then redis.call('HSET', KEYS[4], 'v', jv, 't', jt) end
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[5]))
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[3], 'killed', '1')
  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[5]))
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

type Cmd = (keys: string[], args: Array<string | number>) => Promise<unknown>;

interface GateKeys {
  inflight: string;
  bucket: string;
  lock: string;
  base: string;
  register: string;
  failing: string;
}

export class PartnerGate {
  private readonly admitCmd: Cmd;
  private readonly commitCmd: Cmd;
  private readonly commitLoggedCmd: Cmd;
  private readonly releaseCmd: Cmd;
  private readonly failingCmd: Cmd;

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix?: string; registerDays?: number; now?: () => number } = {},
  ) {
    // EVALSHA with the script's SHA-1 (sent once per connection on NOSCRIPT), so each call
    // carries only keys and arguments.
    const define = (lua: string): Cmd => {
      const sha = createHash('sha1').update(lua).digest('hex');
      return async (keys, args) => {
        try {
          return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
        } catch (e) {
          if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
          return this.redis.eval(lua, keys.length, ...keys, ...args);
        }
      };
    };
    this.admitCmd = define(ADMIT);
    this.commitCmd = define(COMMIT);
    this.commitLoggedCmd = define(COMMIT_LOGGED);
    this.releaseCmd = define(RELEASE);
    this.failingCmd = define(FAILING);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  // Keys of a job, computed once per attempt (admit, then commit or release, reuse them).
  private readonly keyCache = new WeakMap<GateJob, GateKeys>();

  private keys(job: GateJob): GateKeys {
    const hit = this.keyCache.get(job);
    if (hit) return hit;
    const p = `${this.options.prefix ?? 'wire:'}{p:${job.partnerId}}:`;
    const s = storyHash(job.storyUri);
    const base = `${p}dv:${s}`;
    const keys = {
      inflight: `${p}inflight`,
      bucket: `${p}bucket`,
      lock: `${p}lock:${s}`,
      base,
      register: job.variant ? `${base}:${job.variant}` : base,
      failing: partnerFailingKey(this.options.prefix ?? 'wire:', job.partnerId),
    };
    this.keyCache.set(job, keys);
    return keys;
  }

  /** Try to take a slot for this attempt. */
  async admit(job: GateJob, limits: GateLimits): Promise<Admission> {
    const k = this.keys(job);
    const rate = limits.ratePerSec;
    const burst = limits.burst ?? Math.max(1, rate);
    const [kind, n] = (await this.admitCmd(
      [k.inflight, k.bucket, k.lock, k.base, k.register],
      [this.now(), job.jobId, limits.concurrency, rate, burst, limits.slotTtlMs, job.version, EVENT_RANK[job.eventType]],
    )) as [string, number];
    switch (kind) {
      case 'ok':
      case 'killed':
        return { kind };
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
    const ttlSec = Math.round((this.options.registerDays ?? 30) * 86_400);
    const keys = [k.inflight, k.lock, k.base, k.register, k.failing];
    const args: Array<string | number> = [job.jobId, job.version, EVENT_RANK[job.eventType], job.eventType === 'story.killed' ? '1' : '0', ttlSec];
    if (!log) {
      await this.commitCmd(keys, args);
      return;
    }
    await this.commitLoggedCmd([...keys, ...log.keys], [...args, ...log.args]);
  }

  /** After a failed attempt: free the slot and the story lock. */
  async release(job: GateJob): Promise<void> {
    const k = this.keys(job);
    await this.releaseCmd([k.inflight, k.lock], [job.jobId]);
  }

  /** Record a failure; returns since when the partner has been failing without a success (ms). */
  async failingSince(partnerId: string, windowMs: number): Promise<number> {
    const k = this.keys({ jobId: '', partnerId, storyUri: '', version: 0, eventType: 'story.published' });
    // The clock expires after twice the window, so a partner idle for long starts afresh.
    const since = await this.failingCmd([k.failing], [this.now(), Math.max(1, windowMs * 2)]);
    return Number(since);
  }

  /** Forget a partner's failure clock (re-enabled by ops). */
  async clearFailing(partnerId: string): Promise<void> {
    const k = this.keys({ jobId: '', partnerId, storyUri: '', version: 0, eventType: 'story.published' });
    await this.redis.del(k.failing);
  }
}
