/**
 * The ingest process: config from the environment, then the service `createIngestService`
 * builds, run until SIGTERM/SIGINT. The only file of the service with side effects.
 */
import { loadConfigOrExit } from '@wire/config';
import { createLogger, runService } from '@wire/observability';
import { createIngestService } from './service';
import { loadIngestConfig } from './config';

const config = loadConfigOrExit(loadIngestConfig, process.env, 'ingest');
const log = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
await runService(log, () => createIngestService(config, log), { timeoutMs: 30_000 });
