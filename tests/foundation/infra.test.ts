import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, infraStatus } from '@wire/infra';
import { REPO, wire } from './wire-cli';


function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** PIDs of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\)\s+Z\s/.test(stat)) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked: not ours to count.
      continue;
    }
  }
  return pids;
}

interface UpJson {
  env: Record<string, string>;
  started: string[];
  services: { name: string; state: string; pid?: number; address: string }[];
}

/**
 * A second, private set of servers (own data folder and ports), so stopping it never touches the
 * shared services other suites use at the same time. The jars are shared (WIRE_INFRA_LIB).
 */
describe('wire infra up/status/down on a private instance', () => {
  let dir: string;
  let env: Record<string, string>;
  let ports: { kafka: number; controller: number; s3: number; apy: number; redis: number };
  let firstUp: UpJson;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-infra-test-'));
    ports = { kafka: await freePort(), controller: await freePort(), s3: await freePort(), apy: await freePort(), redis: await freePort() };
    env = {
      WIRE_INFRA_DIR: dir,
      WIRE_INFRA_LIB: path.join(REPO, 'infra', '.data', 'lib'),
      WIRE_KAFKA_PORT: String(ports.kafka),
      WIRE_KAFKA_CONTROLLER_PORT: String(ports.controller),
      WIRE_S3_PORT: String(ports.s3),
      WIRE_APY_PORT: String(ports.apy),
      WIRE_REDIS_PORT: String(ports.redis),
      WIRE_INFRA_OWN_REDIS: '1',
      WIRE_KAFKA_PARTITIONS: '1',
      // Quicker start for a broker that lives a minute: client compiler only, serial GC.
      WIRE_KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
      WIRE_S3_JVM_OPTS: '-XX:TieredStopAtLevel=1',
    };
  });

  afterAll(async () => {
    // Whatever a failed assertion left behind: stop it by PID file, then drop the folder.
    if (dir) {
      await wire(['infra', 'down'], env);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts every service on 127.0.0.1 and prints the environment', async () => {
    const r = await wire(['infra', 'up', '--json'], env, 290_000);
    expect(r.code, r.stderr).toBe(0);
    firstUp = JSON.parse(r.stdout.trim().split('\n').pop()!) as UpJson;
    expect(firstUp.started.sort()).toEqual(['apertium', 'kafka', 'redis', 's3']);
    expect(firstUp.env).toMatchObject({
      KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
      S3_ENDPOINT: `http://127.0.0.1:${ports.s3}`,
      REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
      APERTIUM_URL: `http://127.0.0.1:${ports.apy}`,
      S3_BUCKET: 'wire',
    });
    for (const p of Object.values(ports)) expect(await portOpen(p)).toBe(true);
    for (const s of firstUp.services) expect(fs.readFileSync(path.join(dir, 'run', `${s.name}.pid`), 'utf8').trim()).toBe(String(s.pid));
    // Long enough for a first Maven fetch of the jars when the shared ones are not there yet.
  }, 300_000);

  it('is a no-op the second time: nothing started, the same processes', async () => {
    const r = await wire(['infra', 'up'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/all services already running .*nothing started/);
    for (const s of firstUp.services) expect(r.stdout).toContain(`pid ${s.pid}`);
    expect(r.stdout).toContain(`export KAFKA_BROKERS='127.0.0.1:${ports.kafka}'`);

    const status = await infraStatus({ env });
    expect(status.map((s) => [s.name, s.state, s.pid])).toEqual(firstUp.services.map((s) => [s.name, 'running', s.pid]));
  });

  it('the Redis it starts keeps its data across a restart (append-only file, no eviction)', async () => {
    const url = `redis://127.0.0.1:${ports.redis}`;
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await redis.set('wire-infra-test:partner', 'kept');
    // Past the once-a-second fsync, so the write is on disk before the stop.
    await new Promise((r) => setTimeout(r, 1500));
    redis.disconnect();
    expect(fs.readdirSync(path.join(dir, 'redis', 'appendonlydir')).some((f) => f.endsWith('.aof'))).toBe(true);

    const down = await wire(['infra', 'down', '--only', 'redis'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(await portOpen(ports.redis)).toBe(false);
    const up = await wire(['infra', 'up', '--only', 'redis', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    expect((JSON.parse(up.stdout.trim().split('\n').pop()!) as UpJson).started).toEqual(['redis']);

    const again = new Redis(url, { maxRetriesPerRequest: 1 });
    expect(await again.get('wire-infra-test:partner')).toBe('kept');
    again.disconnect();
    firstUp.services = (await infraStatus({ env })).map((s) => ({ name: s.name, state: s.state, pid: s.pid, address: s.address }));
  });

  it('down --only stops just the named service', async () => {
    const r = await wire(['infra', 'down', '--only', 'apertium'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped apertium$/m);
    const status = await infraStatus({ env });
    expect(status.find((s) => s.name === 'apertium')!.state).toBe('stopped');
    expect(status.filter((s) => s.name !== 'apertium').map((s) => s.state)).toEqual(['running', 'running', 'running']);
  });

  it('down stops exactly those processes and leaves none of ours behind', async () => {
    const before = processesMentioning(dir);
    expect(before.length).toBeGreaterThan(0);
    const r = await wire(['infra', 'down'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stopped/);
    for (const s of firstUp.services) {
      expect(fs.existsSync(`/proc/${s.pid}/cmdline`) && processesMentioning(dir).includes(s.pid!)).toBe(false);
    }
    expect(processesMentioning(dir)).toEqual([]);
    // Redis rewrites its command line to its address, so it is checked by its port as well.
    for (const p of Object.values(ports)) expect(await portOpen(p)).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'run')).filter((f) => f.endsWith('.pid'))).toEqual([]);

    const again = await wire(['infra', 'down'], env);
    expect(again.stdout).toMatch(/nothing to stop/);
    expect((await infraStatus({ env })).map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
  });
});
