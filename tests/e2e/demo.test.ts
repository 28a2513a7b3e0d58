import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { chromium } from 'playwright-core';
import { freePort } from '@wire/infra';
import { testEnv } from '../helpers/env';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let demo: ChildProcess;
let output = '';
let exited: Promise<number | null>;
let summaryLine = '';

/**
 * `npm run demo` in its non-interactive mode, as CI runs it: the whole pipeline (ingest,
 * translator, webhooks, ops) on the real infrastructure, the bundled sample feed, the two sample
 * partners. `--linger` keeps it running after the summary so the browser can look at the
 * dashboard; SIGINT then stops it.
 */
beforeAll(async () => {
  const port = await freePort();
  demo = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'demo', '--ci', '--linger', '300', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, ...testEnv(), LOG_LEVEL: 'info', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
  demo.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  demo.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const until = Date.now() + 380_000;
  while (!/demo: (every sample story arrived|some sample stories did not arrive)/.test(output)) {
    if (demo.exitCode !== null) break;
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  summaryLine = /demo: (every sample story arrived[^\n]*|some sample stories did not arrive[^\n]*)/.exec(output)?.[0] ?? '';
}, 400_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill('SIGINT');
    await exited;
  }
});

describe('npm run demo (non-interactive)', () => {
  it('publishes the sample feed and every story arrives where expected', () => {
    expect(summaryLine, output.slice(-4000)).toBe('demo: every sample story arrived where expected');
    const table = output.slice(output.indexOf('story  '));
    for (const row of ['seed (JoongAng', 're-send of the seed', 'AP text (ninjs 1.4)', 'NTB article (NITF', 'update of the seed (v2)', 'kill of the seed']) {
      const line = table.split('\n').find((l) => l.startsWith(row));
      expect(line, `summary row ${row}`).toBeDefined();
      expect(line!.trimEnd().endsWith('ok'), line).toBe(true);
    }
    expect(table).toMatch(/re-send of the seed\s+duplicate/);
    expect(table).toMatch(/update of the seed \(v2\)\s+update/);
    expect(table).toMatch(/kill of the seed\s+kill/);
    expect(table).toMatch(/seed \(JoongAng[^\n]*es → demo-es/);
    expect(table).toMatch(/TT text \+ image[^\n]*no translator for sv→es \(demo-es\)/);
    // The partners verified every signature (a bad one would have been printed as REJECTED).
    expect(output).not.toContain('REJECTED');
    expect(output).toMatch(/\[partner demo-es\] story\.published \S+ v1 \(es\) "Kim Jong-un/);
  });

  it('shows the seed story on the live dashboard in headless Chromium, and a new story as it arrives', async () => {
    const dashboard = /dashboard:\s+(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output)?.[1];
    expect(dashboard, output.slice(-2000)).toBeDefined();
    const profile = mkdtempSync(join(tmpdir(), 'wire-chromium-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await context.newPage();
      await page.goto(dashboard!);
      await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 30_000 });
      const seedRow = page.locator('#stories tr.story', { hasText: 'Kim Jong-un says visit shows' }).first();
      await seedRow.waitFor({ timeout: 30_000 });
      expect(await page.locator('#stories').innerText()).toMatch(/kill/);
      await page.locator('#partners', { hasText: 'demo-all' }).waitFor({ timeout: 30_000 });
      // The story view: every version of the seed with its decision.
      await page.locator('#stories tr.story', { hasText: 'Kim Jong-un says visit shows' }).filter({ hasText: 'kill' }).first().click();
      await page.locator('#detail-body', { hasText: 'v3' }).waitFor({ timeout: 10_000 });
      const detail = await page.locator('#detail-body').innerText();
      expect(detail).toMatch(/v1\s+new/);
      expect(detail).toMatch(/v2\s+update/);
      expect(detail).toContain('demo-all');
      // Live: a story published now shows up without a reload (server-sent events).
      const rawTopic = /kafka: topics of this run: (\S+),/.exec(output)?.[1];
      expect(rawTopic).toBeDefined();
      const headline = `Live wire check ${Date.now().toString(36)}`;
      const kafka = new Kafka({ clientId: 'e2e-live', brokers: (testEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      const payload = JSON.stringify({ uri: `e2e-${headline}`, type: 'text', language: 'en', headline, body_text: 'SEOUL -- A story published while the dashboard is open appears on it at once.' });
      await producer.send({
        topic: rawTopic!,
        messages: [{ key: `e2e:${headline}`, value: JSON.stringify({ source: 'e2e', guid: headline.replace(/\s+/g, '-'), receivedAt: new Date().toISOString(), contentType: 'application/json', payload }) }],
      });
      await producer.disconnect();
      await page.locator('#stories tr.story', { hasText: headline }).waitFor({ timeout: 60_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('stops everything it started on Ctrl-C and exits 0', async () => {
    const pids = [...output.matchAll(/\[supervisor\] started (\w+) \(pid (\d+)\)/g)].map((m) => Number(m[2]));
    expect(pids.length).toBe(4);
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('demo: stopped');
    expect(pids.filter(alive)).toEqual([]);
  });
});
