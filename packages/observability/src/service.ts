import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { closeServer, createHealthServer, listen, type ReadinessCheck } from './health-server';
import { ShutdownManager } from './shutdown';

/** A service as its factory builds it (`createIngestService`, `createOpsService`, …), for `runService`. */
export interface Service {
  /** Connect and start taking work; resolves once the service runs. */
  start(): Promise<void>;
  /** Teardown steps in order: stop taking work first, finish in-flight work, then close clients. */
  shutdownSteps(): Array<[string, () => unknown]>;
  /** The health server of a worker without an HTTP API of its own: `/healthz`, `/readyz`, `/metrics`. */
  health?: { port: number; host: string; registry: Registry; ready: ReadinessCheck };
}

/**
 * The body of every service's `main.ts`, after its config is loaded: trap SIGTERM and SIGINT,
 * build the service, start its health server, start it. Shutdown runs the service's steps with
 * the health server closed after the first one (once no new work is taken), then flushes the
 * logs. A build or start that fails is logged, what was built is shut down, and the process
 * exits 1.
 *
 * @example
 * const config = loadConfigOrExit(ConfigSchema, process.env, 'ingest');
 * const log = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
 * await runService(log, () => createIngestService(config, log), { timeoutMs: 30_000 });
 */
export async function runService(log: Logger, build: () => Promise<Service>, opts: { timeoutMs?: number; exit?: (code: number) => void } = {}): Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const shutdown = new ShutdownManager(log, opts.timeoutMs);
  shutdown.trapSignals(exit);
  try {
    const service = await build();
    const health = service.health && createHealthServer(service.health);
    for (const [i, [name, step]] of service.shutdownSteps().entries()) {
      shutdown.add(name, step);
      if (i === 0 && health) shutdown.add('health server', () => closeServer(health));
    }
    shutdown.add('logs', () => new Promise<void>((resolve) => log.flush(() => resolve())));
    if (health && service.health) {
      const port = await listen(health, service.health.port, service.health.host);
      log.info({ port }, 'health server listening');
    }
    await service.start();
  } catch (err) {
    log.error({ err }, 'failed to start');
    await shutdown.shutdown('start failed');
    exit(1);
  }
}
