import { logLevel, Partitioners, type Admin, type Consumer, type Kafka, type LogEntry, type Producer } from 'kafkajs';
import { DeadLetter, StoryEvent } from '@wire/queues';
import type { Logger } from '@wire/observability';
import type { IngestDeadLetters } from './ingest-dead-letters';
import type { LagReader } from './ports';
import type { StoryIndex } from './story-index';

/** kafkajs log lines into pino (`component: kafkajs`); broker connection errors are warnings, not errors. */
export function kafkaLogCreator(logger: Logger) {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const fields = { kafkajs: rest, kafkaMessage: message };
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(fields, 'kafkajs');
      else if (level === logLevel.INFO) log.debug(fields, 'kafkajs');
    };
}

export interface OpsKafkaOptions {
  group: string;
  eventsTopic: string;
  dlqTopic: string;
  /** Groups whose lag is reported, with the topics they consume (empty: every topic the group committed on). */
  lagGroups: Array<{ group: string; topics: string[] }>;
}

/**
 * The ops service's Kafka side: a consumer (its own group) that indexes `stories.events` and
 * `wire.dlq` into Redis, a producer for dead-letter replay, and an admin client for consumer lag
 * and readiness.
 */
export class OpsKafka implements LagReader {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly opts: OpsKafkaOptions,
    private readonly index: StoryIndex,
    private readonly dlq: IngestDeadLetters,
    private readonly log: Logger,
  ) {
    this.consumer = kafka.consumer({ groupId: opts.group, allowAutoTopicCreation: false });
    this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    this.admin = kafka.admin();
  }

  /** Connect and start indexing. Offsets are committed after each message is recorded. */
  async start(): Promise<void> {
    await Promise.all([this.admin.connect(), this.producer.connect(), this.consumer.connect()]);
    this.connected = true;
    await this.consumer.subscribe({ topics: [this.opts.eventsTopic, this.opts.dlqTopic], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (!message.value) return;
        let json: unknown;
        try {
          json = JSON.parse(message.value.toString('utf8'));
        } catch (err) {
          // A record we cannot read is skipped with a log line: the index is a view, not the source of truth.
          this.log.warn({ err, topic, partition, offset: message.offset }, 'unreadable record skipped');
          return;
        }
        if (topic === this.opts.eventsTopic) {
          const ev = StoryEvent.safeParse(json);
          if (ev.success) await this.index.record(ev.data);
          else this.log.warn({ topic, partition, offset: message.offset, issues: ev.error.issues.slice(0, 3) }, 'story event does not match the schema; skipped');
        } else {
          const dl = DeadLetter.safeParse(json);
          if (dl.success) await this.dlq.record(dl.data);
          else this.log.warn({ topic, partition, offset: message.offset }, 'dead letter does not match the schema; skipped');
        }
      },
    });
  }

  /** Put bytes back on a topic (dead-letter replay). */
  async republish(topic: string, key: string | null, value: Buffer): Promise<void> {
    await this.producer.send({ topic, messages: [{ key, value, headers: { 'x-wire-replayed-by': 'ops' } }] });
  }

  /**
   * Lag of each configured group on every topic it has committed offsets for (so a group reading
   * a renamed topic is still measured right): latest offset minus committed offset, per partition.
   */
  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    const out: Array<{ group: string; topic: string; partition: number; lag: number }> = [];
    for (const { group, topics } of this.opts.lagGroups) {
      const committed = await this.admin.fetchOffsets(topics.length > 0 ? { groupId: group, topics } : { groupId: group });
      for (const t of committed) {
        const latest = await this.admin.fetchTopicOffsets(t.topic);
        for (const p of t.partitions) {
          const high = Number(latest.find((l) => l.partition === p.partition)?.high ?? 0);
          const done = Number(p.offset);
          // -1 = the group has committed nothing on this partition yet: everything is lag.
          out.push({ group, topic: t.topic, partition: p.partition, lag: Math.max(0, done < 0 ? high : high - done) });
        }
      }
    }
    return out;
  }

  /** Kafka answers: describeCluster on the admin connection. */
  async ready(): Promise<true | string> {
    if (!this.connected) return 'not connected';
    const c = await this.admin.describeCluster();
    return c.brokers.length > 0 ? true : 'no brokers';
  }

  /** Stop consuming, then close the producer and admin. Every step runs even if one fails. */
  async stop(): Promise<void> {
    const steps = [() => this.consumer.disconnect(), () => this.producer.disconnect(), () => this.admin.disconnect()];
    for (const step of steps) await step().catch((err: Error) => this.log.warn({ err }, 'kafka close step failed'));
  }
}
