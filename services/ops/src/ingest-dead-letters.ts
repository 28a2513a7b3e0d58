import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DeadLetter, type ArchivedBytes, type ByteRange } from '@wire/queues';
import { OpsError } from './errors';

/** Re-publishes a message to a Kafka topic (the original topic of a dead letter). */
export type Republish = (topic: string, key: string | null, value: Buffer) => Promise<void>;

/** Reads bytes of an S3 object (`S3Objects`): the archived message of a dead letter. */
export interface ArchiveReader {
  object(key: string, range?: ByteRange): Promise<{ body: Buffer } | undefined>;
}

export interface IngestDeadLetterView {
  id: string;
  kind: 'ingest';
  code: string;
  reason: string;
  at: string;
  origin: DeadLetter['origin'];
  /** Size of the original message in bytes. */
  bytes: number;
  /** Tries ingest made before dead-lettering it (when the dead letter says). */
  attempts?: number;
  /** Where the original message is archived in S3 (dead letters written before that carry it inline). */
  raw?: ArchivedBytes;
  replayedAt?: string;
}

/**
 * The ingest dead letters (`wire.dlq`), indexed in Redis so ops can list them and replay one:
 * replay puts the original bytes back on the topic they came from, with their key. The bytes are
 * read from the S3 archive with one Range GET (`raw`) and checked against their SHA-256; dead
 * letters written before the archive reference carry them inline (`value`) and replay as before.
 */
export class IngestDeadLetters {
  private readonly objects: ArchiveReader | undefined;
  private readonly maxKept: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: { objects?: ArchiveReader; maxKept?: number } = {},
  ) {
    this.objects = opts.objects;
    this.maxKept = opts.maxKept ?? 5000;
  }

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
        bytes: dl.bytes ?? Buffer.from(dl.value ?? '', 'base64').length,
      };
      if (dl.attempts !== undefined) view.attempts = dl.attempts;
      if (dl.raw) view.raw = dl.raw;
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

  /** The original message of a dead letter, byte for byte. */
  async originalBytes(dl: DeadLetter): Promise<Buffer> {
    if (!dl.raw) return Buffer.from(dl.value ?? '', 'base64');
    const raw = dl.raw;
    if (raw.length === 0) return Buffer.alloc(0);
    if (!this.objects) throw new OpsError('WIRE_ERR_OPS_UNAVAILABLE', `dead letter "${dl.id}": its message is archived in S3 (${raw.key}) and no S3 reader is configured`, { id: dl.id });
    const got = await this.objects.object(raw.key, { offset: raw.offset, length: raw.length });
    if (!got) throw new OpsError('WIRE_ERR_OPS_UNAVAILABLE', `dead letter "${dl.id}": archived message not found in S3 (${raw.key})`, { id: dl.id, key: raw.key });
    const sha256 = createHash('sha256').update(got.body).digest('hex');
    if (got.body.length !== raw.length || sha256 !== raw.sha256) {
      throw new OpsError('WIRE_ERR_OPS_UNAVAILABLE', `dead letter "${dl.id}": the bytes at ${raw.key} [${raw.offset}, +${raw.length}) do not match the archived SHA-256`, { id: dl.id, key: raw.key });
    }
    return got.body;
  }

  /** Put the original message back on its topic; false when the id is unknown. */
  async replay(id: string, republish: Republish): Promise<boolean> {
    const dl = await this.get(id);
    if (!dl) return false;
    await republish(dl.origin.topic, dl.origin.key, await this.originalBytes(dl));
    await this.redis.hset(this.k('replayed'), id, new Date().toISOString());
    return true;
  }
}
