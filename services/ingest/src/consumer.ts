import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@wire/observability';
import type { IngestMetrics } from './metrics';
import type { ChunkOutcome, InboundMessage, IngestPipeline, PreparedChunk } from './pipeline';
import type { TransactionalPublisher } from './publisher';

export interface IngestConsumerOptions {
  kafka: Kafka;
  pipeline: IngestPipeline;
  publisher: TransactionalPublisher;
  log: Logger;
  metrics?: IngestMetrics;
  topic: string;
  groupId: string;
  /** Messages per chunk: one transaction (publish + commit) per chunk. */
  chunkSize?: number;
  /** Partitions worked on at once (each in offset order). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Backoff after an infrastructure failure: first delay and cap, ms. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Called each time the consumer (re)joins its group (benchmarks time from the first). */
  onJoin?: () => void;
  /** Called when a batch arrives, before any work on it. */
  onBatch?: (info: { partition: number; messages: number }) => void;
  /** Called after each committed chunk (tests and benchmarks watch progress with it). */
  onChunk?: (info: { partition: number; lastOffset: string; outcome: ChunkOutcome }) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kafkajs error types that mean this member lost its partitions (rebalance, expired session). */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

/**
 * The `wire.raw` consumer: kafkajs `eachBatch`, one partition's batch in offset order, cut into
 * chunks. Each chunk runs the pipeline, then publishes its records and commits its offsets in
 * one transaction — nothing is committed before every effect of the chunk is durable. An
 * infrastructure failure backs off and retries the same chunk (never skips it); shutdown or a
 * rebalance stops between chunks without committing the unfinished one.
 */
export function createIngestConsumer(opts: IngestConsumerOptions) {
  const log = opts.log;
  const chunkSize = opts.chunkSize ?? 200;
  const initialMs = opts.retryInitialMs ?? 250;
  const maxMs = opts.retryMaxMs ?? 10_000;
  const sessionTimeoutMs = opts.sessionTimeoutMs ?? 30_000;
  const heartbeatEveryMs = Math.max(500, Math.floor(sessionTimeoutMs / 6));
  let consumer: Consumer | undefined;
  let stopping = false;
  let running = false;
  let stopped: Promise<void> | undefined;

  async function handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    opts.onBatch?.({ partition, messages: batch.messages.length });
    // kafkajs only heartbeats when asked: keep the membership alive while a chunk is worked on,
    // and notice when the group moved on without us (then nothing of this batch is committed).
    let groupLost = false;
    const beat = () =>
      heartbeat().catch((err: unknown) => {
        if (REBALANCE_ERRORS.has((err as { type?: string }).type ?? '')) groupLost = true;
        else log.warn({ err, topic, partition }, 'heartbeat failed');
      });
    const ticker = setInterval(() => void beat(), heartbeatEveryMs);
    const gone = () => stopping || groupLost || !isRunning() || isStale();
    const chunks: InboundMessage[][] = [];
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      chunks.push(batch.messages.slice(start, start + chunkSize).map((m) => ({ topic, partition, offset: m.offset, key: m.key, value: m.value })));
    }
    // The next chunk is prepared (archive, normalize, media) while this one is finished (dedupe,
    // canonical JSON, routes, transaction): preparing needs nothing from earlier chunks.
    let prefetch: { index: number; run: Promise<PreparedChunk> } | undefined;
    const prepare = (index: number) => {
      const run = opts.pipeline.prepareChunk(chunks[index] as InboundMessage[]);
      run.catch(() => undefined); // awaited (and its error handled) when its turn comes
      return { index, run };
    };
    try {
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i] as InboundMessage[];
        const last = chunk[chunk.length - 1] as InboundMessage;
        for (let attempt = 0; ; attempt++) {
          if (gone()) return; // not committed: re-read after restart/rebalance
          try {
            const current = prefetch?.index === i ? prefetch : prepare(i);
            prefetch = undefined;
            const prepared = await current.run;
            if (i + 1 < chunks.length && !gone()) prefetch = prepare(i + 1);
            const outcome = await opts.pipeline.finishChunk(prepared);
            // Every effect is durable now; commit it (also when stopping: finish what we started),
            // but only while the partition is still ours.
            if (groupLost || isStale()) return;
            const end = opts.metrics?.stepSeconds.startTimer({ step: 'publish_commit' });
            await opts.publisher.publishAndCommit(outcome.records, {
              consumerGroupId: opts.groupId,
              topic,
              partition,
              offset: (BigInt(last.offset) + 1n).toString(),
            });
            end?.();
            resolveOffset(last.offset);
            opts.metrics?.lag.set({ topic, partition: String(partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)));
            log.info({ topic, partition, fromOffset: chunk[0]?.offset, toOffset: last.offset, stories: outcome.stories, deadLetters: outcome.deadLetters }, 'chunk committed');
            opts.onChunk?.({ partition, lastOffset: last.offset, outcome });
            break;
          } catch (err) {
            const delay = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 10));
            opts.metrics?.infraRetries.inc();
            log.error({ err, topic, partition, fromOffset: chunk[0]?.offset, toOffset: last.offset, attempt, delayMs: delay }, 'chunk failed; retrying after backoff');
            for (let waited = 0; waited < delay && !gone(); waited += 250) await sleep(Math.min(250, delay - waited));
          }
        }
        await beat();
      }
    } finally {
      // Leave no preparation running behind us (its clients are about to close on shutdown).
      await prefetch?.run.catch(() => undefined);
      clearInterval(ticker);
    }
  }

  return {
    /** Connect, subscribe and start consuming (resolves once the consumer runs). */
    async start(): Promise<void> {
      await opts.publisher.connect();
      consumer = opts.kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: false,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatEveryMs,
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxWaitTimeInMs: 200,
      });
      if (opts.onJoin) consumer.on(consumer.events.GROUP_JOIN, () => opts.onJoin?.());
      await consumer.connect();
      await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
        eachBatch: handleBatch,
      });
      running = true;
      log.info({ topic: opts.topic, groupId: opts.groupId }, 'ingest consumer started');
    },

    /** True once started and until stopped. */
    isRunning: () => running && !stopping,

    /**
     * Stop fetching, let the chunk in flight finish and commit, leave the group, close the
     * producer. A second call returns the same promise.
     */
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        await consumer?.disconnect();
        running = false;
        await opts.publisher.disconnect();
        log.info({ topic: opts.topic }, 'ingest consumer stopped');
      })();
      return stopped;
    },
  };
}
export type IngestConsumer = ReturnType<typeof createIngestConsumer>;
