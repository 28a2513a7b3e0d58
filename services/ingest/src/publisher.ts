import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '@wire/observability';
import { IngestError, IngestErrorCodes } from './errors';
import type { OutRecord } from './pipeline';

/** Keep each produce request well under the broker's 1 MB default batch limit. */
const MAX_REQUEST_BYTES = 512 * 1024;

/** kafkajs error types that mean a newer producer with the same transactional id exists. */
const FENCED_TYPES = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** Thrown once this partition's producer was fenced: another owner took the partition over. */
export class FencedError extends Error {
  readonly code = 'WIRE_ERR_INGEST_FENCED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FencedError';
  }
}

/** True when `err` (or what it wraps) says the producer's epoch is no longer the current one. */
export function isFenced(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e instanceof FencedError || FENCED_TYPES.has(e.type ?? '')) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

/** The transactional id of the producer that publishes what one input partition gives. */
export function partitionTransactionalId(prefix: string, topic: string, partition: number): string {
  return `${prefix}.${topic}.${partition}`;
}

export interface PartitionPublisherOptions {
  /** Same for every replica of the group: `partitionTransactionalId(prefix, topic, partition)`. */
  transactionalId: string;
  consumerGroupId: string;
  topic: string;
  partition: number;
  log: Logger;
  transactionTimeoutMs?: number;
  /** Records larger than this (key + value + headers) are refused before sending (an `IngestError`, see `publishAndCommit`). */
  maxRecordBytes?: number;
  /**
   * Runs each transaction (begin to commit or abort); shared by the partition publishers of a
   * process so that only one of their transactions is open at a time (see the class comment).
   */
  serialize?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Publishes the records of one input partition's chunks and commits the partition's offsets in
 * one Kafka transaction per chunk, so `stories.canonical`, `stories.events` and `wire.dlq` carry
 * each record once even when the process dies between publish and commit.
 *
 * Fencing (kafkajs has no KIP-447): the transactional id belongs to the *input partition*, not to
 * the process, and is the same on every replica. Whoever takes a partition over calls `fence()`
 * before reading the partition's committed offset: the broker bumps the id's epoch, aborts a
 * transaction the previous owner left open (or completes one it was committing), and refuses
 * anything the previous owner sends afterwards (`PRODUCER_FENCED` / `INVALID_PRODUCER_EPOCH`). A
 * replica that stalled mid-chunk and wakes up after the group moved on can therefore neither make
 * its records visible nor move the offsets; the new owner read the offsets after that point.
 *
 * One transaction at a time per process (`serialize`): a process killed with several open
 * transactions leaves them to be aborted in whatever order their partitions are taken over, and
 * kafkajs's read_committed consumer (used by ops, `wire tail` and the tests) mis-filters
 * aborted transactions whose aborts come out of the order they began in — it delivers the
 * records of the earlier one. With one open transaction per process that takes two processes
 * failing at once. The work of a chunk still runs concurrently; only its transaction waits.
 */
export class PartitionPublisher {
  private producer: Producer | undefined;
  private fenced = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: PartitionPublisherOptions,
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
      // milliseconds; with the client's 200 ms first retry every chunk behind it waited that long.
      // Bounded, so a broker that is down comes back to the consumer as a failed attempt it
      // counts, backs off from and reports, rather than a call that never returns.
      retry: { retries: 10, initialRetryTime: 25, maxRetryTime: 5_000 },
    });
  }

  /**
   * Start a producer with this partition's transactional id and initialise it with the broker —
   * fencing every earlier producer with the id (see the class comment). Call it on taking the
   * partition, then read the committed offset. Also after `FencedError`, to take it back.
   */
  async fence(): Promise<void> {
    await this.dropProducer();
    const producer = this.newProducer();
    await producer.connect();
    // kafkajs initialises the producer id when the first transaction begins: begin one (nothing
    // in it, so ending it sends nothing to the broker).
    const txn = await producer.transaction();
    await txn.abort();
    this.producer = producer;
    this.fenced = false;
  }

  /**
   * Publish `records` and commit `nextOffset` (last processed + 1) for the partition, atomically.
   * Throws when the transaction failed (nothing visible, nothing committed): `FencedError` when
   * another owner took the partition, `IngestError` (`WIRE_ERR_INGEST_RECORD_TOO_LARGE`, with the
   * record's input `offset` in its details) for a record over the size limit, never sent.
   * After any other failure the outcome may be unknown to this producer (a commit whose answer
   * was lost): the caller reads the committed offset again before trying again.
   */
  async publishAndCommit(records: OutRecord[], nextOffset: string): Promise<void> {
    if (this.fenced) throw new FencedError(`producer ${this.opts.transactionalId} was fenced`);
    const max = this.opts.maxRecordBytes ?? Number.POSITIVE_INFINITY;
    for (const r of records) {
      const size = recordBytes(r);
      if (size > max) {
        throw new IngestError(IngestErrorCodes.RECORD_TOO_LARGE, `${r.topic} record ${r.key}: ${size} bytes, over INGEST_MAX_RECORD_BYTES (${max})`, { offset: r.origin, bytes: size, limit: max });
      }
    }
    const serialize = this.opts.serialize ?? (<T>(fn: () => Promise<T>) => fn());
    await serialize(() => this.transaction(records, nextOffset));
  }

  private async transaction(records: OutRecord[], nextOffset: string): Promise<void> {
    if (!this.producer) await this.fence();
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
        consumerGroupId: this.opts.consumerGroupId,
        topics: [{ topic: this.opts.topic, partitions: [{ partition: this.opts.partition, offset: nextOffset }] }],
      });
      await txn.commit();
    } catch (err) {
      if (isFenced(err)) {
        this.fenced = true;
        await this.dropProducer();
        throw new FencedError(`producer ${this.opts.transactionalId} was fenced: another owner took ${this.opts.topic}[${this.opts.partition}]`, { cause: err });
      }
      try {
        await txn.abort();
      } catch (abortErr) {
        // The producer is in an unknown state (broker gone, commit answer lost): the next
        // attempt starts a fresh one, whose initialisation settles what this one left open.
        this.opts.log.warn({ err: abortErr, transactionalId: this.opts.transactionalId }, 'transaction abort failed; recreating producer');
        await this.dropProducer();
      }
      throw err;
    }
  }

  private async dropProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    await old?.disconnect().catch((e: unknown) => this.opts.log.warn({ err: e, transactionalId: this.opts.transactionalId }, 'producer disconnect failed'));
  }

  async disconnect(): Promise<void> {
    await this.dropProducer();
  }
}

/** Bytes a record takes on the wire, near enough to compare with the broker's limit. */
export function recordBytes(r: Pick<OutRecord, 'key' | 'value' | 'headers'>): number {
  let n = Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + 64;
  for (const [k, v] of Object.entries(r.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

function* splitBySize(records: OutRecord[]): Generator<OutRecord[]> {
  let batch: OutRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = recordBytes(r);
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
