import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

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
      paths: [
        'secret',
        '*.secret',
        'secrets',
        '*.secrets',
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'S3_SECRET_ACCESS_KEY',
        'OPS_TOKEN',
      ],
      censor: '[redacted]',
    },
    ...rest,
  };
  // `destination`: where lines go instead of stdout (tests capture them).
  return destination ? pino(opts, destination) : pino(opts);
}
