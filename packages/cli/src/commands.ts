import type { CommandIO } from './io';

export type { CommandIO };

/**
 * The `wire` subcommands. Each lives in `commands/<name>.ts` and exports
 * `run(argv: string[], io: CommandIO): Promise<number>` (the exit code); they are loaded lazily so
 * `wire normalize` never pays for Kafka or Redis clients.
 */
export type CommandModule = { run(argv: string[], io: CommandIO): Promise<number> };

export const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  normalize: { summary: 'detect, parse and normalize a wire document; print canonical or ninjs JSON', load: () => import('./commands/normalize') },
  dedupe: { summary: 'run a JSONL stream through the dedupe/versioning engine', load: () => import('./commands/dedupe') },
  publish: { summary: 'put raw wire documents on Kafka as envelopes', load: () => import('./commands/publish') },
  infra: { summary: 'up|down|status of the local real services (Kafka, S3, Redis, Apertium)', load: () => import('./commands/infra') },
  bench: { summary: 'benchmarks beside raw baselines: normalize|dedupe|ingest|webhooks|translate', load: () => import('./commands/bench') },
  chaos: { summary: 'the pipeline with replicas under seeded faults (kill -9, restarts, outages); a delivery ledger', load: () => import('./commands/chaos') },
  tail: { summary: 'follow a Kafka topic (default stories.canonical)', load: () => import('./commands/tail') },
  demo: { summary: 'infra up, all services, sample partners, publish the sample feed, summary', load: () => import('./commands/demo') },
  start: { summary: 'run every service against the configured infrastructure', load: () => import('./commands/start') },
  secrets: { summary: 'keygen|rekey: keys of the partner secrets sealed in Redis, and rotating them', load: () => import('./commands/secrets') },
};
