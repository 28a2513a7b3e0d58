import { Counter, Gauge, Histogram, type Registry } from '@wire/observability';

/** The ingest service's Prometheus metrics (prefix `wire_ingest_`). */
export function createIngestMetrics(registry: Registry) {
  return {
    messages: new Counter({ name: 'wire_ingest_messages_total', help: 'Raw messages handled, by outcome (stored, dead_letter)', labelNames: ['outcome'], registers: [registry] }),
    stories: new Counter({ name: 'wire_ingest_stories_total', help: 'Stories normalized', registers: [registry] }),
    decisions: new Counter({ name: 'wire_ingest_decisions_total', help: 'Dedupe decisions, by kind', labelNames: ['kind'], registers: [registry] }),
    deadLetters: new Counter({ name: 'wire_ingest_dead_letters_total', help: 'Messages sent to the dead-letter topic, by error code', labelNames: ['code'], registers: [registry] }),
    images: new Counter({ name: 'wire_ingest_images_total', help: 'Images, by outcome (stored, reused, deferred, dropped)', labelNames: ['outcome'], registers: [registry] }),
    jobs: new Counter({ name: 'wire_ingest_jobs_enqueued_total', help: 'Route and media-retry jobs requested (deterministic ids; repeats are no-ops)', registers: [registry] }),
    infraRetries: new Counter({
      name: 'wire_ingest_infra_retries_total',
      help: 'Chunk attempts that failed and were tried again, by cause (infrastructure: a connection, timeout or 5xx error, or a probe that failed; other: anything else)',
      labelNames: ['cause'],
      registers: [registry],
    }),
    bisections: new Counter({ name: 'wire_ingest_bisections_total', help: 'Chunks split in two to find the message(s) that fail on their own', registers: [registry] }),
    probes: new Counter({ name: 'wire_ingest_infra_probes_total', help: 'Infrastructure probes after a chunk kept failing, by result (healthy, unhealthy)', labelNames: ['result'], registers: [registry] }),
    fenced: new Counter({ name: 'wire_ingest_fenced_total', help: 'Partitions given up because another owner fenced their producer (or the group moved on)', registers: [registry] }),
    retrying: new Gauge({ name: 'wire_ingest_partition_retrying', help: '1 while a partition is retrying or bisecting a chunk that failed', labelNames: ['topic', 'partition'], registers: [registry] }),
    recoverySeconds: new Histogram({
      name: 'wire_ingest_recovery_seconds',
      help: 'From the first failure of a chunk until its partition committed again (retries, probes and bisection included)',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    normalizeBudgets: new Counter({ name: 'wire_ingest_normalize_budget_exceeded_total', help: 'Documents that exceeded a normalize budget, by budget (time, memory, died)', labelNames: ['budget'], registers: [registry] }),
    lag: new Gauge({ name: 'wire_ingest_consumer_lag', help: 'Messages behind the high watermark, per partition', labelNames: ['topic', 'partition'], registers: [registry] }),
    stepSeconds: new Histogram({
      name: 'wire_ingest_step_duration_seconds',
      help: 'Time per pipeline step: per message for archive, normalize and media; per chunk for dedupe, canonical, route and publish_commit',
      labelNames: ['step'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
