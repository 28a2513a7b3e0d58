/**
 * The ingest process: config from the environment, clients, health server, signals. Everything
 * else is built by `createIngestService`.
 */
import { loadConfigOrExit } from '@wire/config';
import { closeServer, createHealthServer, createLogger, listen, ShutdownManager } from '@wire/observability';
import { createIngestService } from './app';
import { ConfigSchema } from './config';

const config = loadConfigOrExit(ConfigSchema, process.env);
const log = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
const service = await createIngestService(config, log);
const health = createHealthServer({ registry: service.registry, ready: () => service.ready() });
const shutdown = new ShutdownManager(log, 30_000);
// Stop taking work first (consumer), then the health server, then clients.
for (const [name, step] of service.shutdownSteps()) {
  shutdown.add(name, step);
  if (name === 'consumer') shutdown.add('health server', () => closeServer(health));
}
shutdown.trapSignals();

try {
  const port = await listen(health, config.INGEST_HEALTH_PORT, config.BIND_HOST);
  log.info({ port }, 'health server listening');
  await service.start();
  log.info({ topic: config.INGEST_RAW_TOPIC, groupId: config.INGEST_GROUP_ID }, 'ingest running');
} catch (err) {
  log.error({ err }, 'ingest failed to start');
  await shutdown.shutdown('start failed');
  process.exit(1);
}
