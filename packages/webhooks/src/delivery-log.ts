/**
 * The delivery log: every attempt (time, outcome, HTTP status, latency, capped response excerpt)
 * in Redis sorted sets by partner, by story and overall, kept `retentionDays`. The ops API reads
 * it through `listDeliveries`.
 */
import type { Redis } from 'ioredis';
import { storyHash, type WebhookEventType } from '@wire/queues';

/** What became of one attempt. */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'dead' | 'stale' | 'duplicate' | 'dropped';

export interface DeliveryAttempt {
  jobId: string;
  webhookId: string;
  partnerId: string;
  storyUri: string;
  version: number;
  eventType: WebhookEventType;
  variant?: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** When the attempt ended, ISO 8601. */
  at: string;
  outcome: DeliveryOutcome;
  status?: number;
  latencyMs?: number;
  /** The start of the partner's response body (capped). */
  excerpt?: string;
  error?: { code: string; message: string };
  /** When the next attempt is due (retrying only). */
  nextAttemptAt?: string;
  /** Wire received → partner 2xx, ms (delivered only, when known). */
  endToEndMs?: number;
}

/**
 * Where the log's writes are queued: a pipeline, or a client with `enableAutoPipelining` (the
 * delivery worker's own connection, which batches the writes of every attempt ending in the
 * same tick into one round trip).
 */
export interface LogWriter {
  zadd(key: string, score: number, member: string): unknown;
  zremrangebyscore(key: string, min: string | number, max: string | number): unknown;
  zremrangebyrank(key: string, start: number, stop: number): unknown;
  expire(key: string, seconds: number): unknown;
}

export interface DeliveryLogOptions {
  prefix?: string;
  /** Days an attempt stays queryable (default 7). */
  retentionDays?: number;
  /** Most entries kept in the all-partners index (default 200 000). */
  maxEntries?: number;
  /** Bytes of response excerpt stored (default 512). */
  excerptBytes?: number;
  now?: () => number;
}

export interface DeliveryQuery {
  partner?: string;
  story?: string;
  status?: DeliveryOutcome | string;
  /** Only attempts at or after this time (ISO 8601 or ms). */
  since?: string | number;
  /** Newest first, at most this many (default 100, max 1000). */
  limit?: number;
}

/**
 * @example
 * const log = new DeliveryLog(redis, { prefix: 'wire:' });
 * await log.listDeliveries({ partner: 'daily', status: 'dead' });
 */
export class DeliveryLog {
  private readonly prefix: string;
  private readonly retentionMs: number;
  private readonly maxEntries: number;
  private readonly excerptBytes: number;
  private readonly now: () => number;
  private writes = 0;

  constructor(
    private readonly redis: Redis,
    options: DeliveryLogOptions = {},
  ) {
    this.prefix = `${options.prefix ?? 'wire:'}deliveries:`;
    this.retentionMs = (options.retentionDays ?? 7) * 86_400_000;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.excerptBytes = options.excerptBytes ?? 512;
    this.now = options.now ?? Date.now;
  }

  private keys(partnerId: string, storyUri: string): [string, string, string] {
    return [`${this.prefix}all`, `${this.prefix}partner:${partnerId}`, `${this.prefix}story:${storyHash(storyUri)}`];
  }

  /** Append one attempt to the log (one pipelined round trip). */
  async record(entry: DeliveryAttempt): Promise<void> {
    const p = this.redis.pipeline();
    this.recordInto(p, entry);
    await p.exec();
  }

  /**
   * Queue the writes of one attempt on a caller's pipeline or auto-pipelined client (to share a
   * round trip). Returns what the writer returned for each command: on a client, promises the
   * caller awaits.
   */
  recordInto(p: LogWriter, entry: DeliveryAttempt): unknown[] {
    const capped: DeliveryAttempt =
      entry.excerpt && entry.excerpt.length > this.excerptBytes ? { ...entry, excerpt: entry.excerpt.slice(0, this.excerptBytes) } : entry;
    const score = Date.parse(capped.at) || this.now();
    const member = JSON.stringify(capped);
    const keys = this.keys(capped.partnerId, capped.storyUri);
    const out = keys.map((key) => p.zadd(key, score, member));
    // Trimming every write would double the commands; every 64th write keeps the sets bounded.
    if (this.writes++ % 64 === 0) out.push(...this.trimPipeline(p, keys));
    return out;
  }

  private trimPipeline(p: LogWriter, keys: string[]): unknown[] {
    const cutoff = this.now() - this.retentionMs;
    const ttlSec = Math.ceil(this.retentionMs / 1000);
    const out: unknown[] = [];
    for (const key of keys) out.push(p.zremrangebyscore(key, '-inf', cutoff), p.expire(key, ttlSec));
    out.push(p.zremrangebyrank(keys[0]!, 0, -(this.maxEntries + 1)));
    return out;
  }

  /** Attempts, newest first, filtered by partner, story and/or outcome. */
  async listDeliveries(query: DeliveryQuery = {}): Promise<DeliveryAttempt[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const key = query.story
      ? `${this.prefix}story:${storyHash(query.story)}`
      : query.partner
        ? `${this.prefix}partner:${query.partner}`
        : `${this.prefix}all`;
    const since = query.since === undefined ? this.now() - this.retentionMs : typeof query.since === 'number' ? query.since : Date.parse(query.since);
    const out: DeliveryAttempt[] = [];
    // Page through newest-first until `limit` entries pass the filters.
    let offset = 0;
    const page = Math.max(limit * 2, 200);
    for (;;) {
      const members = await this.redis.zrevrangebyscore(key, '+inf', since, 'LIMIT', offset, page);
      for (const m of members) {
        const e = JSON.parse(m) as DeliveryAttempt;
        if (query.partner && e.partnerId !== query.partner) continue;
        if (query.story && e.storyUri !== query.story) continue;
        if (query.status && e.outcome !== query.status) continue;
        out.push(e);
        if (out.length >= limit) return out;
      }
      if (members.length < page) return out;
      offset += page;
    }
  }

  /** Remove every entry this log holds (tests). */
  async clear(partnerIds: string[], storyUris: string[]): Promise<void> {
    const keys = [`${this.prefix}all`, ...partnerIds.map((p) => `${this.prefix}partner:${p}`), ...storyUris.map((s) => `${this.prefix}story:${storyHash(s)}`)];
    await this.redis.del(...keys);
  }
}
