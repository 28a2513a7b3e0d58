/**
 * Per-partner admission in Redis, one script call per attempt, so any number of worker
 * processes share the limits:
 * - the delivered-version register per (partner, story[, language]): versions only move forward,
 *   and nothing follows a kill. Beside it, the newest version (and event) ever put on the wire:
 *   an attempt that timed out or whose commit never came (a crash, a Redis outage longer than the
 *   lock) may still have reached the partner, so nothing older is sent after it either;
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

// admit(inflight, bucket, lock, base register, register, job id, version, event rank): the
// register keys are the base one for the original. L holds the partner's limits: now, cap,
// rate, burst, slot TTL ms, the slot's expiry (now + TTL), the in-flight set's TTL (2 × TTL), the
// register's TTL s — computed in TS, so Lua formats no numbers. A register holds the delivered
// version and event (v, t), the newest ever admitted (sv, st), and on the base one a kill flag.
const ADMIT_LUA = `
local function admit(L, inflight, bucket, lock, base, register, jobId, jvs, jts)
  local now = L.now
  local jv = tonumber(jvs); local jt = tonumber(jts)
  local killed, rv, rt, sv, st
  if register == base then
    local h = redis.call('HMGET', base, 'killed', 'v', 't', 'sv', 'st')
    killed = h[1]; rv = h[2]; rt = h[3]; sv = h[4]; st = h[5]
    if st == '3' then killed = '1' end
  else
    -- The kill of each language variant (a register of its own) still goes after the original's
    -- kill, and the register below drops repeats.
    if jt ~= 3 then
      local b = redis.call('HMGET', base, 'killed', 'st')
      killed = b[1]
      if b[2] == '3' then killed = '1' end
    end
    local reg = redis.call('HMGET', register, 'v', 't', 'sv', 'st')
    rv = reg[1]; rt = reg[2]; sv = reg[3]; st = reg[4]
  end
  -- After a kill (delivered, or put on the wire: the partner may hold it) nothing more for the story.
  if jt ~= 3 and killed == '1' then return 'killed', 0 end
  if rv then
    local v = tonumber(rv); local t = tonumber(rt)
    if jv < v or (jv == v and jt < t) then return 'stale', v end
    if jv == v and jt == t then return 'duplicate', v end
  end
  -- A later version went on the wire and may have reached the partner: never send an older one after it.
  if sv then
    local v = tonumber(sv); local t = tonumber(st)
    if jv < v or (jv == v and jt < t) then return 'superseded', v end
  end
  local holder = redis.call('GET', lock)
  if holder and holder ~= jobId then return 'story-busy', redis.call('PTTL', lock) end
  local cap = L.cap
  local rate = L.rate
  local full = redis.call('ZCARD', inflight) >= cap
  -- Whether this job already holds a slot matters only at the cap and to the token bucket.
  local mine = (full or rate > 0) and redis.call('ZSCORE', inflight, jobId)
  if full and not mine then
    -- Slots of crashed workers expire: drop them before refusing.
    redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
    if redis.call('ZCARD', inflight) >= cap then return 'busy', 0 end
  end
  if rate > 0 and not mine then
    local burst = L.burst
    local b = redis.call('HMGET', bucket, 'tokens', 'ts')
    local tokens = tonumber(b[1]) or burst
    local ts = tonumber(b[2]) or now
    if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
    if tokens < 1 then
      redis.call('HSET', bucket, 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
      return 'rate', math.ceil((1 - tokens) * 1000 / rate)
    end
    redis.call('HSET', bucket, 'tokens', tostring(tokens - 1), 'ts', tostring(math.max(now, ts)))
    redis.call('PEXPIRE', bucket, 3600000)
  end
  redis.call('ZADD', inflight, L.expiry, jobId)
  redis.call('PEXPIRE', inflight, L.setTtl)
  redis.call('SET', lock, jobId, 'PX', L.ttl)
  if not sv or jv > tonumber(sv) or (jv == tonumber(sv) and jt > tonumber(st)) then
    redis.call('HSET', register, 'sv', jvs, 'st', jts)
    redis.call('EXPIRE', register, L.regTtl)
  end
  return 'ok', 0
end
local function limits(a)
  return { now = tonumber(ARGV[a]), cap = tonumber(ARGV[a + 1]), rate = tonumber(ARGV[a + 2]), burst = tonumber(ARGV[a + 3]),
    ttl = ARGV[a + 4], expiry = ARGV[a + 5], setTtl = ARGV[a + 6], regTtl = ARGV[a + 7] }
end
`;

// KEYS 1-5: inflight, bucket, lock, base register, register; ARGV 1-8: the limits, 9-11: job id,
// version, event rank.
const ADMIT = `${ADMIT_LUA}
local kind, n = admit(limits(1), KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[9], ARGV[10], ARGV[11])
return {kind, n}
`;

// One partner's batch, in order: KEYS 1-2 inflight, bucket, then 3 per delivery (lock, base
// register, register); ARGV 1-8 the limits, then 3 per delivery (job id, version, event rank).
// Once the partner is at its cap or out of tokens the rest are not tried (they would be refused
// the same way, and trying would spend tokens out of order).
const ADMIT_MANY = `${ADMIT_LUA}
local L = limits(1)
local out = {}
local n = (#KEYS - 2) / 3
local stop, stopX
for i = 0, n - 1 do
  local k = 3 + i * 3; local a = 9 + i * 3
  local kind, x
  if stop then kind = stop; x = stopX
  else kind, x = admit(L, KEYS[1], KEYS[2], KEYS[k], KEYS[k + 1], KEYS[k + 2], ARGV[a], ARGV[a + 1], ARGV[a + 2]) end
  if kind == 'busy' or kind == 'rate' then stop = kind; stopX = x end
  out[#out + 1] = kind; out[#out + 1] = x
end
return out
`;

// commit(inflight, lock, base register, register, job id, version, event rank, kill flag, register TTL s).
const COMMIT_LUA = `
local function commit(inflight, lock, base, register, jobId, jvs, jts, kill, ttl)
  local jv = tonumber(jvs); local jt = tonumber(jts)
  local reg = redis.call('HMGET', register, 'v', 't')
  local v = tonumber(reg[1]) or -1; local t = tonumber(reg[2]) or -1
  if jv > v or (jv == v and jt > t) then redis.call('HSET', register, 'v', jvs, 't', jts) end
  redis.call('EXPIRE', register, ttl)
  if kill == '1' then
    redis.call('HSET', base, 'killed', '1')
    redis.call('EXPIRE', base, ttl)
  end
  redis.call('ZREM', inflight, jobId)
  if redis.call('GET', lock) == jobId then redis.call('DEL', lock) end
end
`;

// KEYS 1-5: inflight, lock, base register, register, failing; ARGV 1-5: job id, version, event
// rank, kill flag, register TTL s.
const COMMIT = `${COMMIT_LUA}
commit(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
redis.call('DEL', KEYS[5])
return 1
`;

/** The commit and the delivery log entry in one call: KEYS 6-8 and ARGV 6-9 are the entry's (`LogEntryWrite`). */
const COMMIT_LOGGED = `${LOG_ENTRY_LUA}${COMMIT_LUA}
commit(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
redis.call('DEL', KEYS[5])
logEntry(5, 5)
return 1
`;

// Several commits of one partner, each with its log entry: KEYS 1-2 inflight, failing, then 6 per
// delivery (lock, base register, register, and the entry's 3); ARGV 1 register TTL s, then 8 per
// delivery (job id, version, event rank, kill flag, and the entry's 4).
const COMMIT_MANY = `${LOG_ENTRY_LUA}${COMMIT_LUA}
local n = (#KEYS - 2) / 6
for i = 0, n - 1 do
  local k = 3 + i * 6; local a = 2 + i * 8
  commit(KEYS[1], KEYS[k], KEYS[k + 1], KEYS[k + 2], ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[1])
  logEntry(k + 2, a + 3)
end
redis.call('DEL', KEYS[2])
return n
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
  /** A later version (or event) was put on the wire and may have reached the partner, though its 2xx never committed. */
  | { kind: 'superseded'; sentVersion: number }
  /** Not now: retry after `retryMs` (another version in flight, partner at its cap, or out of tokens). */
  | { kind: 'story-busy' | 'busy' | 'rate'; retryMs: number };

export interface GateJob {
  jobId: string;
  partnerId: string;
  storyUri: string;
  version: number;
  eventType: WebhookEventType;
  variant?: string;
  /**
   * Who holds the slot and story lock, when not `jobId`: a delivery inside a batch job is held
   * as (batch job, delivery), so two batch jobs carrying the same delivery (routing re-run over
   * other chunk boundaries after a crash) never both put it on the wire — the second waits, then
   * finds it delivered — while a re-run of the same job is let back in.
   */
  holder?: string;
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
const SCRIPTS = {
  admit: script(ADMIT),
  admitMany: script(ADMIT_MANY),
  commit: script(COMMIT),
  commitLogged: script(COMMIT_LOGGED),
  commitMany: script(COMMIT_MANY),
  release: script(RELEASE),
  failing: script(FAILING),
};

// Admissions without a number, shared (one is returned per attempt).
const OK: Admission = Object.freeze({ kind: 'ok' });
const KILLED: Admission = Object.freeze({ kind: 'killed' });

const holderOf = (job: GateJob): string => job.holder ?? job.jobId;

function admissionOf(kind: string, n: number): Admission {
  switch (kind) {
    case 'ok':
      return OK;
    case 'killed':
      return KILLED;
    case 'stale':
    case 'duplicate':
      return { kind, deliveredVersion: n };
    case 'superseded':
      return { kind, sentVersion: n };
    case 'story-busy':
    case 'busy':
    case 'rate':
      return { kind, retryMs: Math.max(0, n) };
    default:
      throw new Error(`partner gate: unexpected admission ${kind}`);
  }
}

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

  /** The limits' script arguments (ADMIT_LUA's `limits`). */
  private limitArgs(limits: GateLimits): Array<string | number> {
    const rate = limits.ratePerSec;
    const now = this.now();
    const ttl = limits.slotTtlMs;
    return [now, limits.concurrency, rate, limits.burst ?? Math.max(1, rate), ttl, now + ttl, ttl * 2, this.registerTtlSec];
  }

  /** Try to take a slot for this attempt. */
  async admit(job: GateJob, limits: GateLimits): Promise<Admission> {
    const k = this.keys(job);
    const [kind, n] = (await this.run(SCRIPTS.admit, 5, [
      k.inflight,
      k.bucket,
      k.lock,
      k.base,
      k.register,
      ...this.limitArgs(limits),
      holderOf(job),
      job.version,
      EVENT_RANK[job.eventType],
    ])) as [string, number];
    return admissionOf(kind, n);
  }

  /**
   * Try to take slots for several attempts to one partner, in order, in one call. Once the
   * partner is at its cap or out of tokens, the rest get the same answer without being tried.
   */
  async admitMany(jobs: readonly GateJob[], limits: GateLimits): Promise<Admission[]> {
    if (jobs.length === 0) return [];
    const first = this.keys(jobs[0]!);
    const keys: string[] = [first.inflight, first.bucket];
    const args: Array<string | number> = this.limitArgs(limits);
    for (const job of jobs) {
      if (job.partnerId !== jobs[0]!.partnerId) throw new Error('partner gate: admitMany takes one partner\'s attempts');
      const k = this.keys(job);
      keys.push(k.lock, k.base, k.register);
      args.push(holderOf(job), job.version, EVENT_RANK[job.eventType]);
    }
    const flat = (await this.run(SCRIPTS.admitMany, keys.length, [...keys, ...args])) as Array<string | number>;
    const out: Admission[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push(admissionOf(String(flat[i]), Number(flat[i + 1])));
    return out;
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
      await this.run(SCRIPTS.commit, 5, [k.inflight, k.lock, k.base, k.register, k.failing, holderOf(job), job.version, rank, kill, this.registerTtlSec]);
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
      holderOf(job),
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

  /**
   * Commit several 2xx attempts to one partner, each with its delivery log entry, in one call
   * (the registers move, slots and locks are freed, the failure clock is cleared).
   */
  async commitMany(commits: ReadonlyArray<{ job: GateJob; log: LogEntryWrite }>): Promise<void> {
    if (commits.length === 0) return;
    const first = this.keys(commits[0]!.job);
    const keys: string[] = [first.inflight, first.failing];
    const args: Array<string | number> = [this.registerTtlSec];
    for (const { job, log } of commits) {
      if (job.partnerId !== commits[0]!.job.partnerId) throw new Error('partner gate: commitMany takes one partner\'s attempts');
      const k = this.keys(job);
      keys.push(k.lock, k.base, k.register, ...log.keys);
      args.push(holderOf(job), job.version, EVENT_RANK[job.eventType], job.eventType === 'story.killed' ? '1' : '0', ...log.args);
    }
    await this.run(SCRIPTS.commitMany, keys.length, [...keys, ...args]);
  }

  /** After a failed attempt: free the slot and the story lock. */
  async release(job: GateJob): Promise<void> {
    const k = this.keys(job);
    await this.run(SCRIPTS.release, 2, [k.inflight, k.lock, holderOf(job)]);
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
