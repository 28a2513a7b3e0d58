import type { Redis } from 'ioredis';
import { storyHash } from '@wire/queues';

/** A pipeline or a Redis client: where `addInto` queues its writes. */
export interface SetWriter {
  sadd(key: string, ...members: string[]): unknown;
  expire(key: string, seconds: number): unknown;
}

/**
 * Which partners a story has been routed to or delivered to (any version, any language), so
 * kills and corrections reach every earlier recipient even if its filters changed since.
 * One Redis set per story, expiring `ttlDays` after its last write.
 */
export class RecipientsRegister {
  private readonly prefix: string;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string; ttlDays?: number } = {},
  ) {
    this.prefix = `${options.prefix ?? 'wire:'}recipients:`;
    this.ttlSec = Math.round((options.ttlDays ?? 30) * 86_400);
  }

  private key(storyUri: string): string {
    return this.prefix + storyHash(storyUri);
  }

  /** Record partners as recipients of the story. */
  async add(storyUri: string, partnerIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(partnerIds)];
    if (ids.length === 0) return;
    const key = this.key(storyUri);
    await this.redis.multi().sadd(key, ...ids).expire(key, this.ttlSec).exec();
  }

  /**
   * Record the recipients of several stories in one round trip (the route step of a batch: one
   * transaction instead of one per story — building an ioredis pipeline on a connection BullMQ
   * shares copies all of BullMQ's scripts, so it is worth building once).
   */
  async addMany(byStory: Iterable<[storyUri: string, partnerIds: Iterable<string>]>): Promise<void> {
    const writes: Array<[string, string[]]> = [];
    for (const [uri, partnerIds] of byStory) {
      const ids = [...new Set(partnerIds)];
      if (ids.length > 0) writes.push([this.key(uri), ids]);
    }
    if (writes.length === 0) return;
    const m = this.redis.multi();
    for (const [key, ids] of writes) m.sadd(key, ...ids).expire(key, this.ttlSec);
    await m.exec();
  }

  /**
   * Queue the same writes on a caller's pipeline, or on a client with `enableAutoPipelining`
   * (to share a round trip). Returns what the writer returned (on a client, promises to await).
   */
  addInto(p: SetWriter, storyUri: string, partnerIds: string[]): unknown[] {
    if (partnerIds.length === 0) return [];
    const key = this.key(storyUri);
    return [p.sadd(key, ...partnerIds), p.expire(key, this.ttlSec)];
  }

  /** The partner ids that received (or were routed) any version of the story. */
  async list(storyUri: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(storyUri))).sort();
  }
}
