/**
 * The pipeline a chaos run attacks, all of it its own: Kafka and S3Proxy from `@wire/infra` in the
 * run's data folder on free loopback ports, an append-only Redis of its own, ops once, and two
 * replicas each of webhooks, translator and ingest as separate processes (so kill -9 is real).
 * Apertium is only read (the configured or local APY). Everything started here is stopped by PID.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Queues } from '@wire/queues';
import { ensureInfra, freePort, INFRA_ROOT, S3_DEFAULTS, stopInfra, type InfraOptions } from '@wire/infra';
import { Supervisor, serviceEntry, type PipelineService } from '../packages/cli/src/supervisor';
import { alive, RUN_MARKER, type ChildRecord } from './orphans';
import { OwnRedis } from './redis-server';
import type { ReplicaName } from './plan';

/** The log line each service writes once it takes work. */
const READY: Record<PipelineService, string> = {
  ops: '"msg":"ops listening"',
  webhooks: '"msg":"webhooks service started"',
  translator: '"msg":"translator started"',
  ingest: '"msg":"ingest running"',
};

/** Webhook settings of the run: a short timeout and a retry schedule (2.5 min in all) that outlasts any outage it injects. */
export const WEBHOOK_TIMEOUT_MS = 3_000;
const WEBHOOK_RETRY_SCHEDULE = '1s,2s,4s,8s,15s,30s,30s,30s,30s';

export interface StackOptions {
  /** The run's folder: infra data, Redis, service logs. */
  dir: string;
  /** Names the run in its children's environment (`WIRE_CHAOS_RUN`), so orphans are told apart. */
  runId: string;
  /** The environment the command was given (PATH, HOME, APERTIUM_URL, WIRE_INFRA_LIB…). */
  env: Record<string, string | undefined>;
  partitions: number;
  /** Structured progress events. */
  emit: (event: Record<string, unknown>) => void;
}

interface Replica {
  name: string;
  service: PipelineService;
  supervisor: Supervisor;
  log: WriteStream;
  ready: boolean;
  waiters: Array<() => void>;
  /** Set while a kill -9 of ours is pending, so the exit is not taken for a crash. */
  killing: boolean;
  starts: number;
}

/**
 * @example
 * const stack = await ChaosStack.start({ dir, env: process.env, partitions: 4, emit: console.log });
 * await stack.killReplica('webhooks-1'); await stack.startReplica('webhooks-1');
 * await stack.stop();
 */
export class ChaosStack {
  readonly opsToken = randomBytes(24).toString('base64url');
  /** The key ops and webhooks seal partner secrets in Redis with (one per run). */
  private readonly secretsKey = randomBytes(32).toString('base64');
  opsUrl = '';
  /** Environment of every service (and of the run's own clients). */
  env: Record<string, string> = {};
  /** Exits nobody asked for (a replica that crashed on its own), restarted as `wire start` would. */
  unexpectedExits: Array<{ replica: string; code: number | null; at: number }> = [];
  private readonly replicas = new Map<string, Replica>();
  private redis: OwnRedis | undefined;
  private queues: Queue[] | undefined;
  private infraOptions: InfraOptions | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  private constructor(private readonly opts: StackOptions) {}

  /** Bring everything up; on failure, stop what was started and rethrow. */
  static async start(opts: StackOptions): Promise<ChaosStack> {
    const stack = new ChaosStack(opts);
    try {
      await stack.boot();
      return stack;
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  get redisUrl(): string {
    return this.redis?.url ?? '';
  }

  private async boot(): Promise<void> {
    const { dir, env } = this.opts;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const [kafkaPort, kafkaControllerPort, s3Port, redisPort, opsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const apertiumUrl = (env.APERTIUM_URL ?? '').trim() || 'http://127.0.0.1:2737';
    this.infraOptions = {
      dir: join(dir, 'infra'),
      // The jars are shared with `wire infra up` (fetched once); the data is the run's own.
      libDir: env.WIRE_INFRA_LIB ?? join(INFRA_ROOT, '.data', 'lib'),
      kafkaPort,
      kafkaControllerPort,
      s3Port,
      partitions: this.opts.partitions,
      // Only what is given here: never the shared infrastructure's addresses from the caller's environment.
      env: { JAVA_HOME: env.JAVA_HOME },
      log: (line) => this.opts.emit({ event: 'infra', line: line.trim() }),
    };
    this.redis = new OwnRedis(redisPort, join(dir, 'redis'), join(dir, 'logs', 'redis.log'));
    this.opsUrl = `http://127.0.0.1:${opsPort}`;
    // Every address is known before anything runs, so the services that need only Redis start
    // while Kafka and S3Proxy boot.
    this.env = {
      PATH: env.PATH ?? '/usr/bin:/bin',
      HOME: env.HOME ?? '/tmp',
      ...(env.TMPDIR ? { TMPDIR: env.TMPDIR } : {}),
      [RUN_MARKER]: this.opts.runId,
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      S3_BUCKET: S3_DEFAULTS.bucket,
      S3_REGION: S3_DEFAULTS.region,
      S3_ACCESS_KEY_ID: S3_DEFAULTS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_DEFAULTS.secretAccessKey,
      REDIS_URL: this.redis.url,
      APERTIUM_URL: apertiumUrl,
      WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost,::1',
      LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
      PORT: String(opsPort),
      OPS_TOKEN: this.opsToken,
      WIRE_SECRETS_KEY: this.secretsKey,
      INGEST_HEALTH_PORT: '0',
      INGEST_SESSION_TIMEOUT_MS: '10000',
      WEBHOOKS_PORT: '0',
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      WEBHOOK_RETRY_SCHEDULE,
      TRANSLATOR_PORT: '0',
    };
    await Promise.all([this.redis.start(), apertiumAnswers(apertiumUrl)]);
    this.record();
    const early: string[] = ['ops', 'webhooks-1', 'webhooks-2', 'translator-1', 'translator-2'];
    const infra = ensureInfra({ ...this.infraOptions, services: ['kafka', 's3'] });
    for (const name of early) this.startReplica(name);
    const up = await infra;
    for (const [k, v] of Object.entries(up.env)) {
      if (this.env[k] !== v) throw new Error(`infra answered ${k}=${v}, expected ${this.env[k]}`);
    }
    this.opts.emit({ event: 'infra', kafka: up.env.KAFKA_BROKERS, s3: up.env.S3_ENDPOINT, redis: this.redis.url, apertium: apertiumUrl });
    // Ingest needs Kafka and S3 at start (it creates missing topics and checks the bucket).
    const ingest: ReplicaName[] = ['ingest-1', 'ingest-2'];
    for (const name of ingest) this.startReplica(name);
    await Promise.all([...early, ...ingest].map((name) => this.waitReady(name, 180_000)));
  }

  /** The run's child processes, for `reapOrphans` should this process die without stopping them. */
  private record(): void {
    const mark = `${RUN_MARKER}=${this.opts.runId}`;
    const children: ChildRecord[] = [...this.replicas.values()].flatMap((r) => {
      const pid = r.supervisor.pids()[r.name];
      return pid ? [{ pid, mark }] : [];
    });
    // Redis renames its process to `redis-server 127.0.0.1:<port>`.
    if (this.redis?.pid) children.push({ pid: this.redis.pid, mark: `127.0.0.1:${this.redis.port}` });
    writeFileSync(join(this.opts.dir, 'children.json'), `${JSON.stringify({ owner: process.pid, children })}\n`);
  }

  /** Start (or start again) a replica: `ops`, `ingest-1`, `webhooks-2`… */
  startReplica(name: string): void {
    const service = name.replace(/-\d+$/, '') as PipelineService;
    const entry = serviceEntry(service);
    if (!entry) throw new Error(`services/${service}/src/main.ts is missing`);
    let r = this.replicas.get(name);
    if (!r) {
      const log = createWriteStream(join(this.opts.dir, 'logs', `${name}.log`), { flags: 'a' });
      // A stable transactional id per ingest replica: a restarted replica fences its killed predecessor.
      const env = service === 'ingest' ? { ...this.env, INGEST_TRANSACTIONAL_ID: `chaos-${name}` } : this.env;
      const replica: Replica = {
        name,
        service,
        log,
        ready: false,
        waiters: [],
        killing: false,
        starts: 0,
        supervisor: new Supervisor({
          env,
          report: (line) => log.write(`${line}\n`),
          restart: false,
          stopTimeoutMs: 20_000,
          onOutput: (_child, line) => {
            log.write(`${line}\n`);
            if (!replica.ready && line.includes(READY[service])) {
              replica.ready = true;
              for (const w of replica.waiters.splice(0)) w();
            }
          },
        }),
      };
      replica.supervisor.onChildGone((_child, code) => this.onExit(replica, code));
      this.replicas.set(name, replica);
      r = replica;
    }
    r.ready = false;
    r.killing = false;
    r.starts++;
    r.supervisor.start(name, entry);
    this.record();
  }

  private onExit(r: Replica, code: number | null): void {
    r.ready = false;
    if (r.killing || this.stopping) return;
    // A crash nobody caused: restarted after a second, as `wire start` restarts a service.
    this.unexpectedExits.push({ replica: r.name, code, at: Date.now() });
    this.opts.emit({ event: 'unexpected-exit', replica: r.name, code });
    setTimeout(() => {
      if (!this.stopping) this.startReplica(r.name);
    }, 1_000).unref();
  }

  /** Resolves once the replica logged that it takes work; rejects after `timeoutMs`. */
  waitReady(name: string, timeoutMs: number): Promise<void> {
    const r = this.replicas.get(name);
    if (!r) return Promise.reject(new Error(`no replica ${name}`));
    if (r.ready) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s (see ${join(this.opts.dir, 'logs', `${name}.log`)})`)), timeoutMs);
      r.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** kill -9 of a replica's process; resolves once it is gone. */
  async killReplica(name: string): Promise<number> {
    const r = this.replicas.get(name);
    const pid = r?.supervisor.pids()[name];
    if (!r || !pid) throw new Error(`replica ${name} is not running`);
    r.killing = true;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
    return pid;
  }

  /** Stop the broker or S3Proxy of the run (SIGTERM by its PID file, as `wire infra down` does). */
  async stopInfra(service: 'kafka' | 's3'): Promise<void> {
    await stopInfra({ ...this.infraOptions!, only: [service] });
  }

  /** Start it again on the same port and data; resolves once it answers. */
  async startInfra(service: 'kafka' | 's3'): Promise<void> {
    if (this.stopping) return;
    await ensureInfra({ ...this.infraOptions!, services: [service] });
  }

  /** Stop Redis with SIGTERM: it writes and syncs its append-only file on the way out. */
  async stopRedis(): Promise<void> {
    await this.redis?.stop();
  }

  /** Start Redis again from its append-only file; resolves once it answers. */
  async startRedis(): Promise<void> {
    if (this.stopping) return;
    await this.redis?.start();
    this.record();
  }

  /**
   * Jobs left to run (waiting, active, delayed…) per queue — deliver, translate, media-retry —
   * or undefined when Redis does not answer within 2 s (it may be restarting).
   */
  async queued(): Promise<Record<string, number> | undefined> {
    if (!this.queues) {
      const connection = { url: this.redisUrl, maxRetriesPerRequest: 1, connectTimeout: 2000 };
      this.queues = [Queues.deliver, Queues.translate, Queues.mediaRetry].map((name) => new Queue(name, { connection, prefix: 'bull' }));
      // Redis restarts are part of the run: a handle that loses its connection waits for the next poll.
      for (const q of this.queues) q.on('error', () => undefined);
    }
    const queues = this.queues;
    const counts = await Promise.race([
      Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'))),
      sleep(2000).then(() => undefined),
    ]).catch(() => undefined);
    return counts ? Object.fromEntries(queues.map((q, i) => [q.name, Object.values(counts[i]!).reduce((sum, n) => sum + n, 0)])) : undefined;
  }

  /** Stop every replica (SIGTERM, SIGKILL after 20 s), Redis, and the infrastructure this run started. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      await Promise.all((this.queues ?? []).map((q) => q.close().catch(() => undefined)));
      const order = ['ingest', 'translator', 'webhooks', 'ops'];
      for (const service of order) {
        await Promise.all([...this.replicas.values()].filter((r) => r.service === service).map((r) => r.supervisor.stopAll()));
      }
      for (const r of this.replicas.values()) r.log.end();
      await this.redis?.stop();
      // Kafka and S3Proxy of this run's data folder, by their PID files.
      if (this.infraOptions) await stopInfra({ ...this.infraOptions, only: ['kafka', 's3'] });
      rmSync(join(this.opts.dir, 'children.json'), { force: true });
    })();
    return this.stopped;
  }
}

/** Apertium APY is only read, never started or stopped here: wait (up to a minute, it may be busy) until it lists English→Spanish. */
async function apertiumAnswers(url: string): Promise<void> {
  let last = '';
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(1000)) {
    try {
      const res = await fetch(`${url}/listPairs`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { responseData?: Array<{ sourceLanguage: string; targetLanguage: string }> };
      if ((body.responseData ?? []).some((p) => p.sourceLanguage === 'eng' && p.targetLanguage === 'spa')) return;
      last = 'no eng|spa pair';
    } catch (err) {
      last = (err as Error).message;
    }
  }
  throw new Error(`Apertium APY at ${url} does not answer with English→Spanish (${last}); start it with \`npm run wire -- infra up\` or set APERTIUM_URL`);
}
