import { fileURLToPath } from 'node:url';
import { ensureInfra, InfraError, stopInfra, type InfraService } from '@wire/infra';
import type { CommandIO } from '../io';

/** Each area and the local services its benchmark talks to (started here when none answers). */
const AREAS = {
  normalize: [],
  dedupe: ['redis'],
  ingest: ['kafka', 's3', 'redis'],
  webhooks: ['redis'],
  translate: ['apertium', 'redis'],
} as const satisfies Record<string, readonly InfraService[]>;
type Area = keyof typeof AREAS;

/**
 * `wire bench <area> [--json] [options]` — each benchmark lives in `bench/<area>.ts` at the top of
 * the repo and exports `run(argv, io)`; it prints its figure beside a raw baseline measured in the
 * same run, and with `--json` ends with one JSON line.
 *
 * Like the demo and the tests, a bench brings up the local infrastructure it needs (what already
 * answers is used as is) and stops, at the end, only what it started; when that cannot be done it
 * fails with one line saying what is missing.
 */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const [area, ...rest] = argv;
  if (!area || !Object.hasOwn(AREAS, area)) {
    io.stderr.write(`error WIRE_ERR_USAGE: wire bench <${Object.keys(AREAS).join('|')}> [--json]\n`);
    return 2;
  }
  if (import.meta.url.endsWith('.js')) {
    // The benchmarks are TypeScript beside the repository's tests, not part of the build.
    io.stderr.write('error WIRE_ERR_USAGE: wire bench runs from the source with the dev dependencies: npm run wire -- bench …\n');
    return 2;
  }
  const services: InfraService[] = [...AREAS[area as Area]];
  let started: InfraService[] = [];
  let env = io.env;
  if (services.length > 0) {
    try {
      const up = await ensureInfra({ services, env: io.env, log: (line) => io.stderr.write(`[infra] ${line}\n`) });
      started = up.started;
      env = { ...io.env, ...up.env };
    } catch (err) {
      if (!(err instanceof InfraError)) throw err;
      io.stderr.write(`error ${err.code}: wire bench ${area} needs ${services.join(', ')}: ${err.message.split('\n')[0]}\n`);
      return 1;
    }
  }
  try {
    const file = fileURLToPath(new URL(`../../../../bench/${area}.ts`, import.meta.url));
    const mod = (await import(file)) as { run(argv: string[], io: CommandIO): Promise<number> };
    return await mod.run(rest, { ...io, env });
  } catch (err) {
    // A bench that dies (a server went away mid-run) says so in one line, not a stack trace.
    const e = err as Error & { code?: string };
    io.stderr.write(`error ${e.code && /^[A-Z_]+$/.test(e.code) ? e.code : 'WIRE_ERR_BENCH'}: wire bench ${area} failed: ${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    if (started.length > 0) {
      const stopped = await stopInfra({ only: started, env: io.env });
      io.stderr.write(`[infra] stopped ${stopped.join(', ') || 'nothing'} (started by this bench)\n`);
    }
  }
}
