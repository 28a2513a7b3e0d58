import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysMatching, freePort } from '@wire/infra';
import { isolatedRunEnv } from '@wire/svc-ingest';
import { testEnv, uniqueName } from '../helpers/env';
import { createTopic, deleteGroups, deleteTopics, kafkaFor } from '../ingest/helpers';
import { REPO, runCommand } from './wire-cli';

/** What a production copy leaves out, as the Docker context does (.dockerignore). */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', '.wire', 'coverage', 'artifacts', '.data']);

async function waitReady(url: string, gone: () => boolean, timeoutMs: number): Promise<{ status: number; body: string }> {
  const until = Date.now() + timeoutMs;
  let last = { status: 0, body: 'no answer' };
  while (Date.now() < until && !gone()) {
    last = await fetch(url).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      (err: Error) => ({ status: 0, body: err.message }),
    );
    if (last.status === 200) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

/**
 * Production runs without the dev tools: a copy of the project installed with
 * `npm ci --omit=dev` (no tsx, no TypeScript) plus the build runs `wire start` with plain node,
 * and every service answers /readyz against the test infrastructure.
 */
describe('production: the build with production dependencies only', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-production-'));
  const id = uniqueName('prod').replace(/[^A-Za-z0-9-]/g, '-');
  const run = isolatedRunEnv(id, 'test');
  const env = testEnv();
  const kafka = kafkaFor(env);
  const topics = [run.INGEST_RAW_TOPIC, run.INGEST_CANONICAL_TOPIC, run.INGEST_EVENTS_TOPIC, run.INGEST_DLQ_TOPIC] as string[];

  afterAll(async () => {
    await deleteTopics(kafka, topics);
    await deleteGroups(kafka, [run.INGEST_GROUP_ID as string, `${id}-ops`]);
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    for (const match of [`${run.WIRE_REDIS_PREFIX}*`, `${run.WIRE_QUEUE_PREFIX}:*`]) await deleteKeysMatching(redis, match);
    redis.disconnect();
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it('npm ci --omit=dev is quiet and leaves the dev tools out', async () => {
    fs.cpSync(REPO, copy, { recursive: true, filter: (src) => !NOT_COPIED.has(path.basename(src)) || src === REPO });
    const ci = await runCommand('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {}, 600_000, copy);
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stderr, 'npm ci printed warnings').toBe('');
    expect(ci.stdout).toMatch(/^added \d+ packages in /m);
    // (typescript itself stays: @bull-board/api → valibot names it an optional peer, and npm keeps
    // such a peer when the lock file has it; nothing at run time loads it.)
    for (const devTool of ['tsx', 'vitest', 'esbuild', 'eslint', '@types/node']) expect(fs.existsSync(path.join(copy, 'node_modules', devTool)), devTool).toBe(false);
  }, 660_000);

  it('npm run build compiles every workspace, and wire start runs every service from it until /readyz', async () => {
    // The build needs esbuild, a dev tool: it runs from this checkout, writing into the copy.
    const build = await runCommand(process.execPath, [path.join(REPO, 'infra', 'build.mjs'), '--root', copy], {}, 120_000);
    expect(build.code, build.stderr).toBe(0);
    for (const ws of ['packages/schema', 'packages/cli', 'services/ops', 'services/ingest', 'infra']) {
      expect(fs.existsSync(path.join(copy, ws, 'dist')), ws).toBe(true);
    }
    expect(fs.existsSync(path.join(copy, 'services', 'ops', 'dist', 'dashboard', 'index.html'))).toBe(true);

    for (const t of topics) await createTopic(kafka, t, 1);
    const ports = { ops: await freePort(), ingest: await freePort(), webhooks: await freePort(), translator: await freePort() };
    const token = uniqueName('production-token');
    const child = spawn(process.execPath, ['packages/cli/dist/main.js', 'start', '--max-restarts', '0'], {
      cwd: copy,
      env: {
        PATH: process.env.PATH,
        ...env,
        ...run,
        LOG_LEVEL: 'info',
        OPS_TOKEN: token,
        PORT: String(ports.ops),
        INGEST_HEALTH_PORT: String(ports.ingest),
        WEBHOOKS_PORT: String(ports.webhooks),
        TRANSLATOR_PORT: String(ports.translator),
        OPS_EVENTS_TOPIC: run.INGEST_EVENTS_TOPIC,
        OPS_DLQ_TOPIC: run.INGEST_DLQ_TOPIC,
        OPS_KAFKA_GROUP: `${id}-ops`,
        OPS_LAG_GROUPS: run.INGEST_GROUP_ID,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
    try {
      for (const [name, port] of Object.entries(ports)) {
        const ready = await waitReady(`http://127.0.0.1:${port}/readyz`, () => exitCode !== undefined, 180_000);
        expect(ready.status, `${name} /readyz: ${ready.body}\n${out}`).toBe(200);
      }
      // Each service is a plain node process running its build: no tsx loader anywhere.
      for (const name of Object.keys(ports)) {
        const pid = Number(new RegExp(`started ${name} \\(pid (\\d+)\\)`).exec(out)?.[1]);
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        expect(cmd.slice(1), name).toEqual([path.join(copy, 'services', name, 'dist', 'main.js')]);
      }
      // The queue UI's files come through @fastify/static (content-disposition overridden to a Node 20 release).
      const auth = { authorization: `Bearer ${token}` };
      const page = await (await fetch(`http://127.0.0.1:${ports.ops}/ui/queues`, { headers: auth })).text();
      const asset = /(?:src|href)="((?:[^"]*\/)?static\/[^"]+\.(?:js|css))"/.exec(page)?.[1];
      expect(asset, page.slice(0, 500)).toBeDefined();
      const res = await fetch(new URL(asset!, `http://127.0.0.1:${ports.ops}/ui/queues/`), { headers: auth });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    } finally {
      if (exitCode === undefined) child.kill('SIGTERM');
    }
    expect(await exited, out).toBe(0);
    expect(out).toContain('wire start: stopped');
    // No Node process warning and no AWS SDK Node-version warning in the services' output.
    expect(out).not.toMatch(/\(node:\d+\) \[?\w*Warning|NodeVersionSupportWarning/);
  }, 420_000);
});
