import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TopicConfigs, Topics } from '@wire/queues';
import { InfraError } from './errors';
import { artifactsReady, artifactVersion, fetchArtifact, findJava, jvmOpts, libDir } from './fetch';
import { INFRA_ROOT, layout, type ResolvedOptions } from './options';
import type { PackageGroup } from './packages';
import { isOurs, liveRecord, portOpen, startDetached, tail, waitFor, writePidRecord } from './process';
import { isManagedHostPort, type ServiceStatus, type ServiceUp } from './service';

/** JVM flags for the broker: heap capped so a laptop or a 2-core CI box keeps room for the rest. */
export const KAFKA_JVM_OPTS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];

function brokersOf(o: ResolvedOptions): { brokers: string[]; managed: boolean } {
  const configured = (o.env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (configured.length === 0) return { brokers: [`127.0.0.1:${o.kafkaPort}`], managed: true };
  const [only] = configured;
  const m = configured.length === 1 && only ? only.match(/^(.*):(\d+)$/) : null;
  return { brokers: configured, managed: !!m && isManagedHostPort(m[1] ?? '', m[2] ?? '', o.kafkaPort) };
}

function client(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'wire-infra',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}

/** The broker answers a metadata request; resolves to its cluster id. */
async function kafkaAnswers(brokers: string[]): Promise<string | undefined> {
  const admin = new Kafka({ clientId: 'wire-infra-probe', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1500, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.clusterId || 'kafka';
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Create the pipeline topics (@wire/queues `Topics`, with `TopicConfigs`) that do not exist yet,
 * and make the group coordinator ready so the first consumer group does not wait for it.
 */
async function ensureTopics(brokers: string[], partitions: number, log: (line: string) => void): Promise<string[]> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(Topics).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(TopicConfigs[topic]).map(([name, value]) => ({ name, value })),
        })),
      });
      log(`  kafka: created topics ${missing.join(', ')} (${partitions} partitions)`);
    }
    // Asking for a group makes the broker create __consumer_offsets now rather than during the
    // first test or service start; a transactional producer does the same for __transaction_state
    // (ingest commits its offsets in transactions).
    await admin.describeGroups(['wire-infra-warmup']);
    if (!existing.has('__transaction_state')) {
      const producer = client(brokers).producer({ transactionalId: 'wire-infra-warmup', idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.disconnect();
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

function renderConfig(o: ResolvedOptions, dataDir: string): string {
  return fs
    .readFileSync(path.join(INFRA_ROOT, 'kafka', 'server.properties.template'), 'utf8')
    .replaceAll('{{KAFKA_PORT}}', String(o.kafkaPort))
    .replaceAll('{{CONTROLLER_PORT}}', String(o.kafkaControllerPort))
    .replaceAll('{{DATA_DIR}}', dataDir)
    .replaceAll('{{PARTITIONS}}', String(o.partitions));
}

const marker = (dir: string) => `-Dwire.infra=kafka:${dir}`;

/** The Debian tools starting Kafka here would need; none when a broker is configured or answers. */
export async function kafkaNeeds(o: ResolvedOptions): Promise<PackageGroup[]> {
  if (!brokersOf(o).managed || liveRecord(layout(o.dir).run, 'kafka') || (await portOpen(o.kafkaPort))) return [];
  return artifactsReady(o.lib, 'kafka') ? ['java'] : ['java', 'maven'];
}

/** Bring Kafka up (or find it up) and return its status and `KAFKA_BROKERS`. */
export async function ensureKafka(o: ResolvedOptions): Promise<ServiceUp> {
  const L = layout(o.dir);
  const { brokers, managed } = brokersOf(o);
  const address = brokers.join(',');
  const env = { KAFKA_BROKERS: address };
  const version = artifactVersion('kafka');

  if (!managed) {
    await waitFor(`Kafka at KAFKA_BROKERS=${address}`, () => kafkaAnswers(brokers), { timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new InfraError('WIRE_ERR_INFRA_UNREACHABLE', `KAFKA_BROKERS=${address} does not answer: ${(err as Error).message.split('\n')[0]}`);
    });
    await ensureTopics(brokers, o.partitions, o.log);
    return { env, status: { name: 'kafka', state: 'external', address, detail: 'configured by KAFKA_BROKERS' } };
  }

  const logFile = path.join(L.logs, 'kafka.log');
  const rec = liveRecord(L.run, 'kafka');
  if (rec) {
    await waitFor('Kafka', () => kafkaAnswers(brokers), { timeoutMs: 90_000, alive: () => isOurs(rec.pid, rec.marker), logFile });
    await ensureTopics(brokers, o.partitions, o.log);
    return { env, status: { name: 'kafka', state: 'running', address, pid: rec.pid, log: logFile, detail: `Kafka ${version}` } };
  }

  if (await portOpen(o.kafkaPort)) {
    const answers = await kafkaAnswers(brokers).catch(() => undefined);
    if (!answers) {
      throw new InfraError(
        'WIRE_ERR_INFRA_PORT_TAKEN',
        `127.0.0.1:${o.kafkaPort} is taken by a program that is not Kafka: stop it, or use another port (WIRE_KAFKA_PORT=… and KAFKA_BROKERS=127.0.0.1:…)`,
      );
    }
    await ensureTopics(brokers, o.partitions, o.log);
    return { env, status: { name: 'kafka', state: 'external', address, detail: 'already answering, not started by wire infra' } };
  }
  if (await portOpen(o.kafkaControllerPort)) {
    throw new InfraError(
      'WIRE_ERR_INFRA_PORT_TAKEN',
      `127.0.0.1:${o.kafkaControllerPort} (Kafka controller) is taken by another program: free it or set WIRE_KAFKA_CONTROLLER_PORT`,
    );
  }

  await fetchArtifact(o.lib, 'kafka', o.log);
  const java = findJava(o.env);
  const classpath = `${libDir(o.lib, 'kafka')}/*`;
  const dataDir = path.join(L.kafka, 'data');
  const propsFile = path.join(L.kafka, 'server.properties');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(propsFile, renderConfig(o, dataDir));
  const log4j = `-Dlog4j2.configurationFile=${path.join(INFRA_ROOT, 'kafka', 'log4j2.xml')}`;

  if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    // A KRaft cluster id is a UUID in URL-safe base64 without padding (22 characters). One that
    // starts with '-' would be read as an option by the storage tool (Kafka's own Uuid.randomUuid
    // draws again in that case, and so do we).
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    o.log(`  kafka: formatting storage in ${dataDir}`);
    // A one-shot tool: the client compiler alone starts it in about half the CPU time.
    const r = spawnSync(java, ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', log4j, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, '--ignore-formatted'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) {
      throw new InfraError('WIRE_ERR_INFRA_START', `kafka storage format failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' / ')}`);
    }
  }

  o.log(`  kafka: starting Kafka ${version} on 127.0.0.1:${o.kafkaPort} (controller ${o.kafkaControllerPort}), log ${logFile}`);
  const pid = startDetached(java, [...jvmOpts(KAFKA_JVM_OPTS, o.env.WIRE_KAFKA_JVM_OPTS), marker(o.dir), log4j, '-cp', classpath, 'kafka.Kafka', propsFile], { cwd: L.kafka, logFile });
  const record = { service: 'kafka', pid, marker: marker(o.dir), address, log: logFile, startedAt: new Date().toISOString() };
  writePidRecord(L.run, record);
  try {
    await waitFor('Kafka', () => kafkaAnswers(brokers), { timeoutMs: 120_000, alive: () => isOurs(pid, record.marker), logFile });
    await ensureTopics(brokers, o.partitions, o.log);
  } catch (err) {
    if (err instanceof InfraError) throw err;
    throw new InfraError('WIRE_ERR_INFRA_START', `Kafka started but topics could not be created: ${(err as Error).message}\n${tail(logFile, 10)}`);
  }
  return { env, status: { name: 'kafka', state: 'started', address, pid, log: logFile, detail: `Kafka ${version}` } };
}

/** Status without starting anything. */
export async function kafkaStatus(o: ResolvedOptions): Promise<ServiceStatus> {
  const L = layout(o.dir);
  const { brokers, managed } = brokersOf(o);
  const address = brokers.join(',');
  const rec = managed ? liveRecord(L.run, 'kafka') : undefined;
  const answers = await kafkaAnswers(brokers).catch(() => undefined);
  const logFile = path.join(L.logs, 'kafka.log');
  if (rec) return { name: 'kafka', state: answers ? 'running' : 'stopped', address, pid: rec.pid, log: logFile, detail: answers ? `Kafka ${artifactVersion('kafka')}` : 'process alive but not answering yet' };
  return { name: 'kafka', state: answers ? 'external' : 'stopped', address, detail: answers ? 'not started by wire infra' : undefined };
}
