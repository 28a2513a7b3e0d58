import type { Redis } from 'ioredis';
import type { Verdict } from './pipeline';

/** Where one chunk of a partition starts and ends (offsets, inclusive). */
export interface ChunkBounds {
  from: string;
  to: string;
}

/** What the ledger knows of a chunk about to be worked on. */
export interface ChunkPlan {
  /** The chunk's last offset: the one planned before, if any, else the one proposed. */
  to: string;
  /** Messages of the partition already found to fail on their own, by offset. */
  verdicts: Map<string, Verdict>;
}

/**
 * What ingest remembers in Redis about the chunks of each input partition until they are
 * committed, shared by every replica of the consumer group:
 *
 * - **plans**: where each chunk ends, recorded before any of its work. Whoever works on the chunk
 *   again — the same process after a failed attempt, a restart after kill -9, another replica
 *   after a rebalance — cuts it at the same offsets, so its routed jobs (batch jobs are named by
 *   the deliveries they carry) come out the same and no delivery is carried by two jobs. A
 *   bisection records the halves the same way, so a crash in the middle of one resumes it.
 * - **verdicts**: messages found to fail on their own. A re-run dead-letters them straight away
 *   instead of bisecting again: a poison message costs its partition one bisection.
 *
 * Both are dropped when the chunk commits; a TTL bounds anything left behind.
 */
export class ChunkLedger {
  private readonly ttl: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: { prefix: string; group: string; ttlSeconds?: number },
  ) {
    this.ttl = opts.ttlSeconds ?? 14 * 86_400;
  }

  private key(kind: 'plans' | 'verdicts', topic: string, partition: number): string {
    return `${this.opts.prefix}ingest:${kind}:${this.opts.group}:${topic}:${partition}`;
  }

  /**
   * The plan of the chunk starting at `from`: the end recorded before, or `proposedTo` (recorded
   * now), and the partition's verdicts — one round trip.
   */
  async plan(topic: string, partition: number, from: string, proposedTo: string): Promise<ChunkPlan> {
    const plans = this.key('plans', topic, partition);
    const replies = await this.redis
      .multi()
      .hsetnx(plans, from, proposedTo)
      .expire(plans, this.ttl)
      .hget(plans, from)
      .hgetall(this.key('verdicts', topic, partition))
      .exec();
    if (!replies) throw new Error('redis transaction returned no replies');
    for (const [err] of replies) if (err) throw err;
    const to = (replies[2]?.[1] as string | null) ?? proposedTo;
    const verdicts = new Map<string, Verdict>();
    for (const [offset, json] of Object.entries((replies[3]?.[1] as Record<string, string>) ?? {})) verdicts.set(offset, JSON.parse(json) as Verdict);
    return { to, verdicts };
  }

  /** Record the parts a chunk was split into (each replaces the plan starting at its `from`). */
  async split(topic: string, partition: number, parts: readonly ChunkBounds[]): Promise<void> {
    const plans = this.key('plans', topic, partition);
    const m = this.redis.multi();
    for (const p of parts) m.hset(plans, p.from, p.to);
    await m.expire(plans, this.ttl).exec();
  }

  /** Record that the message at `offset` fails on its own. */
  async convict(topic: string, partition: number, offset: string, verdict: Verdict): Promise<void> {
    const verdicts = this.key('verdicts', topic, partition);
    await this.redis.multi().hset(verdicts, offset, JSON.stringify(verdict)).expire(verdicts, this.ttl).exec();
  }

  /** Forget the plan of a committed chunk and the verdicts of its messages. */
  async committed(topic: string, partition: number, from: string, verdictOffsets: readonly string[]): Promise<void> {
    const m = this.redis.multi().hdel(this.key('plans', topic, partition), from);
    if (verdictOffsets.length > 0) m.hdel(this.key('verdicts', topic, partition), ...verdictOffsets);
    await m.exec();
  }
}
