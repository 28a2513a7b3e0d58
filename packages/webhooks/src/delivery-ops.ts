import type { Redis } from 'ioredis';
import type { JobsOptions, Queue } from 'bullmq';
import { DeadLetterStore, type DeadLetterRecord, type ReplayResult } from './dead-letters';
import { DeliveryLog, type DeliveryAttempt, type DeliveryQuery } from './delivery-log';

/** What the ops API calls: the delivery log, dead letters and replays. */
export interface DeliveryOps {
  listDeliveries(query?: DeliveryQuery): Promise<DeliveryAttempt[]>;
  listDeadLetters(query?: { partner?: string; since?: string | number; limit?: number }): Promise<DeadLetterRecord[]>;
  replayDeadLetter(id: string): Promise<ReplayResult>;
  replayPartnerFailures(partnerId: string, since: string | number): Promise<ReplayResult[]>;
}

export interface DeliveryOpsDeps {
  redis: Redis;
  /** The BullMQ deliver queue (same name and prefix as the worker's). */
  deliverQueue: Queue;
  /** Redis key prefix shared with the worker (default `wire:`). */
  prefix?: string;
  logRetentionDays?: number;
  deadLetterRetentionDays?: number;
  /** Options for dead letters re-added when BullMQ already removed the failed job. */
  jobOptions?: JobsOptions;
}

/**
 * The ops-facing functions over the same Redis keys the delivery worker writes.
 *
 * @example
 * const ops = createDeliveryOps({ redis, deliverQueue: new Queue(Queues.deliver, { connection }) });
 * await ops.listDeliveries({ partner: 'daily', status: 'delivered' });
 */
export function createDeliveryOps(deps: DeliveryOpsDeps): DeliveryOps {
  const log = new DeliveryLog(deps.redis, { prefix: deps.prefix, retentionDays: deps.logRetentionDays });
  const dead = new DeadLetterStore(deps.redis, deps.deliverQueue, {
    prefix: deps.prefix,
    retentionDays: deps.deadLetterRetentionDays,
    jobOptions: deps.jobOptions,
  });
  return {
    listDeliveries: (query) => log.listDeliveries(query),
    listDeadLetters: (query) => dead.listDeadLetters(query),
    replayDeadLetter: (id) => dead.replayDeadLetter(id),
    replayPartnerFailures: (partnerId, since) => dead.replayPartnerFailures(partnerId, since),
  };
}
