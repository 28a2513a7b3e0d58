import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deleteKeysMatching, freePort } from '@wire/infra';
import { run } from '../../packages/cli/src/commands/start';
import { testEnv, uniqueName } from '../helpers/env';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));


describe('wire start', () => {
  it('refuses a bad environment with one line per bad variable and starts nothing', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await run([], { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: { REDIS_URL: 'http://nope', PORT: 'eighty', LOG_LEVEL: 'loud' } });
    expect(code).toBe(1);
    expect(err).toContain('nothing started');
    expect(err).toMatch(/REDIS_URL: expected a URL \(redis: or rediss:\), got "http:\/\/nope"/);
    expect(err).toMatch(/PORT: expected a whole number/);
    expect(err).toMatch(/OPS_TOKEN: required/);
    expect(err).toMatch(/LOG_LEVEL: /);
  });

  it('refuses a placeholder or predictable OPS_TOKEN before starting anything, and so does the ops service itself', async () => {
    for (const token of ['change-me-local-ops-token', 'please-change-this-token', 'opsopsopsopsopsopsops']) {
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await run([], { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: { ...testEnv(), OPS_TOKEN: token } });
      expect(code, token).toBe(1);
      expect(err).toContain('nothing started');
      expect(err).toMatch(/OPS_TOKEN: (is a placeholder|too predictable)/);
      expect(err).not.toContain(token);
    }
    const ops = spawnSync(process.execPath, ['--import', 'tsx', 'services/ops/src/main.ts'], { cwd: ROOT, env: { ...process.env, ...testEnv(), OPS_TOKEN: 'change-me-local-ops-token' }, encoding: 'utf8', timeout: 60_000 });
    expect(ops.status).toBe(1);
    expect(ops.stderr).toContain('ops: config error: OPS_TOKEN: is a placeholder ("changeme")');
  });

  it('runs a service against the configured infrastructure and stops it cleanly on SIGTERM', async () => {
    const port = await freePort();
    // Its own Redis and BullMQ prefixes (removed after), so the run leaves nothing in Redis.
    const redisPrefix = `${uniqueName('start')}:`;
    const queuePrefix = uniqueName('start-bull');
    onTestFinished(async () => {
      const redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
      for (const match of [`${redisPrefix}*`, `${queuePrefix}:*`]) await deleteKeysMatching(redis, match);
      redis.disconnect();
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'start', '--only', 'ops'], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv(), PORT: String(port), OPS_TOKEN: randomBytes(24).toString('base64url'), WIRE_REDIS_PREFIX: redisPrefix, WIRE_QUEUE_PREFIX: queuePrefix, OPS_KAFKA_GROUP: uniqueName('ops-start'), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let healthy = false;
    for (let i = 0; i < 240 && !healthy; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    expect(healthy, out).toBe(true);
    const pid = Number(/started ops \(pid (\d+)\)/.exec(out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"shut down"');
    expect(out).toContain('wire start: stopped');
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
