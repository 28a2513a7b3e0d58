import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@wire/infra';
import { checkRedisDurability } from '@wire/observability';
import { isolatedRunEnv } from '@wire/svc-ingest';
import { testEnv, uniqueName } from '../helpers/env';

/**
 * The Redis durability check on Redis servers of our own, configured each way a deployment
 * might be (on free loopback ports, stopped by PID at the end), then the four services started
 * by `wire start` on a Redis that neither persists nor refuses eviction: each warns in its log,
 * ops in /readyz (with the token) and on the dashboard in a real browser.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'wire-redis-durability-'));
const servers: ChildProcess[] = [];

/** A redis-server of our own with `args`; resolves with its URL once it answers PING. */
async function ownRedis(name: string, args: string[]): Promise<string> {
  const port = await freePort();
  const dir = join(dataDir, name);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir, '--dbfilename', `${name}.rdb`, '--appendfilename', `${name}.aof`, '--appenddirname', name, ...args], { stdio: 'ignore' });
  servers.push(child);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    const ok = await r.connect().then(() => r.ping(), () => undefined);
    r.disconnect();
    if (ok === 'PONG') return url;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`redis-server ${name} (${dir}) did not start on ${port}`);
}

async function durabilityOf(url: string) {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await checkRedisDurability(r);
  } finally {
    r.disconnect();
  }
}

const urls: Record<string, string> = {};

beforeAll(async () => {
  const configs: Record<string, string[]> = {
    aof: ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'],
    rdb: ['--appendonly', 'no', '--save', '900 1', '--maxmemory-policy', 'noeviction'],
    volatile: ['--appendonly', 'no', '--save', '', '--maxmemory-policy', 'allkeys-lru'],
    aofNoConfig: ['--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction', '--rename-command', 'CONFIG', ''],
    volatileNoConfig: ['--appendonly', 'no', '--save', '', '--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', ''],
  };
  for (const [name, args] of Object.entries(configs)) urls[name] = await ownRedis(name, args);
});

afterAll(() => {
  for (const child of servers) if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('checkRedisDurability', () => {
  it('finds nothing to warn about on a Redis with AOF or RDB snapshots and noeviction', async () => {
    expect(await durabilityOf(urls.aof!)).toEqual({ persistence: 'aof', evictionPolicy: 'noeviction', source: 'config', warnings: [] });
    expect(await durabilityOf(urls.rdb!)).toEqual({ persistence: 'rdb', evictionPolicy: 'noeviction', source: 'config', warnings: [] });
  });

  it('warns about a Redis that neither persists nor refuses eviction', async () => {
    const d = await durabilityOf(urls.volatile!);
    expect(d).toMatchObject({ persistence: 'none', evictionPolicy: 'allkeys-lru', source: 'config' });
    expect(d.warnings).toHaveLength(2);
    expect(d.warnings[0]).toMatch(/does not persist .*restart loses/);
    expect(d.warnings[1]).toMatch(/maxmemory-policy is allkeys-lru: BullMQ needs noeviction/);
  });

  it('falls back to INFO where CONFIG is disabled: AOF and the policy are still known, RDB is not', async () => {
    expect(await durabilityOf(urls.aofNoConfig!)).toEqual({ persistence: 'aof', evictionPolicy: 'noeviction', source: 'info', warnings: [] });
    const d = await durabilityOf(urls.volatileNoConfig!);
    expect(d).toMatchObject({ persistence: 'unknown', evictionPolicy: 'volatile-lru', source: 'info' });
    expect(d.warnings.map((w) => w.split(':')[0])).toEqual(['Redis persistence unknown', 'Redis maxmemory-policy is volatile-lru']);
  });
});

describe('the services on a Redis that may lose work', () => {
  it('each warns at start; ops says so in /readyz details and on the dashboard', async () => {
    const id = uniqueName('durability');
    const port = await freePort();
    const token = randomBytes(24).toString('base64url');
    const isolated = isolatedRunEnv(id, 'test');
    const env = {
      ...process.env,
      ...testEnv(),
      ...isolated,
      REDIS_URL: urls.volatile!,
      PORT: String(port),
      OPS_TOKEN: token,
      OPS_EVENTS_TOPIC: isolated.INGEST_EVENTS_TOPIC,
      OPS_DLQ_TOPIC: isolated.INGEST_DLQ_TOPIC,
      OPS_KAFKA_GROUP: `${id}-ops`,
      OPS_LAG_GROUPS: `${id}-ingest,${id}-ops`,
      INGEST_HEALTH_PORT: '0',
      WEBHOOKS_PORT: '0',
      TRANSLATOR_PORT: '0',
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'start', '--only', 'ingest,webhooks,translator,ops'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const kafka = new Kafka({ clientId: id, brokers: (testEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
    const profile = mkdtempSync(join(tmpdir(), 'wire-chromium-'));
    try {
      const warned = () => new Set(out.split('\n').filter((l) => l.includes('"msg":"redis may lose queued work"')).map((l) => (JSON.parse(l) as { name: string }).name));
      for (let i = 0; i < 600 && warned().size < 4; i++) await new Promise((r) => setTimeout(r, 250));
      expect([...warned()].sort(), out.slice(-3000)).toEqual(['ingest', 'ops', 'translator', 'webhooks']);
      for (const line of out.split('\n').filter((l) => l.includes('"msg":"redis may lose queued work"'))) {
        expect((JSON.parse(line) as { redisDurability: { warnings: string[] } }).redisDurability.warnings).toHaveLength(2);
      }

      const base = `http://127.0.0.1:${port}`;
      let ready: Response | undefined;
      for (let i = 0; i < 240 && !ready; i++) {
        ready = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      const details = (await ready!.json()) as { warnings: string[] };
      expect(details.warnings.join('\n')).toMatch(/does not persist/);
      expect(details.warnings.join('\n')).toMatch(/maxmemory-policy is allkeys-lru/);
      expect(Object.keys((await (await fetch(`${base}/readyz`)).json()) as object)).toEqual(['ok']);

      const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
      try {
        const page = await browser.newPage();
        const blocked: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text());
        });
        await page.goto(`${base}/#token=${token}`);
        await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 30_000 });
        const banner = page.locator('#warnings');
        await banner.waitFor({ state: 'visible', timeout: 30_000 });
        expect(await banner.innerText()).toMatch(/does not persist[\s\S]*allkeys-lru/);
        expect(blocked, 'the dashboard runs under its CSP without a refusal').toEqual([]);
        // The queue UI (signed in by the dashboard's cookie) runs its scripts under its CSP too.
        await page.goto(`${base}/ui/queues`);
        await page.getByText('deliver', { exact: false }).first().waitFor({ timeout: 30_000 });
        expect(blocked.filter((b) => /script/i.test(b)), 'no script of the queue UI blocked').toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.values(isolated).filter((v) => v.startsWith(`${id}.`)) }).catch(() => undefined);
      await admin.disconnect();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 240_000);
});
