import type { Redis } from 'ioredis';

/**
 * Tells a re-sent message from a replay. The first message to carry a story version with a given
 * content hash claims it under its own Kafka position (`topic:partition:offset:index`). A replay
 * after a crash finds its own claim and runs every step again; a later re-send finds another
 * owner and is a duplicate of that version — so a version is published once, however often
 * agencies re-send it and however often ingest crashes.
 */
export class ResendClaims {
  constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; ttlSeconds: number },
  ) {}

  key(uri: string, version: number, contentHash: string): string {
    return `${this.opts.prefix}ingest:claim:${uri}:${version}:${contentHash}`;
  }

  /** Claim each key for its owner (in order); returns the owner that holds each key afterwards. */
  async claim(items: Array<{ key: string; owner: string }>): Promise<string[]> {
    if (items.length === 0) return [];
    // SET … NX GET: sets when absent and returns the previous value (null when we set it).
    const replies = await this.redis.pipeline(items.map((i) => ['set', i.key, i.owner, 'EX', String(this.opts.ttlSeconds), 'NX', 'GET'])).exec();
    if (!replies) throw new Error('redis pipeline returned no replies');
    return replies.map(([err, previous], n) => {
      if (err) throw err;
      return typeof previous === 'string' ? previous : (items[n] as { owner: string }).owner;
    });
  }
}
