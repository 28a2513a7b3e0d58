/**
 * The webhooks process: config from the environment, then the service `createWebhooksService`
 * builds, run until SIGTERM/SIGINT. The only file of the service with side effects.
 */
import { loadConfigOrExit } from '@wire/config';
import { createLogger, runService } from '@wire/observability';
import { ConfigSchema } from './config';
import { createWebhooksService } from './service';

const config = loadConfigOrExit(ConfigSchema, process.env, 'webhooks');
const log = createLogger({ name: 'webhooks', level: config.LOG_LEVEL });
await runService(log, () => createWebhooksService(config, log));
