/**
 * The delivery log: every attempt (time, outcome, HTTP status, latency, capped response excerpt),
 * kept `retentionDays`. Each entry is stored once, as JSON in the stream `{prefix}deliveries:log`
 * (newest last: the all-partners view); sorted sets by partner and by story hold its stream id,
 * scored by the attempt's time. The ops API reads it through `listDeliveries`.
 */
import type { Redis } from 'ioredis';
import { defineScripts, type WithScripts } from '@wire/redis-scripts';
import { storyHash, type WebhookEventType } from '@wire/queues';

/**
 * What became of one attempt. `skipped`: no attempt was made — the translator found no provider
 * for the variant's language (`error` says which pair and what the partner got instead).
 */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'dead' | 'stale' | 'duplicate' | 'dropped' | 'skipped';

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

export interface DeliveryLogOptions {
  prefix?: string;
  /** Days an attempt stays queryable (default 7). */
  retentionDays?: number;
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
 * One entry's write, ready to be sent: the keys and arguments `LOG_ENTRY_SCRIPT`'s `logEntry` reads
 * (so another script, the delivery worker's commit, can write the entry in its own call).
 */
export interface LogEntryWrite {
  /** The log stream, the partner's index, the story's index. */
  keys: [string, string, string];
  /** Score (the attempt's time, ms), entry JSON, trim cutoff (ms) or '', TTL s. */
  args: [number, string, number | '', number];
}

/**
 * The Lua fragment `delivery-log-entry.lua`: `logEntry(ko, ao)` writes one entry whose 3 keys
 * follow KEYS[ko] and 4 arguments follow ARGV[ao] (`LogEntryWrite`). Another package's script
 * includes it by this URL (`defineScripts(redis, …, { 'delivery-log-entry': LOG_ENTRY_SCRIPT })`).
 */
export const LOG_ENTRY_SCRIPT: URL = new URL('./delivery-log-entry.lua', import.meta.url);

/** `record`'s script: one entry (`logEntry(0, 0)`). */
const LOG_SCRIPTS = { wireDeliveryLogRecord: { file: new URL('./delivery-log-record.lua', import.meta.url), keys: 3 } } as const;

/** An XRANGE/XREVRANGE reply: [id, [field, value, …]] per entry. */
type StreamEntries = Array<[string, string[]]>;

/**
 * @example
 * const log = new DeliveryLog(redis, { prefix: 'wire:' });
 * await log.listDeliveries({ partner: 'daily', status: 'dead' });
 */
export class DeliveryLog {
  private readonly prefix: string;
  private readonly streamKey: string;
  private readonly retentionMs: number;
  private readonly retentionSec: number;
  private readonly excerptBytes: number;
  private readonly now: () => number;
  private readonly redis: WithScripts<Redis, keyof typeof LOG_SCRIPTS>;
  private writes = 0;

  constructor(redis: Redis, options: DeliveryLogOptions = {}) {
    this.redis = defineScripts(redis, LOG_SCRIPTS);
    this.prefix = `${options.prefix ?? 'wire:'}deliveries:`;
    this.streamKey = `${this.prefix}log`;
    this.retentionMs = (options.retentionDays ?? 7) * 86_400_000;
    this.retentionSec = Math.ceil(this.retentionMs / 1000);
    this.excerptBytes = options.excerptBytes ?? 512;
    this.now = options.now ?? Date.now;
  }

  /** Append one attempt to the log (one script call). */
  async record(entry: DeliveryAttempt): Promise<void> {
    const { keys, args } = this.prepare(entry);
    await this.redis.wireDeliveryLogRecord(...keys, ...args);
  }

  /**
   * The keys and arguments of one attempt's write, for `LOG_ENTRY_SCRIPT` inside a caller's script
   * (the delivery worker writes the entry in the same call that commits the delivery). Every
   * 64th write also trims to the retention.
   */
  prepare(entry: DeliveryAttempt): LogEntryWrite {
    const capped: DeliveryAttempt =
      entry.excerpt && entry.excerpt.length > this.excerptBytes ? { ...entry, excerpt: entry.excerpt.slice(0, this.excerptBytes) } : entry;
    const trim = this.writes++ % 64 === 0;
    return {
      keys: [this.streamKey, `${this.prefix}partner:${capped.partnerId}`, `${this.prefix}story:${storyHash(capped.storyUri)}`],
      args: [Date.parse(capped.at) || this.now(), JSON.stringify(capped), trim ? this.now() - this.retentionMs : '', this.retentionSec],
    };
  }

  /** Attempts, newest first, filtered by partner, story and/or outcome. */
  async listDeliveries(query: DeliveryQuery = {}): Promise<DeliveryAttempt[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const since = query.since === undefined ? this.now() - this.retentionMs : typeof query.since === 'number' ? query.since : Date.parse(query.since);
    const out: DeliveryAttempt[] = [];
    const keep = (e: DeliveryAttempt | undefined): boolean => {
      if (!e) return false; // trimmed from the stream, past the retention
      if (query.partner && e.partnerId !== query.partner) return false;
      if (query.story && e.storyUri !== query.story) return false;
      if (query.status && e.outcome !== query.status) return false;
      out.push(e);
      return out.length >= limit;
    };
    const page = Math.max(limit * 2, 200);
    if (!query.story && !query.partner) {
      // Every partner: the stream itself, newest first (in the order the entries were written).
      let end = '+';
      for (;;) {
        const rows = (await this.redis.xrevrange(this.streamKey, end, Number.isFinite(since) ? Math.max(0, Math.floor(since)) : '-', 'COUNT', page)) as StreamEntries;
        for (const [, fields] of rows) if (keep(entryOf(fields))) return out;
        if (rows.length < page) return out;
        end = `(${rows[rows.length - 1]![0]}`;
      }
    }
    const key = query.story ? `${this.prefix}story:${storyHash(query.story)}` : `${this.prefix}partner:${query.partner}`;
    // Page through the index newest-first until `limit` entries pass the filters.
    for (let offset = 0; ; offset += page) {
      const ids = await this.redis.zrevrangebyscore(key, '+inf', since, 'LIMIT', offset, page);
      for (const e of await this.entries(ids)) if (keep(e)) return out;
      if (ids.length < page) return out;
    }
  }

  /** The entries of index members, in order (one pipelined XRANGE per stream id). */
  private async entries(ids: string[]): Promise<Array<DeliveryAttempt | undefined>> {
    const out = new Array<DeliveryAttempt | undefined>(ids.length);
    const p = this.redis.pipeline();
    const slots: number[] = [];
    ids.forEach((id, i) => {
      // The earlier layout kept the whole entry in every index; such members read as they are
      // until they age out.
      if (id.startsWith('{')) out[i] = JSON.parse(id) as DeliveryAttempt;
      else {
        p.xrange(this.streamKey, id, id);
        slots.push(i);
      }
    });
    if (slots.length === 0) return out;
    const results = (await p.exec()) ?? [];
    results.forEach(([err, rows], j) => {
      if (err) throw err;
      const row = (rows as StreamEntries)[0];
      if (row) out[slots[j]!] = entryOf(row[1]);
    });
    return out;
  }

  /** Remove every entry of these partners and stories (tests). */
  async clear(partnerIds: string[], storyUris: string[]): Promise<void> {
    const keys = [...partnerIds.map((p) => `${this.prefix}partner:${p}`), ...storyUris.map((s) => `${this.prefix}story:${storyHash(s)}`)];
    const ids = new Set<string>();
    for (const key of keys) for (const id of await this.redis.zrange(key, 0, -1)) if (!id.startsWith('{')) ids.add(id);
    const p = this.redis.pipeline();
    if (ids.size > 0) p.xdel(this.streamKey, ...ids);
    if (keys.length > 0) p.del(...keys);
    await p.exec();
  }
}

function entryOf(fields: string[]): DeliveryAttempt | undefined {
  const i = fields.indexOf('e');
  return i >= 0 && fields[i + 1] !== undefined ? (JSON.parse(fields[i + 1]!) as DeliveryAttempt) : undefined;
}
