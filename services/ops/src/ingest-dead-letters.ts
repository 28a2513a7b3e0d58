import type { Redis } from 'ioredis';
import { DeadLetter } from '@wire/queues';

/** Re-publishes a message to a Kafka topic (the original topic of a dead letter). */
export type Republish = (topic: string, key: string | null, value: Buffer) => Promise<void>;

export interface IngestDeadLetterView {
  id: string;
  kind: 'ingest';
  code: string;
  reason: string;
  at: string;
  origin: DeadLetter['origin'];
  /** Size of the original message in bytes (the bytes themselves stay in the record). */
  bytes: number;
  replayedAt?: string;
}

/**
 * The ingest dead letters (`wire.dlq`), indexed in Redis so ops can list them and replay one:
 * replay puts the original bytes back on the topic they came from, with their key.
 */
export class IngestDeadLetters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxKept = 5000,
  ) {}

  private k(name: string): string {
    return `${this.prefix}dlq:${name}`;
  }

  /** Index one dead letter from `wire.dlq` (idempotent by id). */
  async record(dl: DeadLetter): Promise<void> {
    const added = await this.redis.hsetnx(this.k('records'), dl.id, JSON.stringify(dl));
    if (added === 0) return;
    await this.redis.multi().lpush(this.k('order'), dl.id).incr(this.k('count')).exec();
    const overflow = await this.redis.lrange(this.k('order'), this.maxKept, -1);
    if (overflow.length > 0) {
      await this.redis.multi().ltrim(this.k('order'), 0, this.maxKept - 1).hdel(this.k('records'), ...overflow).exec();
    }
  }

  /** Newest first. */
  async list(limit: number): Promise<IngestDeadLetterView[]> {
    const ids = await this.redis.lrange(this.k('order'), 0, Math.max(0, limit - 1));
    if (ids.length === 0) return [];
    const [records, replayed] = await Promise.all([this.redis.hmget(this.k('records'), ...ids), this.redis.hmget(this.k('replayed'), ...ids)]);
    return ids.flatMap((id, i) => {
      const raw = records[i];
      if (!raw) return [];
      const dl = DeadLetter.parse(JSON.parse(raw));
      const view: IngestDeadLetterView = {
        id: dl.id,
        kind: 'ingest',
        code: dl.code,
        reason: dl.reason,
        at: dl.at,
        origin: dl.origin,
        bytes: Buffer.from(dl.value, 'base64').length,
      };
      const r = replayed[i];
      if (r) view.replayedAt = r;
      return [view];
    });
  }

  /** Total dead letters seen (including ones that fell off the kept list). */
  async count(): Promise<number> {
    return Number((await this.redis.get(this.k('count'))) ?? 0);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const raw = await this.redis.hget(this.k('records'), id);
    return raw ? DeadLetter.parse(JSON.parse(raw)) : undefined;
  }

  /** Put the original message back on its topic; false when the id is unknown. */
  async replay(id: string, republish: Republish): Promise<boolean> {
    const dl = await this.get(id);
    if (!dl) return false;
    await republish(dl.origin.topic, dl.origin.key, Buffer.from(dl.value, 'base64'));
    await this.redis.hset(this.k('replayed'), id, new Date().toISOString());
    return true;
  }
}
