import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from './errors';
import type { PackageGroup } from './packages';

/** The folder `infra/` of this repository (poms, templates, the APY wrapper). */
export const INFRA_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Fixed local S3 credentials; the defaults of `@wire/config` CommonEnv match them. */
export const S3_DEFAULTS = {
  bucket: 'wire',
  region: 'us-east-1',
  accessKeyId: 'wire-local',
  secretAccessKey: 'wire-local-secret',
} as const;

/** The local servers `wire infra` runs (the pipeline services are the cli's `PIPELINE_SERVICES`). */
export const INFRA_SERVICES = ['kafka', 's3', 'redis', 'apertium'] as const;
export type InfraService = (typeof INFRA_SERVICES)[number];

/** How to run the local services. Every field has a default; `env` fills the ones not given. */
export interface InfraOptions {
  /** Where data, logs, PID files and fetched jars live (env WIRE_INFRA_DIR; default infra/.data). */
  dir?: string;
  /** Where the Maven-fetched jars go (env WIRE_INFRA_LIB; `<dir>/lib`). Several data folders may share one. */
  libDir?: string;
  /** Kafka client port (env WIRE_KAFKA_PORT; 9092). */
  kafkaPort?: number;
  /** Kafka KRaft controller port (env WIRE_KAFKA_CONTROLLER_PORT; Kafka port + 1). */
  kafkaControllerPort?: number;
  /** S3Proxy port (env WIRE_S3_PORT; 9000). */
  s3Port?: number;
  /** Apertium APY port (env WIRE_APY_PORT; 2737). */
  apertiumPort?: number;
  /** Port for a Redis we start ourselves (env WIRE_REDIS_PORT; a free port). */
  redisPort?: number;
  /** Start our own Redis even when 127.0.0.1:6379 answers (env WIRE_INFRA_OWN_REDIS=1). */
  ownRedis?: boolean;
  /** Partitions of the pipeline topics (env WIRE_KAFKA_PARTITIONS; 3). */
  partitions?: number;
  /** Only these services (default all four). */
  services?: InfraService[];
  /** Debian package groups to make sure of beyond what the services need (e.g. `browser` for the browser tests). */
  packages?: PackageGroup[];
  /** Install missing Debian packages with apt-get when root (env WIRE_INFRA_INSTALL; default true). */
  install?: boolean;
  /** Progress lines for a person; default: none. */
  log?: (line: string) => void;
  /** Environment to read REDIS_URL, KAFKA_BROKERS… and the WIRE_* knobs from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOptions {
  dir: string;
  lib: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  s3Port: number;
  apertiumPort: number;
  redisPort: number | undefined;
  ownRedis: boolean;
  partitions: number;
  services: InfraService[];
  packages: PackageGroup[];
  install: boolean;
  log: (line: string) => void;
  env: Record<string, string | undefined>;
}

function port(name: string, raw: string | undefined, fallback: number | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InfraError('WIRE_ERR_INFRA_OPTION', `${name}: expected a port from 1 to 65535, got "${raw}"`);
  }
  return n;
}

/** Fill every option from `opts`, then the environment, then the defaults. */
export function resolveOptions(opts: InfraOptions = {}): ResolvedOptions {
  // The infra scripts are a tool at the edge, like a service's main.ts: this is the one place they
  // read the environment, and only when the caller passed none.
  const env = opts.env ?? process.env;
  const kafkaPort = opts.kafkaPort ?? port('WIRE_KAFKA_PORT', env.WIRE_KAFKA_PORT, 9092) ?? 9092;
  const partitions = opts.partitions ?? Number(env.WIRE_KAFKA_PARTITIONS ?? '3');
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    throw new InfraError('WIRE_ERR_INFRA_OPTION', `WIRE_KAFKA_PARTITIONS: expected a whole number from 1 to 1000, got "${env.WIRE_KAFKA_PARTITIONS}"`);
  }
  const services = opts.services ?? [...INFRA_SERVICES];
  for (const s of services) {
    if (!INFRA_SERVICES.includes(s)) {
      throw new InfraError('WIRE_ERR_INFRA_OPTION', `unknown service "${s}" (expected ${INFRA_SERVICES.join(', ')})`);
    }
  }
  const dir = path.resolve(opts.dir ?? env.WIRE_INFRA_DIR ?? path.join(INFRA_ROOT, '.data'));
  return {
    dir,
    lib: path.resolve(opts.libDir ?? env.WIRE_INFRA_LIB ?? path.join(dir, 'lib')),
    kafkaPort,
    kafkaControllerPort: opts.kafkaControllerPort ?? port('WIRE_KAFKA_CONTROLLER_PORT', env.WIRE_KAFKA_CONTROLLER_PORT, kafkaPort + 1) ?? kafkaPort + 1,
    s3Port: opts.s3Port ?? port('WIRE_S3_PORT', env.WIRE_S3_PORT, 9000) ?? 9000,
    apertiumPort: opts.apertiumPort ?? port('WIRE_APY_PORT', env.WIRE_APY_PORT, 2737) ?? 2737,
    redisPort: opts.redisPort ?? port('WIRE_REDIS_PORT', env.WIRE_REDIS_PORT, undefined),
    ownRedis: opts.ownRedis ?? ['1', 'true', 'yes', 'on'].includes((env.WIRE_INFRA_OWN_REDIS ?? '').toLowerCase()),
    partitions,
    services,
    packages: opts.packages ?? [],
    install: opts.install ?? !['0', 'false', 'no', 'off'].includes((env.WIRE_INFRA_INSTALL ?? '').toLowerCase()),
    log: opts.log ?? (() => undefined),
    env,
  };
}

/** Paths inside the data folder. */
export function layout(dir: string) {
  return {
    dir,
    run: path.join(dir, 'run'),
    logs: path.join(dir, 'logs'),
    kafka: path.join(dir, 'kafka'),
    s3: path.join(dir, 's3'),
    redis: path.join(dir, 'redis'),
    apertium: path.join(dir, 'apertium'),
    lock: path.join(dir, 'run', 'infra.lock'),
  };
}
