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
 *
 * One producer runs one transaction at a time, and chunks that arrive while one runs (other
 * partitions' chunks: a partition waits for its own commit before its next chunk) go together
 * in the next one — a group commit. A transaction costs the broker about the same whatever it
 * carries (markers on every partition, the coordinator's log), so merging the chunks of the
 * partitions worked on concurrently divides that cost between them. When a group's transaction
 * fails (nothing of it is visible), each of its chunks is tried again in a transaction of its
 * own, so a chunk that can never commit fails alone.
 */
export class TransactionalPublisher {
  private producer: Producer | undefined;
  private waiting: Array<{ records: OutRecord[]; offsets: CommitOffsets; resolve: () => void; reject: (err: unknown) => void }> = [];
  private running: Promise<void> | undefined;

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

  /**
   * Publish `records` and commit `offsets` atomically (with whatever other chunks share the
   * transaction). Throws when the transaction failed (nothing visible, nothing committed).
   */
  publishAndCommit(records: OutRecord[], offsets: CommitOffsets): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, offsets, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Runs transactions until nothing waits: each takes every chunk waiting when it starts. */
  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      try {
        await this.runTransaction(
          group.flatMap((g) => g.records),
          group.map((g) => g.offsets),
        );
        for (const g of group) g.resolve();
      } catch (err) {
        if (group.length === 1) {
          group[0]!.reject(err);
          continue;
        }
        // Nothing of the group is visible: each chunk goes again on its own, so one chunk that
        // can never commit does not hold the other partitions back with it.
        for (const g of group) {
          try {
            await this.runTransaction(g.records, [g.offsets]);
            g.resolve();
          } catch (own) {
            g.reject(own);
          }
        }
      }
    }
    this.running = undefined;
  }

  private async runTransaction(records: OutRecord[], offsets: CommitOffsets[]): Promise<void> {
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
      // Offsets per group and topic; a later chunk of a partition (there is none in one group
      // from the consumer, which waits for each commit) would carry the higher offset.
      const byGroup = new Map<string, Map<string, Map<number, string>>>();
      for (const o of offsets) {
        const topics = byGroup.get(o.consumerGroupId) ?? new Map<string, Map<number, string>>();
        byGroup.set(o.consumerGroupId, topics);
        const parts = topics.get(o.topic) ?? new Map<number, string>();
        topics.set(o.topic, parts);
        const had = parts.get(o.partition);
        if (had === undefined || BigInt(o.offset) > BigInt(had)) parts.set(o.partition, o.offset);
      }
      for (const [consumerGroupId, topics] of byGroup) {
        await txn.sendOffsets({
          consumerGroupId,
          topics: [...topics].map(([topic, parts]) => ({ topic, partitions: [...parts].map(([partition, offset]) => ({ partition, offset })) })),
        });
      }
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
    await this.running;
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
