import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandIO } from './io';

/**
 * Parses a subcommand's arguments (`config.options` must have `help`). Returns the parsed
 * arguments, or the exit code once it has answered: 2 after a usage error on stderr, 0 after
 * printing `usage` for `--help`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(argv: string[], io: CommandIO, usage: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs({ ...config, args: argv }) as ReturnType<typeof parseArgs<T>>;
  } catch (err) {
    io.stderr.write(`error WIRE_ERR_USAGE: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout.write(usage);
    return 0;
  }
  return parsed;
}
