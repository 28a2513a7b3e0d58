import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The root logger of a process: JSON lines on stdout, secrets redacted.
 * Modules take `logger.child({ component })` from it.
 */
export function createLogger(options: { name: string; level?: string } & LoggerOptions): Logger {
  const { name, level = 'info', ...rest } = options;
  return pino({
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
  });
}
