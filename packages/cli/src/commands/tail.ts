import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CommonConfigSchema, loadConfigOrReport } from '@wire/config';
import { Topics } from '@wire/queues';
import { parseCommandArgs } from '../args';
import type { CommandIO } from '../io';

const USAGE = `usage: wire tail [topic] [--json] [--from-beginning] [--max N]

Follows a Kafka topic (default ${Topics.canonical}) the way an internal subscriber would: one line
per message with its key, version and headline. Ctrl-C stops.

  --json             print each raw message value (one JSON document per line)
  --from-beginning   start at the oldest message instead of new ones only
  --max N            exit after N messages
`;

/** One readable line for a message: key, version and headline (or what the value holds). */
export function describeMessage(key: string | null, value: string): string {
  let doc: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
  } catch {
    doc = undefined;
  }
  if (!doc) return `${key ?? '-'}  ${value.slice(0, 100).replace(/\s+/g, ' ')}`;
  const version = doc.version !== undefined ? `v${String(doc.version)}` : '';
  const headline =
    typeof doc.headline === 'string'
      ? doc.headline
      : Array.isArray(doc.headlines) && typeof (doc.headlines[0] as { value?: unknown })?.value === 'string'
        ? String((doc.headlines[0] as { value: string }).value)
        : '';
  const extra: string[] = [];
  if (typeof doc.type === 'string') extra.push(doc.type);
  const decision = doc.decision as { kind?: unknown } | undefined;
  if (decision && typeof decision.kind === 'string') extra.push(decision.kind);
  if (typeof doc.language === 'string') extra.push(doc.language);
  if (!headline && typeof doc.source === 'string') extra.push(`source=${doc.source}`);
  if (!headline && typeof doc.code === 'string') extra.push(`${doc.code}: ${String(doc.reason ?? '')}`);
  return [key ?? '-', version, extra.length ? `[${extra.join(' ')}]` : '', headline ? `"${headline}"` : ''].filter(Boolean).join('  ');
}

/** `wire tail [topic]` — an internal subscriber's view of a stream. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const args = parseCommandArgs(argv, io, USAGE, {
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'from-beginning': { type: 'boolean', default: false },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof args === 'number') return args;
  if (args.positionals.length > 1) {
    io.stderr.write(`error WIRE_ERR_USAGE: one topic at a time\n${USAGE}`);
    return 2;
  }
  const max = args.values.max === undefined ? Infinity : Number(args.values.max);
  if (!(max === Infinity || (Number.isInteger(max) && max > 0))) {
    io.stderr.write(`error WIRE_ERR_USAGE: --max: expected a positive whole number, got "${args.values.max}"\n`);
    return 2;
  }
  const cfg = loadConfigOrReport(CommonConfigSchema, io.env, io.stderr);
  if (!cfg) return 1;
  const topic = args.positionals[0] ?? Topics.canonical;
  const kafka = new Kafka({ clientId: 'wire-tail', brokers: cfg.KAFKA_BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      io.stderr.write(`error WIRE_ERR_TAIL_TOPIC: topic "${topic}" does not exist on ${cfg.KAFKA_BROKERS.join(',')}\n`);
      return 1;
    }
  } catch (err) {
    io.stderr.write(`error WIRE_ERR_KAFKA: cannot reach Kafka at ${cfg.KAFKA_BROKERS.join(',')}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  // A throwaway group per run: tailing never moves another subscriber's offsets.
  const consumer = kafka.consumer({ groupId: `wire-tail-${randomBytes(6).toString('hex')}` });
  let seen = 0;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: args.values['from-beginning'] });
    if (!args.values.json) io.stderr.write(`tailing ${topic}${args.values['from-beginning'] ? ' from the beginning' : ''} (Ctrl-C stops)\n`);
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (seen >= max) return;
        const key = message.key?.toString('utf8') ?? null;
        const value = message.value?.toString('utf8') ?? '';
        io.stdout.write(args.values.json ? `${value}\n` : `${describeMessage(key, value)}\n`);
        if (++seen >= max) stop();
      },
    });
    await stopped;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.disconnect().catch(() => undefined);
  }
}
