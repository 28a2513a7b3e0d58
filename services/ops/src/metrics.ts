import { QueueEvents, type ConnectionOptions, type Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from '@wire/observability';
import type { Logger } from '@wire/observability';
import type { IngestDeadLetters } from './ingest-dead-letters';
import { isSuccess } from './live';
import type { DeliveryAdmin, LagReader } from './ports';
import type { StoryIndex } from './story-index';

export interface PipelineMetricsDeps {
  registry: Registry;
  queues: Queue[];
  stories: StoryIndex;
  ingestDeadLetters: IngestDeadLetters;
  deliveries?: DeliveryAdmin;
  lag?: LagReader;
  log: Logger;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The pipeline-wide metrics ops serves on `/metrics`. Gauges are read at scrape time (queue
 * depths, consumer lag, decisions, dead letters); job throughput is counted from BullMQ's event
 * streams (`watchQueues`); latency histograms are fed by `poll()`, which reads new delivery-log
 * entries and finished translate jobs since the last poll.
 */
export class PipelineMetrics {
  private deliveryWatermark = new Date().toISOString();
  private translateWatermark = Date.now();
  readonly deliveryLatency: Histogram<'partner'>;
  readonly endToEnd: Histogram<'partner'>;
  readonly translationLatency: Histogram<'language'>;
  readonly queueEvents: Counter<'queue' | 'event'>;

  constructor(private readonly deps: PipelineMetricsDeps) {
    const { registry, queues, stories, ingestDeadLetters, deliveries, lag, log } = deps;
    const safe = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        log.debug({ err, metric: what }, 'metric collection failed');
      }
    };
    new Gauge({
      name: 'wire_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        await safe('queue jobs', async () => {
          this.reset();
          for (const q of queues) {
            const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'paused');
            for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
          }
        });
      },
    });
    new Gauge({
      name: 'wire_consumer_lag',
      help: 'Kafka consumer lag in messages by group, topic and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      async collect() {
        if (!lag) return;
        await safe('consumer lag', async () => {
          this.reset();
          for (const l of await lag.lag()) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
        });
      },
    });
    new Gauge({
      name: 'wire_dedupe_decisions',
      help: 'Dedupe/versioning decisions seen on stories.events, by kind (monotonic)',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        await safe('decisions', async () => {
          for (const [kind, n] of Object.entries(await stories.decisionCounts())) this.set({ kind }, n);
        });
      },
    });
    new Gauge({
      name: 'wire_dead_letters',
      help: 'Dead letters by kind (ingest: wire.dlq total; delivery: currently held)',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        await safe('dead letters', async () => {
          this.set({ kind: 'ingest' }, await ingestDeadLetters.count());
          if (deliveries) this.set({ kind: 'delivery' }, (await deliveries.deadLetters(10_000)).length);
        });
      },
    });
    this.queueEvents = new Counter({
      name: 'wire_queue_jobs_total',
      help: 'BullMQ job events seen by ops, by queue and event (completed, failed, stalled); rate() gives throughput',
      labelNames: ['queue', 'event'],
      registers: [registry],
    });
    this.deliveryLatency = new Histogram({
      name: 'wire_delivery_attempt_seconds',
      help: 'Webhook delivery attempt latency (request to response) by partner',
      labelNames: ['partner'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.endToEnd = new Histogram({
      name: 'wire_delivery_end_to_end_seconds',
      help: 'From the wire message being received to the partner answering 2xx, by partner',
      labelNames: ['partner'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.translationLatency = new Histogram({
      name: 'wire_translation_seconds',
      help: 'Translate job latency (enqueued to finished) by target language',
      labelNames: ['language'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }

  /**
   * Count completed, failed and stalled jobs of every queue from BullMQ's event stream (one
   * blocking Redis connection per queue). `ready` resolves once every stream is being read.
   */
  watchQueues(connection: () => ConnectionOptions): { ready: Promise<void>; stop: () => Promise<void> } {
    const watchers = this.deps.queues.map((q) => {
      const events = new QueueEvents(q.name, { connection: connection(), prefix: q.opts.prefix });
      for (const event of ['completed', 'failed', 'stalled'] as const) {
        events.on(event, () => this.queueEvents.inc({ queue: q.name, event }));
      }
      events.on('error', (err) => this.deps.log.debug({ err, queue: q.name }, 'queue events error'));
      return events;
    });
    return {
      ready: Promise.all(watchers.map((w) => w.waitUntilReady())).then(() => undefined),
      stop: async () => {
        await Promise.all(watchers.map((w) => w.close()));
      },
    };
  }

  /** Observe delivery attempts and translations finished since the last poll. */
  async poll(): Promise<void> {
    const { deliveries, queues } = this.deps;
    if (deliveries) {
      const recent = await deliveries.list({ limit: 5000 });
      let newest = this.deliveryWatermark;
      for (const r of recent) {
        if (r.at <= this.deliveryWatermark) continue;
        if (r.at > newest) newest = r.at;
        if (typeof r.latencyMs === 'number') this.deliveryLatency.observe({ partner: r.partnerId }, r.latencyMs / 1000);
        // The delivery log records wire-received → 2xx itself (endToEndMs); older shapes carry receivedAt.
        const received = typeof r.receivedAt === 'string' ? Date.parse(r.receivedAt) : NaN;
        const e2eMs = typeof r.endToEndMs === 'number' ? r.endToEndMs : Number.isFinite(received) ? Date.parse(r.at) - received : undefined;
        if (isSuccess(r) && e2eMs !== undefined) this.endToEnd.observe({ partner: r.partnerId }, Math.max(0, e2eMs) / 1000);
      }
      this.deliveryWatermark = newest;
    }
    const translate = queues.find((q) => q.name === 'translate');
    if (translate) {
      const done = await translate.getJobs(['completed'], 0, 499);
      let newest = this.translateWatermark;
      for (const job of done) {
        if (!job.finishedOn || job.finishedOn <= this.translateWatermark) continue;
        newest = Math.max(newest, job.finishedOn);
        const lang = (job.data as { targetLanguage?: string }).targetLanguage ?? 'unknown';
        this.translationLatency.observe({ language: lang }, (job.finishedOn - job.timestamp) / 1000);
      }
      this.translateWatermark = newest;
    }
  }
}
