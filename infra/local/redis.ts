import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { InfraError } from './errors';
import { layout, type ResolvedOptions } from './options';
import { DEBIAN_PACKAGES, installCommand, type PackageGroup } from './packages';
import { freePort, isOurs, liveRecord, startDetached, waitFor, writePidRecord } from './process';
import type { ServiceStatus, ServiceUp } from './service';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** PING through ioredis (so passwords, db numbers and rediss:// work); resolves to the version. */
async function redisAnswers(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') return undefined;
    const info = await redis.info('server');
    return info.match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

/** In the command line for as long as it runs: `--set-proc-title no` keeps Redis from rewriting it to its address. */
const marker = (dataDir: string) => `--dir ${dataDir}`;

/**
 * How a Redis we start keeps its data: partners, secrets, queued deliveries and translations,
 * resend claims, the dedupe log and the delivery log live only there, and jobs are queued before
 * the Kafka offsets commit, so a Redis that forgets on restart drops deliveries Kafka never
 * replays. An append-only file synced every second (at most about a second of writes lost on a
 * crash), no RDB snapshots, and no eviction (BullMQ needs every key it wrote).
 */
export const REDIS_DURABILITY = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'];

/** The Debian tools starting a Redis here would need; none when one is configured or answers. */
export async function redisNeeds(o: ResolvedOptions): Promise<PackageGroup[]> {
  if ((o.env.REDIS_URL ?? '').trim() || liveRecord(layout(o.dir).run, 'redis')) return [];
  if (!o.ownRedis && (await redisAnswers(DEFAULT_URL).catch(() => undefined))) return [];
  return ['redis'];
}

/**
 * Redis, in this order: `REDIS_URL` when set (it must answer); a Redis we started earlier; the one
 * on 127.0.0.1:6379 when it answers PING; else `redis-server` started on a free port (or
 * WIRE_REDIS_PORT), persisting to an append-only file in the data folder, stopped again by `down`.
 */
export async function ensureRedis(o: ResolvedOptions): Promise<ServiceUp> {
  const L = layout(o.dir);
  const configured = (o.env.REDIS_URL ?? '').trim();
  if (configured) {
    const version = await waitFor(`Redis at REDIS_URL=${configured}`, () => redisAnswers(configured), { timeoutMs: 10_000 }).catch((err: unknown) => {
      throw new InfraError('WIRE_ERR_INFRA_UNREACHABLE', `REDIS_URL=${configured} does not answer PING: ${(err as Error).message.split('\n')[0]}`);
    });
    return { env: { REDIS_URL: configured }, status: { name: 'redis', state: 'external', address: configured, detail: `Redis ${version}, configured by REDIS_URL` } };
  }

  const logFile = path.join(L.logs, 'redis.log');
  const rec = liveRecord(L.run, 'redis');
  if (rec) {
    const version = await waitFor('Redis', () => redisAnswers(rec.address), { timeoutMs: 30_000, alive: () => isOurs(rec.pid, rec.marker), logFile });
    return { env: { REDIS_URL: rec.address }, status: { name: 'redis', state: 'running', address: rec.address, pid: rec.pid, log: logFile, detail: `Redis ${version}` } };
  }

  if (!o.ownRedis) {
    const version = await redisAnswers(DEFAULT_URL).catch(() => undefined);
    if (version) {
      return { env: { REDIS_URL: DEFAULT_URL }, status: { name: 'redis', state: 'external', address: DEFAULT_URL, detail: `Redis ${version}, already answering` } };
    }
  }

  const which = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    throw new InfraError('WIRE_ERR_INFRA_MISSING_TOOL', `no Redis answers on 127.0.0.1:6379 and redis-server is not installed: ${installCommand(DEBIAN_PACKAGES.redis, false)}, or set REDIS_URL`);
  }
  const port = o.redisPort ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const dataDir = L.redis;
  fs.mkdirSync(dataDir, { recursive: true });
  o.log(`  redis: starting redis-server on ${url} (append-only file in ${dataDir}), log ${logFile}`);
  const pid = startDetached('redis-server', ['--bind', '127.0.0.1', '--port', String(port), ...REDIS_DURABILITY, '--set-proc-title', 'no', '--dir', dataDir, '--daemonize', 'no'], {
    cwd: dataDir,
    logFile,
  });
  const record = { service: 'redis', pid, marker: marker(dataDir), address: url, port, log: logFile, startedAt: new Date().toISOString() };
  writePidRecord(L.run, record);
  const version = await waitFor('Redis', () => redisAnswers(url), { timeoutMs: 30_000, alive: () => isOurs(pid, record.marker), logFile });
  return { env: { REDIS_URL: url }, status: { name: 'redis', state: 'started', address: url, pid, log: logFile, detail: `Redis ${version}` } };
}

/** Status without starting anything. */
export async function redisStatus(o: ResolvedOptions): Promise<ServiceStatus> {
  const L = layout(o.dir);
  const configured = (o.env.REDIS_URL ?? '').trim();
  const rec = configured ? undefined : liveRecord(L.run, 'redis');
  const ownUrl = o.redisPort ? `redis://127.0.0.1:${o.redisPort}` : undefined;
  const url = configured || rec?.address || (o.ownRedis ? ownUrl : DEFAULT_URL);
  if (!url) return { name: 'redis', state: 'stopped', address: '(a free port on start)' };
  const version = await redisAnswers(url).catch(() => undefined);
  if (rec) return { name: 'redis', state: version ? 'running' : 'stopped', address: url, pid: rec.pid, log: rec.log, detail: version ? `Redis ${version}` : undefined };
  return { name: 'redis', state: version ? 'external' : 'stopped', address: url, detail: version ? `Redis ${version}, not started by wire infra` : undefined };
}
