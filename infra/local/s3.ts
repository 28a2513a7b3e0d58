import fs from 'node:fs';
import path from 'node:path';
import { InfraError } from './errors';
import { artifactsReady, artifactVersion, fetchArtifact, findJava, jvmOpts, libDir } from './fetch';
import { INFRA_ROOT, S3_DEFAULTS, layout, type ResolvedOptions } from './options';
import type { PackageGroup } from './packages';
import { isOurs, liveRecord, portOpen, startDetached, waitFor, writePidRecord } from './process';
import { isManagedHostPort, type ServiceStatus, type ServiceUp } from './service';

const S3_JVM_OPTS = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];

interface S3Target {
  endpoint: string;
  managed: boolean;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function targetOf(o: ResolvedOptions): S3Target {
  const own = `http://127.0.0.1:${o.s3Port}`;
  const endpoint = (o.env.S3_ENDPOINT ?? '').trim() || own;
  let managed = false;
  try {
    const u = new URL(endpoint);
    managed = u.protocol === 'http:' && isManagedHostPort(u.hostname, u.port || '80', o.s3Port);
  } catch {
    throw new InfraError('WIRE_ERR_INFRA_OPTION', `S3_ENDPOINT: expected a URL, got "${endpoint}"`);
  }
  // Our own S3Proxy only knows the fixed local credentials; a configured server gets its own.
  const pick = (name: string, fallback: string) => (managed ? fallback : (o.env[name] ?? '').trim() || fallback);
  return {
    endpoint: managed ? own : endpoint.replace(/\/$/, ''),
    managed,
    bucket: (o.env.S3_BUCKET ?? '').trim() || S3_DEFAULTS.bucket,
    region: pick('S3_REGION', S3_DEFAULTS.region),
    accessKeyId: pick('S3_ACCESS_KEY_ID', S3_DEFAULTS.accessKeyId),
    secretAccessKey: pick('S3_SECRET_ACCESS_KEY', S3_DEFAULTS.secretAccessKey),
  };
}

function envOf(t: S3Target): Record<string, string> {
  return {
    S3_ENDPOINT: t.endpoint,
    S3_BUCKET: t.bucket,
    S3_REGION: t.region,
    S3_ACCESS_KEY_ID: t.accessKeyId,
    S3_SECRET_ACCESS_KEY: t.secretAccessKey,
  };
}

/** Some S3 server answers HTTP at `endpoint` (any S3 XML reply, even AccessDenied). */
async function s3Answers(endpoint: string): Promise<true | undefined> {
  const res = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) });
  const body = await res.text();
  return body.includes('<?xml') || res.ok ? true : undefined;
}

/** Create the bucket if it does not exist (with the credentials clients will use). */
async function ensureBucket(t: S3Target): Promise<boolean> {
  // Loaded here, not at the top: `wire infra down` and `status` never need the AWS SDK.
  const { CreateBucketCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const { createS3Client, isNotFound } = await import('@wire/s3');
  const s3 = createS3Client(t);
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: t.bucket }));
      return false;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await s3.send(new CreateBucketCommand({ Bucket: t.bucket }));
    return true;
  } finally {
    s3.destroy();
  }
}

const marker = (dir: string) => `-Dwire.infra=s3proxy:${dir}`;

/** The Debian tools starting S3Proxy here would need; none when an S3 is configured or answers. */
export async function s3Needs(o: ResolvedOptions): Promise<PackageGroup[]> {
  if (!targetOf(o).managed || liveRecord(layout(o.dir).run, 's3') || (await portOpen(o.s3Port))) return [];
  return artifactsReady(o.lib, 's3proxy') ? ['java'] : ['java', 'maven'];
}

/** Bring S3 up (S3Proxy, filesystem backend) or find it, and make sure the bucket exists. */
export async function ensureS3(o: ResolvedOptions): Promise<ServiceUp> {
  const L = layout(o.dir);
  const t = targetOf(o);
  const env = envOf(t);
  const logFile = path.join(L.logs, 's3proxy.log');
  const version = `S3Proxy ${artifactVersion('s3proxy')}`;
  const bucket = async () => {
    if (await ensureBucket(t)) o.log(`  s3: created bucket ${t.bucket}`);
  };

  if (!t.managed) {
    await waitFor(`S3 at S3_ENDPOINT=${t.endpoint}`, () => s3Answers(t.endpoint), { timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new InfraError('WIRE_ERR_INFRA_UNREACHABLE', `S3_ENDPOINT=${t.endpoint} does not answer: ${(err as Error).message.split('\n')[0]}`);
    });
    await bucket();
    return { env, status: { name: 's3', state: 'external', address: t.endpoint, detail: 'configured by S3_ENDPOINT' } };
  }

  const rec = liveRecord(L.run, 's3');
  if (rec) {
    await waitFor('S3Proxy', () => s3Answers(t.endpoint), { timeoutMs: 60_000, alive: () => isOurs(rec.pid, rec.marker), logFile });
    await bucket();
    return { env, status: { name: 's3', state: 'running', address: t.endpoint, pid: rec.pid, log: logFile, detail: version } };
  }

  if (await portOpen(o.s3Port)) {
    const answers = await s3Answers(t.endpoint).catch(() => undefined);
    if (!answers) {
      throw new InfraError('WIRE_ERR_INFRA_PORT_TAKEN', `127.0.0.1:${o.s3Port} is taken by a program that is not S3: stop it, or set WIRE_S3_PORT=… and S3_ENDPOINT=http://127.0.0.1:…`);
    }
    await bucket().catch((err: unknown) => {
      throw new InfraError(
        'WIRE_ERR_INFRA_PORT_TAKEN',
        `an S3 server on 127.0.0.1:${o.s3Port} (not started by wire infra) refuses the local credentials: ${(err as Error).message}`,
      );
    });
    return { env, status: { name: 's3', state: 'external', address: t.endpoint, detail: 'already answering, not started by wire infra' } };
  }

  await fetchArtifact(o.lib, 's3proxy', o.log);
  const java = findJava(o.env);
  const dataDir = path.join(L.s3, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const propsFile = path.join(L.s3, 's3proxy.properties');
  fs.writeFileSync(
    propsFile,
    fs
      .readFileSync(path.join(INFRA_ROOT, 's3proxy', 's3proxy.properties.template'), 'utf8')
      .replaceAll('{{S3_PORT}}', String(o.s3Port))
      .replaceAll('{{DATA_DIR}}', dataDir)
      .replaceAll('{{ACCESS_KEY}}', t.accessKeyId)
      .replaceAll('{{SECRET_KEY}}', t.secretAccessKey)
      .replaceAll('{{REGION}}', t.region),
  );
  o.log(`  s3: starting ${version} on ${t.endpoint} (data ${dataDir}), log ${logFile}`);
  const logback = `-Dlogback.configurationFile=${path.join(INFRA_ROOT, 's3proxy', 'logback.xml')}`;
  const pid = startDetached(java, [...jvmOpts(S3_JVM_OPTS, o.env.WIRE_S3_JVM_OPTS), marker(o.dir), logback, '-cp', `${libDir(o.lib, 's3proxy')}/*`, 'org.gaul.s3proxy.Main', '--properties', propsFile], {
    cwd: L.s3,
    logFile,
  });
  const record = { service: 's3', pid, marker: marker(o.dir), address: t.endpoint, log: logFile, startedAt: new Date().toISOString() };
  writePidRecord(L.run, record);
  await waitFor('S3Proxy', () => s3Answers(t.endpoint), { timeoutMs: 90_000, alive: () => isOurs(pid, record.marker), logFile });
  await bucket();
  return { env, status: { name: 's3', state: 'started', address: t.endpoint, pid, log: logFile, detail: version } };
}

/** Status without starting anything. */
export async function s3Status(o: ResolvedOptions): Promise<ServiceStatus> {
  const L = layout(o.dir);
  const t = targetOf(o);
  const rec = t.managed ? liveRecord(L.run, 's3') : undefined;
  const answers = await s3Answers(t.endpoint).catch(() => undefined);
  if (rec) return { name: 's3', state: answers ? 'running' : 'stopped', address: t.endpoint, pid: rec.pid, log: rec.log, detail: `S3Proxy ${artifactVersion('s3proxy')}, bucket ${t.bucket}` };
  return { name: 's3', state: answers ? 'external' : 'stopped', address: t.endpoint, detail: answers ? 'not started by wire infra' : undefined };
}
