import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import type { RawWireMessageInput } from '@wire/queues';
import { isolatedRunEnv } from '@wire/svc-ingest';
import { testEnv, uniqueName } from '../helpers/env';
import { deleteKeysMatching } from '@wire/infra';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INGEST_MAIN = fileURLToPath(new URL('../../services/ingest/src/main.ts', import.meta.url));

/** Environment for one isolated ingest run: unique topics, group, S3/Redis/BullMQ prefixes. */
export function isolatedIngestEnv(tag: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = uniqueName(tag).replace(/[^A-Za-z0-9-]/g, '-');
  return {
    ...testEnv(),
    ...isolatedRunEnv(id, 'test'),
    INGEST_HEALTH_PORT: '0',
    INGEST_SESSION_TIMEOUT_MS: '6000',
    INGEST_CHUNK_SIZE: '50',
    ...extra,
  };
}

export function kafkaFor(env: Record<string, string>): Kafka {
  return new Kafka({ clientId: 'wire-test', brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
}

export async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const mine = topics.filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteGroups(kafka: Kafka, groups: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** An envelope as agencies would send it (payload UTF-8). */
export function envelope(e: Partial<RawWireMessageInput> & { source: string; payload: string }): RawWireMessageInput {
  return { receivedAt: new Date().toISOString(), ...e };
}

/** Put messages on a topic in order; `partition` pins a message (order matters within one). */
export async function produce(kafka: Kafka, topic: string, messages: Array<{ key?: string; value: string | Buffer; partition?: number }>): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 200) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 200) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Read committed records of `topics` from the beginning until `done(records)` holds, or throw
 * after `timeoutMs` with what was read.
 */
export async function readUntil(
  kafka: Kafka,
  topic: string,
  done: (records: TopicRecord[]) => boolean,
  timeoutMs = 60_000,
  settleMs = 0,
): Promise<TopicRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
  const records: TopicRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
    },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(records)) {
      if (Date.now() > deadline) throw new Error(`timed out reading ${topic}: ${records.length} records so far`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Every record of `topic` as a read_uncommitted consumer sees it — records of aborted transactions
 * included — once at least `atLeast` arrived (or after 30 s), plus a second for stragglers.
 * Returns the records and the consumer group it used (for the caller to delete).
 */
export async function readUncommitted(kafka: Kafka, topic: string, atLeast: number): Promise<{ records: TopicRecord[]; groupId: string }> {
  const records: TopicRecord[] = [];
  const groupId = uniqueName('uncommitted');
  const consumer = kafka.consumer({ groupId, readUncommitted: true, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers: {} }) });
    const deadline = Date.now() + 30_000;
    while (records.length < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return { records, groupId };
}

/** Delete every S3 object under `prefix`. */
export async function deleteS3Prefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key as string }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** List S3 keys under `prefix`. */
export async function listS3(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Delete every Redis key starting with one of `prefixes` (SCAN, never FLUSH). */
export async function deleteRedisPrefixes(redisUrl: string, prefixes: string[]): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for (const prefix of prefixes) await deleteKeysMatching(redis, `${prefix}*`);
  } finally {
    redis.disconnect();
  }
}

/** A running ingest child process (services/ingest/src/main.ts) and its output. */
export interface IngestChild {
  proc: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the service logged that it runs. */
  running: Promise<void>;
}

export function spawnIngest(env: Record<string, string>): IngestChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', INGEST_MAIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let markRunning: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (markRunning = resolve));
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      output.push(line);
      if (line.includes('"ingest running"')) markRunning();
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, output, exited, running };
}

/** Wait for `child` to log "ingest running" (or fail with its output if it exits first). */
export async function waitRunning(child: IngestChild, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    child.running,
    child.exited.then(({ code }) => {
      throw new Error(`ingest exited with ${code} before running:\n${child.output.slice(-20).join('\n')}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ingest not running after ${timeoutMs} ms:\n${child.output.slice(-20).join('\n')}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A NITF document: the format the generated test streams use. */
export function nitf(opts: { id: string; headline: string; paragraphs: string[] }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<nitf><head><title>${esc(opts.headline)}</title><docdata><doc-id id-string="${esc(opts.id)}"/></docdata></head>
<body><body.head><hedline><hl1>${esc(opts.headline)}</hl1></hedline></body.head>
<body.content>${opts.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}</body.content></body></nitf>`;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing stream can be replayed by seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'minister parliament election budget export semiconductor shipyard typhoon festival court ruling prosecutors council harbor railway tariff inflation currency stadium museum vaccine hospital university drought harvest airline factory union strike summit treaty navy border satellite launch rocket bridge tunnel subway housing rent pension tax reform'.split(
    ' ',
  );

/** A paragraph of wire-like text from `rand` (with figures, so the dedupe veto has something to read). */
export function paragraph(rand: () => number, n = 28): string {
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = WORDS[Math.floor(rand() * WORDS.length)] as string;
    words.push(i % 9 === 4 ? `${w} ${Math.floor(rand() * 9000) + 100}` : w);
  }
  const s = words.join(' ');
  return `${s[0]?.toUpperCase()}${s.slice(1)}.`;
}
