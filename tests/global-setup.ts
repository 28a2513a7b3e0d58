import type { TestProject } from 'vitest/node';
import { ensureInfra, stopInfra, type InfraService } from '@wire/infra';

/**
 * Integration suites run against real Kafka, S3, Redis and Apertium. Whatever already answers
 * (a running `wire infra up`, configured addresses) is used as is; the rest is started here and
 * stopped again in teardown — only what this run started. Debian packages the run needs and the
 * machine lacks (those of the services it starts, and Chromium for the browser test) are
 * installed first when the run is root, as `wire infra up` does.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const { env, started } = await ensureInfra({ packages: ['browser'], log: (line) => process.stdout.write(`[infra] ${line}\n`) });
  if (started.length > 0) {
    process.stdout.write(`[infra] started ${started.join(', ')} for this test run in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  project.provide('wireEnv', env);

  return async () => {
    if (started.length === 0) return;
    const stopped: InfraService[] = await stopInfra({ only: started });
    process.stdout.write(`[infra] stopped ${stopped.join(', ') || 'nothing'} (started by this test run)\n`);
  };
}
