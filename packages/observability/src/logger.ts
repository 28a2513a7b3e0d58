import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Secret-bearing fields: signing secrets, authorization headers, and every key or token from the
 * environment (as the config object names them, and as the clients' options name them), at the
 * top of a log object or one level down (`log.info({ config })`).
 */
const SECRET_FIELDS = [
  'secret',
  'secrets',
  'authorization',
  'OPS_TOKEN',
  'OPS_METRICS_TOKEN',
  'WIRE_SECRETS_KEY',
  'WIRE_SECRETS_OLD_KEYS',
  'S3_SECRET_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'DEEPL_AUTH_KEY',
  'LIBRETRANSLATE_API_KEY',
  'secretAccessKey',
  'sessionToken',
  'authKey',
  'apiKey',
  'token',
];
const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  '*.headers.authorization',
  'credentials.secretAccessKey',
  '*.credentials.secretAccessKey',
];

/**
 * The root logger of a process: JSON lines on stdout, secrets redacted.
 * Modules take `logger.child({ component })` from it.
 */
export function createLogger(options: { name: string; level?: string } & LoggerOptions, destination?: DestinationStream): Logger {
  const { name, level = 'info', ...rest } = options;
  const opts: LoggerOptions = {
    name,
    level,
    redact: {
      paths: REDACTED_PATHS,
      censor: '[redacted]',
    },
    ...rest,
  };
  // `destination`: where lines go instead of stdout (tests capture them).
  return destination ? pino(opts, destination) : pino(opts);
}
