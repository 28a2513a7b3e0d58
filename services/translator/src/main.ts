/**
 * The translator process: config from the environment, then the service
 * `createTranslatorService` builds, run until SIGTERM/SIGINT. The only file of the service with
 * side effects.
 */
import { loadConfigOrExit } from '@wire/config';
import { createLogger, runService } from '@wire/observability';
import { loadTranslatorConfig } from './config';
import { createTranslatorService } from './service';

const config = loadConfigOrExit(loadTranslatorConfig, process.env, 'translator');
const log = createLogger({ name: 'translator', level: config.LOG_LEVEL });
await runService(log, () => createTranslatorService(config, log));
