import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@wire/observability';
import type { ChunkLedger } from './ledger';
import type { IngestMetrics } from './metrics';
import { PartitionWorker } from './partition-worker';
import type { ChunkOutcome, IngestPipeline } from './pipeline';
import { PartitionPublisher, partitionTransactionalId } from './publisher';

export interface IngestConsumerOptions {
  kafka: Kafka;
  pipeline: IngestPipeline;
  log: Logger;
  metrics?: IngestMetrics;
  topic: string;
  groupId: string;
  /** Prefix of the per-partition transactional ids, the same on every replica (default: the group id). */
  transactionalIdPrefix?: string;
  transactionTimeoutMs?: number;
  /** Records over this size are never sent (see PartitionPublisher). */
  maxRecordBytes?: number;
  /** Chunk plans and verdicts shared by the replicas (see ledger.ts); without it chunks are cut as they come. */
  ledger?: Pick<ChunkLedger, 'plan' | 'split' | 'convict' | 'committed'>;
  /** Names of the infrastructure components that do not answer; without it the infrastructure counts as answering. */
  probe?: () => Promise<string[]>;
  /** Messages per chunk: one transaction (publish + commit) per chunk. */
  chunkSize?: number;
  /** Partitions worked on at once (each in offset order). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Tries of a chunk before it is bisected (see recovery.ts). */
  maxAttempts?: number;
  /** Backoff after a failed attempt: first delay and cap, ms. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Called each time the consumer (re)joins its group (benchmarks time from the first). */
  onJoin?: () => void;
  /** Called when a batch arrives, before any work on it. */
  onBatch?: (info: { partition: number; messages: number }) => void;
  /** Called after each committed chunk (tests and benchmarks watch progress with it). */
  onChunk?: (info: { partition: number; lastOffset: string; outcome: ChunkOutcome }) => void;
}

/** At most `n` holders at once; waiters in arrival order. */
function createTurns(n: number) {
  let free = Math.max(1, n);
  const waiting: Array<() => void> = [];
  return async function turn<T>(fn: () => Promise<T>): Promise<T> {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * The `wire.raw` consumer. kafkajs fetches for the group and hands each partition's batch to
 * that partition's {@link PartitionWorker}, returning at once: kafkajs waits for every batch of a
 * fetch before fetching again, so work done inside `eachBatch` would let one slow or failing
 * partition hold all the others. Each worker cuts chunks, runs the pipeline and publishes +
 * commits each chunk in a transaction of its partition's own producer (fencing: publisher.ts),
 * retrying, bisecting and dead-lettering as recovery.ts says. A partition whose worker holds
 * two chunks' worth of messages is paused until it catches up.
 *
 * On a rebalance, the workers of partitions no longer assigned stop (a commit in flight may still
 * land; the next owner fences the producer and reads the offsets after it). Shutdown stops every
 * worker after its attempt in flight (which commits), then leaves the group.
 */
export function createIngestConsumer(opts: IngestConsumerOptions) {
  const log = opts.log;
  const topic = opts.topic;
  const chunkSize = opts.chunkSize ?? 200;
  const sessionTimeoutMs = opts.sessionTimeoutMs ?? 30_000;
  const heartbeatEveryMs = Math.max(500, Math.floor(sessionTimeoutMs / 6));
  const txnPrefix = opts.transactionalIdPrefix || opts.groupId;
  const turn = createTurns(opts.partitionsConsumedConcurrently ?? 4);
  // One open transaction per process at a time (see PartitionPublisher).
  const transactions = createTurns(1);
  const workers = new Map<number, PartitionWorker>();
  /** Workers stopped but maybe still finishing, so a new one for the partition waits for them. */
  const finishing = new Map<number, Promise<void>>();
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;
  let stopping = false;
  let running = false;
  let stopped: Promise<void> | undefined;

  async function committedOffset(partition: number): Promise<string | undefined> {
    const [t] = await (admin as Admin).fetchOffsets({ groupId: opts.groupId, topics: [topic] });
    const offset = t?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : offset;
  }

  function workerFor(partition: number): PartitionWorker | undefined {
    if (stopping) return undefined;
    let w = workers.get(partition);
    if (w) return w;
    const pausing = [{ topic, partitions: [partition] }];
    w = new PartitionWorker(
      {
        topic,
        partition,
        pipeline: opts.pipeline,
        publisher: new PartitionPublisher(opts.kafka, {
          transactionalId: partitionTransactionalId(txnPrefix, topic, partition),
          consumerGroupId: opts.groupId,
          topic,
          partition,
          log: log.child({ partition }),
          transactionTimeoutMs: opts.transactionTimeoutMs,
          maxRecordBytes: opts.maxRecordBytes,
          serialize: transactions,
        }),
        committedOffset: () => committedOffset(partition),
        ledger: opts.ledger,
        probe: opts.probe ?? (async () => []),
        log,
        metrics: opts.metrics,
        chunkSize,
        maxAttempts: opts.maxAttempts ?? 4,
        retryInitialMs: opts.retryInitialMs ?? 250,
        retryMaxMs: opts.retryMaxMs ?? 10_000,
        retakeDelayMs: 2 * heartbeatEveryMs,
        turn,
        pause: () => consumer?.pause(pausing),
        resume: () => consumer?.resume(pausing),
        onChunk: opts.onChunk,
      },
      finishing.get(partition),
    );
    workers.set(partition, w);
    return w;
  }

  function release(partition: number): void {
    const w = workers.get(partition);
    if (!w) return;
    workers.delete(partition);
    w.stop();
    const done = w.done.finally(() => {
      if (finishing.get(partition) === done) finishing.delete(partition);
    });
    finishing.set(partition, done);
  }

  async function handleBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    opts.onBatch?.({ partition: batch.partition, messages: batch.messages.length });
    if (isStale() || batch.messages.length === 0) return;
    const w = workerFor(batch.partition);
    if (!w) return;
    w.push(
      batch.messages.map((m) => ({ topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value })),
      batch.highWatermark,
    );
    // Only moves kafkajs's fetch position (autoCommit is off): commits are the workers' transactions.
    resolveOffset((batch.messages[batch.messages.length - 1] as { offset: string }).offset);
    await heartbeat();
  }

  return {
    /** Connect, subscribe and start consuming (resolves once the consumer runs). */
    async start(): Promise<void> {
      admin = opts.kafka.admin();
      await admin.connect();
      consumer = opts.kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: false,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatEveryMs,
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxWaitTimeInMs: 200,
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const assigned = new Set(payload.memberAssignment[topic] ?? []);
        for (const partition of [...workers.keys()]) {
          if (assigned.has(partition)) continue;
          log.info({ topic, partition }, 'partition revoked; its worker stops');
          release(partition);
        }
        opts.onJoin?.();
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: handleBatch });
      running = true;
      log.info({ topic, groupId: opts.groupId }, 'ingest consumer started');
    },

    /** True once started and until stopped. */
    isRunning: () => running && !stopping,

    /**
     * Stop taking work, let each partition's attempt in flight finish and commit, leave the group,
     * close the producers. A second call returns the same promise.
     */
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        for (const partition of [...workers.keys()]) release(partition);
        await Promise.all([...finishing.values()]);
        await consumer?.disconnect();
        await admin?.disconnect();
        running = false;
        log.info({ topic }, 'ingest consumer stopped');
      })();
      return stopped;
    },
  };
}
export type IngestConsumer = ReturnType<typeof createIngestConsumer>;
