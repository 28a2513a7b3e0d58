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
import type { Redis } from 'ioredis';
import { storyHash, type WebhookEventType } from '@wire/queues';
import { defineScripts, type WithScripts } from '@wire/redis-scripts';
import { partnerFailingKey } from '@wire/routing';
import { LOG_ENTRY_SCRIPT, type LogEntryWrite } from '@wire/webhooks';

/** Order of event types within one version (a kill of v3 outranks the update of v3). */
export const EVENT_RANK: Record<WebhookEventType, number> = {
  'story.published': 0,
  'story.updated': 1,
  'story.corrected': 2,
  'story.killed': 3,
};

/**
 * The gate's scripts, beside this file (`includes/` holds the `admit` and `commit` functions they
 * share; the commits that write a log entry include @wire/webhooks' `logEntry`). The two batch
 * scripts take a varying number of keys, passed first on each call.
 */
const GATE_SCRIPTS = {
  wireGateAdmit: { file: new URL('./admit.lua', import.meta.url), keys: 5 },
  wireGateAdmitMany: { file: new URL('./admit-many.lua', import.meta.url) },
  wireGateCommit: { file: new URL('./commit.lua', import.meta.url), keys: 5 },
  wireGateCommitLogged: { file: new URL('./commit-logged.lua', import.meta.url), keys: 8 },
  wireGateCommitMany: { file: new URL('./commit-many.lua', import.meta.url) },
  wireGateRelease: { file: new URL('./release.lua', import.meta.url), keys: 2 },
  wireGateFailing: { file: new URL('./failing.lua', import.meta.url), keys: 1 },
} as const;

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

/** The Redis keys of one partner, and the prefix of its per-story keys (its hash tag). */
interface PartnerKeys {
  tag: string;
  inflight: string;
  bucket: string;
  failing: string;
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
  private readonly redis: WithScripts<Redis, keyof typeof GATE_SCRIPTS>;
  /** Keys that depend on the partner only, built once per partner. */
  private readonly keysByPartner = new Map<string, PartnerKeys>();

  constructor(
    redis: Redis,
    private readonly options: { prefix?: string; registerDays?: number; now?: () => number } = {},
  ) {
    this.redis = defineScripts(redis, GATE_SCRIPTS, { 'delivery-log-entry': LOG_ENTRY_SCRIPT });
    this.prefix = options.prefix ?? 'wire:';
    this.registerTtlSec = Math.round((options.registerDays ?? 30) * 86_400);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private keys(job: GateJob): GateKeys {
    if (job.keys) return job.keys;
    let partnerKeys = this.keysByPartner.get(job.partnerId);
    if (!partnerKeys) {
      const tag = `${this.prefix}{p:${job.partnerId}}:`;
      partnerKeys = { tag, inflight: `${tag}inflight`, bucket: `${tag}bucket`, failing: partnerFailingKey(this.prefix, job.partnerId) };
      if (this.keysByPartner.size >= 10_000) this.keysByPartner.clear();
      this.keysByPartner.set(job.partnerId, partnerKeys);
    }
    const story = storyHash(job.storyUri);
    const base = `${partnerKeys.tag}dv:${story}`;
    return (job.keys = {
      inflight: partnerKeys.inflight,
      bucket: partnerKeys.bucket,
      lock: `${partnerKeys.tag}lock:${story}`,
      base,
      register: job.variant ? `${base}:${job.variant}` : base,
      failing: partnerKeys.failing,
    });
  }

  /** The limits' script arguments (`readLimits` in includes/admit.lua). */
  private limitArgs(limits: GateLimits): Array<string | number> {
    const rate = limits.ratePerSec;
    const now = this.now();
    const ttl = limits.slotTtlMs;
    return [now, limits.concurrency, rate, limits.burst ?? Math.max(1, rate), ttl, now + ttl, ttl * 2, this.registerTtlSec];
  }

  /** Try to take a slot for this attempt. */
  async admit(job: GateJob, limits: GateLimits): Promise<Admission> {
    const keys = this.keys(job);
    const [kind, n] = (await this.redis.wireGateAdmit(
      keys.inflight,
      keys.bucket,
      keys.lock,
      keys.base,
      keys.register,
      ...this.limitArgs(limits),
      holderOf(job),
      job.version,
      EVENT_RANK[job.eventType],
    )) as [string, number];
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
      const jobKeys = this.keys(job);
      keys.push(jobKeys.lock, jobKeys.base, jobKeys.register);
      args.push(holderOf(job), job.version, EVENT_RANK[job.eventType]);
    }
    const flat = (await this.redis.wireGateAdmitMany(keys.length, ...keys, ...args)) as Array<string | number>;
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
    const keys = this.keys(job);
    const kill = job.eventType === 'story.killed' ? '1' : '0';
    const rank = EVENT_RANK[job.eventType];
    if (!log) {
      await this.redis.wireGateCommit(keys.inflight, keys.lock, keys.base, keys.register, keys.failing, holderOf(job), job.version, rank, kill, this.registerTtlSec);
      return;
    }
    await this.redis.wireGateCommitLogged(
      keys.inflight,
      keys.lock,
      keys.base,
      keys.register,
      keys.failing,
      ...log.keys,
      holderOf(job),
      job.version,
      rank,
      kill,
      this.registerTtlSec,
      ...log.args,
    );
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
      const jobKeys = this.keys(job);
      keys.push(jobKeys.lock, jobKeys.base, jobKeys.register, ...log.keys);
      args.push(holderOf(job), job.version, EVENT_RANK[job.eventType], job.eventType === 'story.killed' ? '1' : '0', ...log.args);
    }
    await this.redis.wireGateCommitMany(keys.length, ...keys, ...args);
  }

  /** After a failed attempt: free the slot and the story lock. */
  async release(job: GateJob): Promise<void> {
    const keys = this.keys(job);
    await this.redis.wireGateRelease(keys.inflight, keys.lock, holderOf(job));
  }

  /** Record a failure; returns since when the partner has been failing without a success (ms). */
  async failingSince(partnerId: string, windowMs: number): Promise<number> {
    // The clock expires after twice the window, so a partner idle for long starts afresh.
    const since = await this.redis.wireGateFailing(partnerFailingKey(this.prefix, partnerId), this.now(), Math.max(1, windowMs * 2));
    return Number(since);
  }

  /** Forget a partner's failure clock (re-enabled by ops). */
  async clearFailing(partnerId: string): Promise<void> {
    await this.redis.del(partnerFailingKey(this.prefix, partnerId));
  }
}
