/**
 * The ops process: config from the environment, then the service `createOpsService` builds (the
 * HTTP app on BIND_HOST:PORT, the Kafka indexer, metrics polling), run until SIGTERM/SIGINT. The
 * only file of the service with side effects.
 */
import { loadConfigOrExit } from '@wire/config';
import { createLogger, runService } from '@wire/observability';
import { loadOpsConfig } from './config';
import { createOpsService } from './service';

const config = loadConfigOrExit(loadOpsConfig, process.env, 'ops');
const log = createLogger({ name: 'ops', level: config.LOG_LEVEL });
await runService(log, () => createOpsService(config, log));
