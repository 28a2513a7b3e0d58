import { PassThrough } from 'node:stream';
import type { CommandIO } from '../../packages/cli/src/io';

/** Streams for a `wire` subcommand under test, with what it wrote so far. */
export function captureIO(env: Record<string, string | undefined>): { io: CommandIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env }, out: () => out, err: () => err };
}

/** Run a subcommand's `run(argv, io)` in-process; resolves with its exit code and output. */
export async function runCommand(
  run: (argv: string[], io: CommandIO) => Promise<number>,
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO(env);
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}
