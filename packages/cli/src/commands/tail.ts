import type { CommandIO } from '../io';

/** `wire tail` — not built yet; its issue fills this in. */
export async function run(_argv: string[], io: CommandIO): Promise<number> {
  io.stderr.write('wire tail: not built yet\n');
  return 1;
}
