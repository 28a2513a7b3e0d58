import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@wire/observability';
import type { IngestMetrics } from './metrics';
import type { ChunkOutcome, InboundMessage, IngestPipeline } from './pipeline';
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

/**
 * The `wire.raw` consumer: kafkajs `eachBatch`, one partition's batch in offset order, cut into
 * chunks. Each chunk runs the pipeline, then publishes its records and commits its offsets in
 * one transaction — nothing is committed before every effect of the chunk is durable. An
 * infrastructure failure backs off and retries the same chunk (never skips it); shutdown or a
 * rebalance stops between chunks without committing the unfinished one.
 */
export function createIngestConsumer(opts: IngestConsumerOptions) {
  const log = opts.log;
  const chunkSize = opts.chunkSize ?? 500;
  const initialMs = opts.retryInitialMs ?? 250;
  const maxMs = opts.retryMaxMs ?? 10_000;
  let consumer: Consumer | undefined;
  let stopping = false;
  let running = false;
  let stopped: Promise<void> | undefined;

  async function handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    opts.onBatch?.({ partition, messages: batch.messages.length });
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      const slice = batch.messages.slice(start, start + chunkSize);
      const chunk: InboundMessage[] = slice.map((m) => ({ topic, partition, offset: m.offset, key: m.key, value: m.value }));
      const last = chunk[chunk.length - 1] as InboundMessage;
      for (let attempt = 0; ; attempt++) {
        if (stopping || !isRunning() || isStale()) return; // not committed: re-read after restart/rebalance
        try {
          const outcome = await opts.pipeline.processChunk(chunk);
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
          // Back off in slices, heartbeating so the group keeps this partition here.
          for (let waited = 0; waited < delay && !stopping; waited += 500) {
            await sleep(Math.min(500, delay - waited));
            await heartbeat().catch((e: unknown) => log.warn({ err: e }, 'heartbeat failed during backoff'));
          }
        }
      }
      await heartbeat();
    }
  }

  return {
    /** Connect, subscribe and start consuming (resolves once the consumer runs). */
    async start(): Promise<void> {
      await opts.publisher.connect();
      consumer = opts.kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: false,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: Math.max(1000, Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10)),
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxWaitTimeInMs: 200,
      });
      if (opts.onJoin) consumer.on(consumer.events.GROUP_JOIN, () => opts.onJoin?.());
      await consumer.connect();
      await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 2,
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
