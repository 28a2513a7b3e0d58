import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '@wire/observability';
import type { OutRecord } from './pipeline';

/** Offsets to commit with a transaction: the next offset to read, per partition. */
export interface CommitOffsets {
  consumerGroupId: string;
  topic: string;
  partition: number;
  /** The offset of the next message to consume (last processed + 1). */
  offset: string;
}

/** Keep each produce request well under the broker's 1 MB default batch limit. */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Publishes a chunk's records and commits its consumer offsets in one Kafka transaction, so
 * `stories.canonical`, `stories.events` and `wire.dlq` carry each record once even when the
 * process dies between publish and commit (the open transaction is aborted when the next
 * producer with the same `transactionalId` starts; read_committed consumers never see it).
 * Transactions are serialized: one producer runs one transaction at a time.
 */
export class TransactionalPublisher {
  private producer: Producer | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: { transactionalId: string; log: Logger; transactionTimeoutMs?: number },
  ) {}

  private newProducer(): Producer {
    return this.kafka.producer({
      transactionalId: this.opts.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.opts.transactionTimeoutMs ?? 60_000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Back-to-back transactions: the next one's first request can find the broker still
      // writing the previous one's commit markers (CONCURRENT_TRANSACTIONS), which clears in
      // milliseconds. With the client's 200 ms first retry every chunk behind it waited that long.
      // (Unlimited retries, as kafkajs gives an idempotent producer by default.)
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 25, maxRetryTime: 5_000 },
    });
  }

  async connect(): Promise<void> {
    if (this.producer) return;
    const producer = this.newProducer();
    await producer.connect();
    this.producer = producer;
  }

  /** Publish `records` and commit `offsets` atomically. Throws when the transaction failed (nothing visible, nothing committed). */
  publishAndCommit(records: OutRecord[], offsets: CommitOffsets): Promise<void> {
    const run = this.queue.then(() => this.runTransaction(records, offsets));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runTransaction(records: OutRecord[], offsets: CommitOffsets): Promise<void> {
    await this.connect();
    const producer = this.producer as Producer;
    const txn = await producer.transaction();
    try {
      for (const batch of splitBySize(records)) {
        const byTopic = new Map<string, Array<{ key: string; value: string; headers?: Record<string, string> }>>();
        for (const r of batch) {
          const list = byTopic.get(r.topic) ?? [];
          list.push({ key: r.key, value: r.value, headers: r.headers });
          byTopic.set(r.topic, list);
        }
        await txn.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      }
      await txn.sendOffsets({
        consumerGroupId: offsets.consumerGroupId,
        topics: [{ topic: offsets.topic, partitions: [{ partition: offsets.partition, offset: offsets.offset }] }],
      });
      await txn.commit();
    } catch (err) {
      try {
        await txn.abort();
      } catch (abortErr) {
        // The producer is in an unknown state (fenced, broker gone): start a fresh one next time;
        // its initialisation aborts whatever this one left open.
        this.opts.log.warn({ err: abortErr }, 'transaction abort failed; recreating producer');
        const old = this.producer;
        this.producer = undefined;
        await old?.disconnect().catch((e: unknown) => this.opts.log.warn({ err: e }, 'producer disconnect failed'));
      }
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    await this.queue;
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect();
  }
}

function* splitBySize(records: OutRecord[]): Generator<OutRecord[]> {
  let batch: OutRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = r.value.length + r.key.length + 64;
    if (batch.length > 0 && size + n > MAX_REQUEST_BYTES) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(r);
    size += n;
  }
  if (batch.length > 0) yield batch;
}
