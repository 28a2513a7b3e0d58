import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, runCommand, wire } from './wire-cli';

const SERVICES = ['ingest', 'translator', 'webhooks', 'ops'].filter((s) => fs.existsSync(path.join(REPO, 'services', s, 'src', 'main.ts')));

function startService(name: string, env: Record<string, string | undefined>) {
  return runCommand(process.execPath, ['--import', 'tsx', path.join('services', name, 'src', 'main.ts')], { LOG_LEVEL: 'silent', ...env }, 60_000);
}

/** The non-empty lines a person would read on stderr. */
const linesOf = (stderr: string) => stderr.split('\n').filter((l) => l.trim() !== '');

describe('bad configuration is refused at start with one line per variable', () => {
  it.concurrent.each(SERVICES)('%s exits 1 and names each bad or missing variable on its own line, without a stack trace', async (name) => {
    // ops also needs OPS_TOKEN, ops and webhooks WIRE_SECRETS_KEY: left unset here so their "missing" lines are checked too.
    const r = await startService(name, { REDIS_URL: 'localhost:6379', KAFKA_BROKERS: '127.0.0.1:9092', LOG_LEVEL: 'loud', OPS_TOKEN: undefined, WIRE_SECRETS_KEY: undefined });
    expect(r.code).toBe(1);
    const lines = linesOf(r.stderr);
    expect(lines.find((l) => /REDIS_URL/.test(l))).toMatch(/localhost:6379/);
    expect(lines.find((l) => /LOG_LEVEL/.test(l))).toBeDefined();
    if (name === 'ops') expect(lines.find((l) => /OPS_TOKEN/.test(l))).toMatch(/required|not set|missing/i);
    if (name === 'ops' || name === 'webhooks') expect(lines.find((l) => /WIRE_SECRETS_KEY/.test(l))).toMatch(/WIRE_SECRETS_KEY: required: 32 random bytes/);
    // Every line names its variable ("NAME: why"): nothing else is printed.
    for (const line of lines) expect(line).toMatch(/\b[A-Z][A-Z0-9_]{2,}: \S/);
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
    expect(r.stdout).toBe('');
  });

  it('wire infra names a bad port variable in one line', async () => {
    const r = await wire(['infra', 'status'], { WIRE_KAFKA_PORT: 'ninety' });
    expect(r.code).toBe(1);
    expect(linesOf(r.stderr)).toEqual(['error WIRE_ERR_INFRA_OPTION: WIRE_KAFKA_PORT: expected a port from 1 to 65535, got "ninety"']);
  });
});
