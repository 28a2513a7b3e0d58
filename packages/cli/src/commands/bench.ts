import { fileURLToPath } from 'node:url';
import type { CommandIO } from '../io';

const AREAS = ['normalize', 'dedupe', 'ingest', 'webhooks', 'translate'] as const;

/**
 * `wire bench <area> [--json] [options]` — each benchmark lives in `bench/<area>.ts` at the top of
 * the repo and exports `run(argv, io)`; it prints its figure beside a raw baseline measured in the
 * same run, and with `--json` ends with one JSON line.
 */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const [area, ...rest] = argv;
  if (!area || !(AREAS as readonly string[]).includes(area)) {
    io.stderr.write(`error WIRE_ERR_USAGE: wire bench <${AREAS.join('|')}> [--json]\n`);
    return 2;
  }
  if (import.meta.url.endsWith('.js')) {
    // The benchmarks are TypeScript beside the repository's tests, not part of the build.
    io.stderr.write('error WIRE_ERR_USAGE: wire bench runs from the source with the dev dependencies: npm run wire -- bench …\n');
    return 2;
  }
  const file = fileURLToPath(new URL(`../../../../bench/${area}.ts`, import.meta.url));
  const mod = (await import(file)) as { run(argv: string[], io: CommandIO): Promise<number> };
  return mod.run(rest, io);
}
