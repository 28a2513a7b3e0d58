import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CommonConfigSchema, loadConfigOrReport } from '@wire/config';
import { DedupeEngine, MemoryDedupeStore, RedisDedupeStore, normalizedStory, runStream, score, type DedupeStore, type LabelledItem, type StreamItem } from '@wire/dedupe';
import type { CommandIO } from '../io';

const USAGE = 'wire dedupe --input <stream.jsonl> [--store memory|redis] [--window-days N] [--batch N] [--score]';

/**
 * `wire dedupe --input <stream.jsonl> [--store memory|redis]` — each line (`id`, `source`,
 * `guid`, `version`, `receivedAt`, `headline`, `body`) goes through normalization and the
 * dedupe/versioning engine, in order, on a fresh index; prints one line per item:
 * `{"id", "decision", "of"}` where `of` is the id of an earlier item of the same story.
 * The Redis index uses a prefix of its own and is deleted afterwards. With `--score`, a labelled
 * stream (`expect`, `cluster`, `kind`, as in tests/fixtures/datasets/dedupe-dev.jsonl) is also scored:
 * accuracy, pairwise precision/recall/F1 and look-alikes merged, one JSON line on stderr.
 */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  let values: { input?: string; store?: string; 'window-days'?: string; batch?: string; score?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string', short: 'i' },
        store: { type: 'string' },
        'window-days': { type: 'string' },
        batch: { type: 'string' },
        score: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`error WIRE_ERR_USAGE: ${e instanceof Error ? e.message : String(e)}; usage: ${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const storeKind = values.store ?? 'memory';
  const windowDays = values['window-days'] === undefined ? 30 : Number(values['window-days']);
  const batch = values.batch === undefined ? 64 : Number(values.batch);
  if (!values.input || (storeKind !== 'memory' && storeKind !== 'redis') || !(windowDays > 0) || !(Number.isInteger(batch) && batch > 0)) {
    io.stderr.write(`error WIRE_ERR_USAGE: usage: ${USAGE}\n`);
    return 2;
  }

  let items: StreamItem[];
  try {
    const text = values.input === '-' ? await readStdin(io.stdin) : await readFile(values.input, 'utf8');
    items = parseLines(text);
  } catch (e) {
    io.stderr.write(`error WIRE_ERR_DEDUPE_INPUT: ${values.input}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  let store: DedupeStore;
  let cleanup = async (): Promise<void> => {};
  if (storeKind === 'redis') {
    const config = loadConfigOrReport(CommonConfigSchema, io.env, io.stderr);
    if (!config) return 1;
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    try {
      await redis.connect();
    } catch (e) {
      io.stderr.write(`error WIRE_ERR_DEDUPE_STORE: cannot reach Redis at ${config.REDIS_URL} (${e instanceof Error ? e.message : String(e)})\n`);
      redis.disconnect();
      return 1;
    }
    const redisStore = new RedisDedupeStore({ redis, prefix: `wire:dedupe-cli:${process.pid}-${Date.now().toString(36)}`, windowDays });
    store = redisStore;
    cleanup = async () => {
      await redisStore.deleteAll();
      redis.disconnect();
    };
  } else {
    store = new MemoryDedupeStore({ windowDays });
  }

  const build = (item: StreamItem) =>
    normalizedStory(item, (it, reason) => io.stderr.write(`warning ${reason}; item ${it.id}: deciding on the raw text\n`));

  try {
    const engine = new DedupeEngine({ store, windowDays });
    const outputs = await runStream(items, engine, { build, batch });
    for (const o of outputs) io.stdout.write(`${JSON.stringify(o)}\n`);
    if (values.score) {
      const { errors, byKind, ...summary } = score(items as LabelledItem[], outputs);
      io.stderr.write(`${JSON.stringify({ ...summary, wrong: errors.length, byKind })}\n`);
    }
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'WIRE_ERR_DEDUPE_STORE';
    io.stderr.write(`error ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

function parseLines(text: string): StreamItem[] {
  const out: StreamItem[] = [];
  text.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`line ${n + 1}: not JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    const version = o.version === undefined ? 1 : Number(o.version);
    if (typeof o.source !== 'string' || typeof o.guid !== 'string' || !(Number.isInteger(version) && version > 0)) {
      throw new Error(`line ${n + 1}: needs string "source" and "guid" and a positive integer "version"`);
    }
    out.push({
      id: o.id === undefined ? String(n + 1) : String(o.id),
      source: o.source,
      guid: o.guid,
      version,
      receivedAt: typeof o.receivedAt === 'string' ? o.receivedAt : undefined,
      headline: typeof o.headline === 'string' ? o.headline : '',
      body: typeof o.body === 'string' ? o.body : '',
      pubStatus: o.pubStatus === 'canceled' || o.pubStatus === 'withheld' || o.pubStatus === 'usable' ? o.pubStatus : undefined,
      correction: o.correction === true,
      ...(typeof o.expect === 'string' ? { expect: o.expect } : {}),
      ...(typeof o.cluster === 'string' ? { cluster: o.cluster } : {}),
      ...(typeof o.kind === 'string' ? { kind: o.kind } : {}),
    });
  });
  return out;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
