/**
 * @wire/infra — the real local services the pipeline runs against, without Docker: Kafka (KRaft,
 * from Maven Central), S3 (S3Proxy, filesystem backend), Redis (an existing one or Debian's
 * redis-server) and Apertium APY (Debian), all on 127.0.0.1, with data, logs and PID files under
 * infra/.data (or WIRE_INFRA_DIR).
 *
 * @example
 * const { env, started } = await ensureInfra({ log: console.log });
 * // env.KAFKA_BROKERS === '127.0.0.1:9092', env.S3_ENDPOINT === 'http://127.0.0.1:9000', …
 * await stopInfra({ only: started });
 */
import { apertiumNeeds, ensureApertium, apertiumStatus } from './apertium';
import { artifactsReady, ARTIFACTS, fetchArtifacts as fetchAll, type ArtifactName } from './fetch';
import { ensureKafka, kafkaNeeds, kafkaStatus } from './kafka';
import { layout, resolveOptions, INFRA_SERVICES, type InfraOptions, type InfraService } from './options';
import { liveRecord, removePidRecord, stopProcess, withLock } from './process';
import { ensurePackages, type PackageGroup } from './packages';
import { ensureRedis, redisNeeds, redisStatus } from './redis';
import { ensureS3, s3Needs, s3Status } from './s3';
import type { ServiceStatus, ServiceUp } from './service';

export { InfraError, InfraErrors, type InfraErrorCode } from './errors';
export { artifactVersion, ARTIFACTS } from './fetch';
export { KAFKA_JVM_OPTS } from './kafka';
export { APERTIUM_PAIR_PACKAGES, DEBIAN_PACKAGES, PACKAGE_GROUPS, ensurePackages, installCommand, planPackages, type PackageGroup, type PackageHost } from './packages';
/** A free TCP port on 127.0.0.1, for tests, benchmarks and the demo. */
export { freePort } from './process';
export { deleteKeysMatching } from './redis-keys';
export { REDIS_DURABILITY } from './redis';
export { INFRA_ROOT, S3_DEFAULTS, INFRA_SERVICES, resolveOptions, type InfraOptions, type InfraService } from './options';
export type { ServiceState, ServiceStatus } from './service';

export interface InfraUp {
  /** The environment for services and tests (KAFKA_BROKERS, REDIS_URL, S3_*, APERTIUM_URL). */
  env: Record<string, string>;
  /** Services this call started (the ones a caller that cleans up after itself should stop). */
  started: InfraService[];
  services: ServiceStatus[];
}

const ENSURE: Record<InfraService, (o: ReturnType<typeof resolveOptions>) => Promise<ServiceUp>> = {
  kafka: ensureKafka,
  s3: ensureS3,
  redis: ensureRedis,
  apertium: ensureApertium,
};

const NEEDS: Record<InfraService, (o: ReturnType<typeof resolveOptions>) => Promise<PackageGroup[]>> = {
  kafka: kafkaNeeds,
  s3: s3Needs,
  redis: redisNeeds,
  apertium: apertiumNeeds,
};

/**
 * Make every service answer: reuse what runs (ours by PID file, or a configured/existing server),
 * install the Debian packages the rest needs (see `ensurePackages`), start the rest in parallel,
 * and wait until each really answers (Kafka metadata + topics, S3 bucket, Redis PING, APY
 * eng|spa). Safe to call from several processes at once (a lock file).
 */
export async function ensureInfra(opts: InfraOptions = {}): Promise<InfraUp> {
  const o = resolveOptions(opts);
  const L = layout(o.dir);
  return withLock(
    L.lock,
    async () => {
      const before = new Set(INFRA_SERVICES.filter((n) => liveRecord(L.run, n)));
      const needed = (await Promise.all(o.services.map((s) => NEEDS[s](o)))).flat();
      await ensurePackages([...needed, ...o.packages], { log: o.log, env: o.env, install: o.install });
      const results = await Promise.allSettled(o.services.map((s) => ENSURE[s](o)));
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      const ups = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (failures.length > 0) {
        // Do not leave half a stack running that nobody will stop: stop what this call started,
        // including a server that started but never answered.
        await stopServices(o.dir, INFRA_SERVICES.filter((n) => !before.has(n)));
        throw failures[0];
      }
      const env: Record<string, string> = {};
      for (const u of ups) Object.assign(env, u.env);
      return { env, started: ups.filter((u) => u.status.state === 'started').map((u) => u.status.name), services: ups.map((u) => u.status) };
    },
    { onWait: () => o.log('waiting for another wire infra command to finish…') },
  );
}

async function stopServices(dir: string, names: readonly InfraService[], log: (line: string) => void = () => undefined): Promise<InfraService[]> {
  const L = layout(dir);
  const stopped: InfraService[] = [];
  await Promise.all(
    names.map(async (name) => {
      const rec = liveRecord(L.run, name);
      if (!rec) return;
      const how = await stopProcess(rec);
      removePidRecord(L.run, name);
      log(`  ${name}: ${how} (pid ${rec.pid})`);
      stopped.push(name);
    }),
  );
  return stopped;
}

/**
 * Stop what `wire infra up` started in this data folder (by PID file; nothing else is touched).
 * `only` limits it to some services, e.g. the `started` list `ensureInfra` returned.
 */
export async function stopInfra(opts: InfraOptions & { only?: readonly InfraService[] } = {}): Promise<InfraService[]> {
  const o = resolveOptions(opts);
  return withLock(layout(o.dir).lock, () => stopServices(o.dir, opts.only ?? o.services, o.log));
}

/** How each service stands, without starting or stopping anything. */
export async function infraStatus(opts: InfraOptions = {}): Promise<ServiceStatus[]> {
  const o = resolveOptions(opts);
  const probes: Record<InfraService, () => Promise<ServiceStatus>> = {
    kafka: () => kafkaStatus(o),
    s3: () => s3Status(o),
    redis: () => redisStatus(o),
    apertium: () => apertiumStatus(o),
  };
  return Promise.all(o.services.map((s) => probes[s]()));
}

/** Download the Maven runtimes (Kafka, S3Proxy) into the data folder; nothing is started. */
export async function fetchArtifacts(opts: InfraOptions = {}): Promise<void> {
  const o = resolveOptions(opts);
  const fetched = (Object.keys(ARTIFACTS) as ArtifactName[]).every((name) => artifactsReady(o.lib, name));
  await ensurePackages(fetched ? o.packages : ['java', 'maven', ...o.packages], { log: o.log, env: o.env, install: o.install });
  await fetchAll(o.lib, o.log);
}

/** `export NAME='value'` lines for a shell. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `export ${k}='${v.replaceAll("'", "'\\''")}'`);
}
