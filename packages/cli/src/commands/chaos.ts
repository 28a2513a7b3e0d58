import { fileURLToPath } from 'node:url';
import type { CommandIO } from '../io';

/**
 * `wire chaos [--trials N] [--seed S] [--json]` — the fault-injection run lives in `chaos/` at
 * the top of the repo (beside `bench/`), as the benchmarks do; `chaos/run.ts` says what it does.
 */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  if (import.meta.url.endsWith('.js')) {
    // Like the benchmarks, the chaos run is TypeScript beside the tests, not part of the build.
    io.stderr.write('error WIRE_ERR_USAGE: wire chaos runs from the source with the dev dependencies: npm run wire -- chaos …\n');
    return 2;
  }
  const file = fileURLToPath(new URL('../../../../chaos/run.ts', import.meta.url));
  const mod = (await import(file)) as { run(argv: string[], io: CommandIO): Promise<number> };
  return mod.run(argv, io);
}
