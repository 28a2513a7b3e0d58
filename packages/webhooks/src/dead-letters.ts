/**
 * Dead letters of the deliver queue: jobs that can never succeed (a partner's 4xx, 410, an
 * SSRF refusal, a disabled partner) or ran out of retries. Each is recorded with its reason and
 * the job's data, so it can be replayed one by one or all of a partner's since a time.
 */
import type { Redis } from 'ioredis';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { DeliverJob } from '@wire/queues';

export interface DeadLetterRecord {
  /** The deliver job id (deterministic per partner, story, version, event type). */
  id: string;
  partnerId: string;
  storyUri: string;
  version: number;
  eventType: DeliverJob['eventType'];
  variant?: string;
  code: string;
  reason: string;
  /** ISO 8601. */
  at: string;
  attempts: number;
  lastStatus?: number;
}

export interface ReplayResult {
  id: string;
  ok: boolean;
  /** `retried` (the failed job went back to the queue), `requeued` (re-added from the record), or why not. */
  detail: string;
}

export interface DeadLetterStoreOptions {
  prefix?: string;
  retentionDays?: number;
  now?: () => number;
  /** Options for jobs re-added from a record when the failed job is gone. */
  jobOptions?: JobsOptions;
}

/**
 * @example
 * const dead = new DeadLetterStore(redis, deliverQueue, { prefix: 'wire:' });
 * await dead.replayPartnerFailures('daily', '2026-11-28T00:00:00Z');
 */
export class DeadLetterStore {
  private readonly index: string;
  private readonly prefix: string;
  private readonly ttlSec: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly options: DeadLetterStoreOptions = {},
  ) {
    this.prefix = `${options.prefix ?? 'wire:'}deadletters:`;
    this.index = `${this.prefix}index`;
    this.ttlSec = Math.round((options.retentionDays ?? 30) * 86_400);
    this.now = options.now ?? Date.now;
  }

  /** Record a dead letter with the job data it needs for a replay. */
  async add(record: DeadLetterRecord, data: DeliverJob): Promise<void> {
    const key = `${this.prefix}${record.id}`;
    await this.redis
      .multi()
      .set(key, JSON.stringify({ record, data }), 'EX', this.ttlSec)
      .zadd(this.index, Date.parse(record.at) || this.now(), record.id)
      .zremrangebyscore(this.index, '-inf', this.now() - this.ttlSec * 1000)
      .exec();
  }

  async get(id: string): Promise<{ record: DeadLetterRecord; data: DeliverJob } | undefined> {
    const raw = await this.redis.get(`${this.prefix}${id}`);
    return raw ? (JSON.parse(raw) as { record: DeadLetterRecord; data: DeliverJob }) : undefined;
  }

  /** Dead letters, newest first, optionally one partner's and/or since a time. */
  async listDeadLetters(query: { partner?: string; since?: string | number; limit?: number } = {}): Promise<DeadLetterRecord[]> {
    const since = query.since === undefined ? '-inf' : typeof query.since === 'number' ? query.since : Date.parse(query.since);
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 10_000);
    const ids = await this.redis.zrevrangebyscore(this.index, '+inf', since);
    const out: DeadLetterRecord[] = [];
    for (let i = 0; i < ids.length && out.length < limit; i += 200) {
      const batch = ids.slice(i, i + 200);
      const raws = await this.redis.mget(...batch.map((id) => `${this.prefix}${id}`));
      for (const raw of raws) {
        if (!raw) continue;
        const { record } = JSON.parse(raw) as { record: DeadLetterRecord };
        if (query.partner && record.partnerId !== query.partner) continue;
        out.push(record);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /**
   * Send a dead letter again from its first attempt: the failed job is retried (attempt counters
   * reset) or, when BullMQ already removed it, re-added with the same id from the record.
   */
  async replayDeadLetter(id: string): Promise<ReplayResult> {
    const stored = await this.get(id);
    const job = await Job.fromId<DeliverJob>(this.queue, id);
    let detail: string;
    if (job) {
      const state = await job.getState();
      if (state !== 'failed') return { id, ok: false, detail: `job is ${state}, not failed` };
      // From its first attempt: attempts a batch made before the job existed are forgotten too.
      if (job.data.priorAttempts !== undefined) await job.updateData({ ...job.data, priorAttempts: undefined });
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      detail = 'retried';
    } else if (stored) {
      const { priorAttempts: _prior, ...data } = stored.data;
      await this.queue.add(data.eventType, data, { ...this.options.jobOptions, jobId: id });
      detail = 'requeued';
    } else {
      return { id, ok: false, detail: 'no such dead letter' };
    }
    await this.redis.multi().del(`${this.prefix}${id}`).zrem(this.index, id).exec();
    return { id, ok: true, detail };
  }

  /** Replay every dead letter of a partner recorded at or after `since`. */
  async replayPartnerFailures(partnerId: string, since: string | number): Promise<ReplayResult[]> {
    const records = await this.listDeadLetters({ partner: partnerId, since, limit: 10_000 });
    const results: ReplayResult[] = [];
    for (const r of records.reverse()) results.push(await this.replayDeadLetter(r.id));
    return results;
  }
}
