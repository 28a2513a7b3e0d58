import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CommonConfigSchema, loadConfigOrReport } from '@wire/config';
import { normalize } from '@wire/normalize';
import { RawWireMessage, Topics } from '@wire/queues';
import { PubStatus } from '@wire/schema';
import { parseCommandArgs } from '../args';
import type { CommandIO } from '../io';

const USAGE = `usage: wire publish [--topic T] [--source NAME] [--guid ID] [--version N] [--pub-status usable|withheld|canceled] <file…|->

Puts each file on Kafka (default topic ${Topics.raw}) as one RawWireMessage envelope, key
"source:guid". The flags override what the document says; a scraped page (HTML/text, no guid of
its own) gets a guid derived from its normalized content unless --guid is given.
`;

const CONTENT_TYPES: Record<string, string> = {
  '.xml': 'application/xml',
  '.nitf': 'application/xml',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain',
  '.eml': 'message/rfc822',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
};

/** Formats that carry no identifier of their own: their guid is derived from content. */
const NO_OWN_GUID = new Set(['html', 'text']);

export interface PublishFlags {
  source?: string;
  guid?: string;
  version?: number;
  pubStatus?: PubStatus;
}

/**
 * The envelope and Kafka key for one document. Reads what the document says through
 * `normalize` (source, guid, format) only to choose the key and a content-derived guid; the
 * document itself travels unchanged.
 */
export function buildEnvelope(bytes: Buffer, filename: string | undefined, flags: PublishFlags, receivedAt = new Date().toISOString()): { key: string; envelope: RawWireMessage } {
  const ext = filename ? extname(filename).toLowerCase() : '';
  const parsed = normalize(bytes, { source: flags.source, guid: flags.guid, version: flags.version, pubStatus: flags.pubStatus, filename });
  const stories = parsed.ok ? parsed.value : [];
  const first = stories[0];
  const source = flags.source ?? first?.source ?? 'unknown';
  let guid = flags.guid;
  const format = first?.format ?? (ext === '.html' || ext === '.htm' ? 'html' : ext === '.txt' ? 'text' : undefined);
  if (!guid && format && NO_OWN_GUID.has(format) && stories.length <= 1) {
    // Same text → same guid however the page around it (ads, widgets) changes.
    const basis = first?.contentHash ?? createHash('sha256').update(bytes).digest('hex');
    guid = `sha256-${basis.slice(0, 32)}`;
  }
  const keyGuid = guid ?? (stories.length === 1 ? first?.guid : undefined) ?? `sha256-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  const asText = bytes.toString('utf8');
  const isUtf8 = Buffer.from(asText, 'utf8').equals(bytes);
  const envelope = RawWireMessage.parse({
    source,
    receivedAt,
    guid,
    version: flags.version,
    pubStatus: flags.pubStatus,
    contentType: CONTENT_TYPES[ext],
    filename: filename ? basename(filename) : undefined,
    payload: isUtf8 ? asText : bytes.toString('base64'),
    payloadEncoding: isUtf8 ? 'utf8' : 'base64',
    headers: { publisher: 'wire-cli' },
  });
  return { key: `${source}:${keyGuid}`, envelope };
}

async function readInput(file: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** `wire publish` — see USAGE. Exit 0 when every file was published, 2 on usage/input errors, 1 on Kafka failure. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const args = parseCommandArgs(argv, io, USAGE, {
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      source: { type: 'string' },
      guid: { type: 'string' },
      version: { type: 'string' },
      'pub-status': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  if (positionals.length === 0) {
    io.stderr.write(`error WIRE_ERR_USAGE: no file given\n${USAGE}`);
    return 2;
  }
  const flags: PublishFlags = { source: values.source, guid: values.guid };
  if (values.version !== undefined) {
    const n = Number(values.version);
    if (!Number.isInteger(n) || n < 1) {
      io.stderr.write(`error WIRE_ERR_USAGE: --version: expected a whole number ≥ 1, got "${values.version}"\n`);
      return 2;
    }
    flags.version = n;
  }
  if (values['pub-status'] !== undefined) {
    const ps = PubStatus.safeParse(values['pub-status']);
    if (!ps.success) {
      io.stderr.write(`error WIRE_ERR_USAGE: --pub-status: expected usable, withheld or canceled, got "${values['pub-status']}"\n`);
      return 2;
    }
    flags.pubStatus = ps.data;
  }
  const config = loadConfigOrReport(CommonConfigSchema, io.env, io.stderr);
  if (!config) return 1;
  const messages: Array<{ file: string; key: string; envelope: RawWireMessage }> = [];
  for (const file of positionals) {
    let bytes: Buffer;
    try {
      bytes = await readInput(file, io.stdin);
    } catch (err) {
      io.stderr.write(`error WIRE_ERR_USAGE: ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
      return 2;
    }
    messages.push({ file, ...buildEnvelope(bytes, file === '-' ? undefined : file, flags) });
  }
  const topic = values.topic ?? Topics.raw;
  const kafka = new Kafka({ clientId: 'wire-cli-publish', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  try {
    await producer.connect();
    const results = await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.envelope) })),
    });
    // One produce call: results are per partition; report each file with its key and partition.
    for (const m of messages) io.stdout.write(`published ${m.file} → ${topic} key=${m.key}\n`);
    for (const r of results) io.stdout.write(`  partition ${r.partition}: base offset ${r.baseOffset ?? r.offset ?? '?'}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`error WIRE_ERR_KAFKA: publishing to ${topic} at ${config.KAFKA_BROKERS.join(',')} failed (${(err as Error).message})\n`);
    return 1;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
