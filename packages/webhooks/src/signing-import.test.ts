import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'wire-signing-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Module hooks that write every URL a process resolves through import to WIRE_RESOLVED_LOG, one per line.
const hooks = path.join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.WIRE_RESOLVED_LOG, r.url + '\\n');
  return r;
}
`,
);
const register = path.join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

/** The packages under node_modules a fresh node process (running the TypeScript through tsx) loads for `import(specifier)`. */
function packagesLoadedBy(specifier: string): string[] {
  const log = path.join(dir, `${specifier.replace(/\W/g, '_')}.log`);
  writeFileSync(log, '');
  // ESM resolutions go through the hooks; CommonJS packages (bullmq, ioredis) load their own
  // dependencies with require, which the module cache shows.
  const script = `import { createRequire } from 'node:module';
await import(${JSON.stringify(specifier)});
process.stdout.write(Object.keys(createRequire(process.cwd() + '/').cache).map((f) => 'file://' + f).join('\\n'));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script], {
    cwd: REPO,
    env: { ...process.env, WIRE_RESOLVED_LOG: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const names = new Set<string>();
  for (const url of [...readFileSync(log, 'utf8').split('\n'), ...run.stdout.split('\n')]) {
    const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

describe('@wire/webhooks/signing', () => {
  it('loads no HTTP client and no queue code, where the package entry loads both', () => {
    const signing = packagesLoadedBy('@wire/webhooks/signing');
    for (const heavy of ['undici', 'bullmq', 'ioredis']) expect(signing, heavy).not.toContain(heavy);
    // The same check on the package's main entry finds them: the hooks see what is loaded.
    const whole = packagesLoadedBy('@wire/webhooks');
    for (const heavy of ['undici', 'bullmq', 'ioredis']) expect(whole, heavy).toContain(heavy);
  }, 120_000);
});
