/**
 * The run's Kafka clients: the wire publisher (retries through broker restarts, never drops a
 * message), the reader of `stories.canonical` (read committed, from the start) and ingest's lag.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Topics } from '@wire/queues';
import type { CanonicalFact } from './ledger';

export function kafkaClient(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
  });
}

/** Puts wire envelopes on `wire.raw`, one at a time, in order, until the broker acknowledges each. */
export class WirePublisher {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly onRetry: (err: Error) => void,
  ) {}

  /** Resolves once the broker has the message (all in-sync replicas); retries through outages unless `aborted()`. */
  async send(message: { key: string; value: string; partition: number }, aborted: () => boolean): Promise<boolean> {
    for (;;) {
      try {
        if (!this.producer) {
          const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
          await p.connect();
          this.producer = p;
        }
        await this.producer.send({ topic: Topics.raw, acks: -1, messages: [message] });
        return true;
      } catch (err) {
        this.onRetry(err as Error);
        // A producer that lost its broker may be stuck: start a fresh one.
        const old = this.producer;
        this.producer = undefined;
        await old?.disconnect().catch(() => undefined);
        if (aborted()) return false;
        await sleep(1000);
      }
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}

/**
 * Every committed record of `stories.canonical`, read from the start by a group of its own, up to
 * the end each partition had when the read began (nothing is written to it any more by then).
 */
export async function readCanonical(kafka: Kafka, groupId: string, timeoutMs = 120_000): Promise<CanonicalFact[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(Topics.canonical).finally(() => admin.disconnect());
  // A partition is read to its end once a batch of it leaves no lag (commit markers count: the
  // batch's last offset includes them, though they never reach eachMessage).
  const open = new Set(ends.filter((e) => Number(e.high) > 0).map((e) => e.partition));
  const seen = new Map<string, CanonicalFact>();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (Number(payload.offsetLag) <= 0) open.delete(payload.partition);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topics.canonical, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const header = (name: string) => message.headers?.[name]?.toString();
        // Keyed by position, so a record read twice (a rejoin) counts once.
        seen.set(`${partition}:${message.offset}`, {
          key: message.key?.toString() ?? '',
          version: Number(header('wire-version') ?? NaN),
          mediaFilled: header('wire-media-filled') !== undefined,
        });
      },
    });
    for (const end = Date.now() + timeoutMs; open.size > 0; await sleep(200)) {
      if (Date.now() > end) throw new Error(`stories.canonical: partitions ${[...open].join(', ')} not read to their end within ${timeoutMs / 1000} s`);
    }
  } finally {
    await consumer.disconnect();
  }
  return [...seen.values()];
}

/** Messages of `wire.raw` the ingest group has not committed yet (0 once it caught up). */
export async function ingestLag(kafka: Kafka, groupId = 'ingest'): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(Topics.raw), admin.fetchOffsets({ groupId, topics: [Topics.raw] })]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, e) => sum + Math.max(0, Number(e.high) - Math.max(0, done.get(e.partition) ?? 0)), 0);
  } finally {
    await admin.disconnect();
  }
}
