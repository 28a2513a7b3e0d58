import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { normalize, toNinjs } from '@wire/normalize';
import type { CommandIO } from '../io';

const USAGE = 'wire normalize [--to canonical|ninjs] [--source NAME] <file|->';

/**
 * `wire normalize [--to canonical|ninjs] [--source NAME] <file|->` — detect, parse and normalize
 * one wire document; print one JSON document (an array when the input holds several items).
 * Bad input: exit 2 with `error <CODE>: <reason>` on stderr and nothing on stdout.
 */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  let values: { to?: string; source?: string; guid?: string; version?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { to: { type: 'string' }, source: { type: 'string' }, guid: { type: 'string' }, version: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    io.stderr.write(`error WIRE_ERR_USAGE: ${e instanceof Error ? e.message : String(e)}; usage: ${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const to = values.to ?? 'canonical';
  const file = positionals[0];
  if ((to !== 'canonical' && to !== 'ninjs') || !file || positionals.length > 1) {
    io.stderr.write(`error WIRE_ERR_USAGE: usage: ${USAGE}\n`);
    return 2;
  }
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0)) {
    io.stderr.write(`error WIRE_ERR_USAGE: --version must be a positive integer, got "${values.version}"\n`);
    return 2;
  }

  let input: Uint8Array;
  try {
    input = file === '-' ? await readAll(io.stdin) : await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    io.stderr.write(`error WIRE_ERR_INPUT: cannot read ${file === '-' ? 'stdin' : file} (${code})\n`);
    return 2;
  }

  const r = normalize(input, {
    ...(values.source ? { source: values.source } : {}),
    ...(values.guid ? { guid: values.guid } : {}),
    ...(version ? { version } : {}),
    ...(file !== '-' ? { filename: file } : {}),
  });
  if (!r.ok) {
    io.stderr.write(`error ${r.error.code}: ${r.error.message.replace(/\s+/g, ' ')}\n`);
    return 2;
  }
  const docs = r.value.map((s) => (to === 'ninjs' ? toNinjs(s) : s));
  io.stdout.write(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
