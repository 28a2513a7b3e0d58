import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3MediaStore } from '@wire/media';
import { NormalizeErrors, toNinjs } from '@wire/normalize';
import { DeadLetter, type RawWireMessageInput, type StoryEvent } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';
import { IngestErrorCodes } from '@wire/svc-ingest';
import { testConfig, testS3Client, uniqueName } from '../helpers/env';
import { createTopic, deleteGroups, deleteRedisPrefixes, deleteS3Prefix, deleteTopics, isolatedIngestEnv, kafkaFor, nitf, paragraph, seeded, spawnIngest, waitRunning, type IngestChild } from '../ingest/helpers';
import { errorProblems, storiesProblems } from './check';
import { buildCorpus, countByFamily, FAMILIES, type HostileCase } from './corpus';
import { buildImages, startImageServers, type ImageServers } from './images';

/**
 * The hostile corpus through the real ingest service: one ingest process (services/ingest, as
 * `wire start` runs it) on its own topics, every case published to the raw topic with a good story
 * right behind it on the same partition. At the end, read from the outside (Kafka topics, S3):
 * every good story is on the canonical topic, so no bad message held its partition; every bad
 * message is either stories that are clean (tests/hostile/check.ts) or exactly one dead letter with
 * a typed reason whose S3 reference holds its bytes; the ingest process never stopped; and no
 * picture download reached the loopback server the network guard must keep out of reach.
 */

const cfg = testConfig();
const PARTITIONS = 3;
/** The test's own size limits, under the broker's 16 MiB so an over-limit message can be produced at all. */
const MAX_RAW_BYTES = 8 * 1024 * 1024;
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
/**
 * Dead-letter codes that mean the input was refused for what it is, not that ingest broke on it.
 * A document over its normalize time budget is one of them: the budget is wall time, and on a
 * loaded machine the heaviest floods can pass it (their CPU time is held to the budget in
 * normalize.test.ts); the thread is replaced and the partition goes on, which is what is checked here.
 */
const TYPED = new Set<string>([...Object.values(NormalizeErrors.codes), IngestErrorCodes.BAD_ENVELOPE, IngestErrorCodes.RAW_TOO_LARGE, IngestErrorCodes.NO_STORIES, IngestErrorCodes.RECORD_TOO_LARGE, IngestErrorCodes.NORMALIZE_TIMEOUT]);
TYPED.delete('WIRE_ERR_INTERNAL');

let servers: ImageServers;
let corpus: HostileCase[];
let s3: S3Client;
let kafka: Kafka;
let env: Record<string, string>;
let child: IngestChild | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const images = await buildImages();
  servers = await startImageServers(images);
  cleanups.push(() => servers.close());
  corpus = buildCorpus({ forbiddenPort: servers.forbiddenPort, allowedOrigin: servers.allowedOrigin, images });
  s3 = testS3Client(cfg);
  cleanups.push(async () => s3.destroy());
  env = isolatedIngestEnv('hostile', {
    INGEST_MEDIA_RETRY_WORKER: 'false',
    // Downloads may reach the bomb server's address only; the loopback server stays out of reach.
    WIRE_IMAGE_ALLOW_PRIVATE_HOSTS: servers.allowedHost,
    INGEST_MAX_RAW_BYTES: String(MAX_RAW_BYTES),
    INGEST_MAX_RECORD_BYTES: String(MAX_RECORD_BYTES),
    INGEST_NORMALIZE_THREADS: '2',
    INGEST_CHUNK_SIZE: '40',
  });
  kafka = kafkaFor(env);
  cleanups.push(async () => {
    await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]);
    await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
    await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
    await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  });
  await createTopic(kafka, env.INGEST_RAW_TOPIC as string, PARTITIONS);
}, 300_000);

afterAll(async () => {
  if (child && child.proc.exitCode === null) {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
  for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error('cleanup failed', err));
});

/** The Kafka value of a case: an envelope as an agency's feed would send it (bytes that are not UTF-8 as base64). */
function envelopeOf(c: HostileCase, i: number): Buffer {
  const utf8 = Buffer.from(c.bytes.toString('utf8'), 'utf8').equals(c.bytes);
  const e: RawWireMessageInput = {
    source: `hc${i}`,
    guid: `case-${i}`,
    receivedAt: new Date(Date.UTC(2026, 2, 2, 8, 0, i % 60)).toISOString(),
    ...(c.contentType ? { contentType: c.contentType } : {}),
    payload: utf8 ? c.bytes.toString('utf8') : c.bytes.toString('base64'),
    payloadEncoding: utf8 ? 'utf8' : 'base64',
  };
  return Buffer.from(JSON.stringify(e));
}

const rand = seeded(20_261_208);
function goodStory(i: number): Buffer {
  const guid = `after-${i}`;
  return Buffer.from(JSON.stringify({ source: 'good', guid, receivedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, i % 60)).toISOString(), contentType: 'application/xml', payload: nitf({ id: guid, headline: `Harbour story ${i}: ${paragraph(rand, 6).replace(/\.$/, '')}`, paragraphs: [paragraph(rand), paragraph(rand)] }) } satisfies RawWireMessageInput));
}

/** Produce in order, each send under `maxBytes` (a broker refuses a record batch over its limit). */
async function produceBounded(topic: string, messages: Array<{ key: string; value: Buffer; partition: number }>, maxBytes = 6 * 1024 * 1024): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    let batch: typeof messages = [];
    let size = 0;
    const flush = async () => {
      if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
      size = 0;
    };
    for (const m of messages) {
      if (size + m.value.length > maxBytes) await flush();
      batch.push(m);
      size += m.value.length;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

/** Every committed record of `topic`, collected as it arrives, until `stop()`. */
async function tail(topic: string): Promise<{ records: Array<{ key: string; value: string }>; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: uniqueName('hostile-reader'), readUncommitted: false, maxWaitTimeInMs: 200 });
  const records: Array<{ key: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }: { message: KafkaMessage }) => void records.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' }) });
  return { records, stop: () => consumer.disconnect() };
}

describe('the hostile corpus through the real ingest service', () => {
  it('each bad message is clean stories or one typed dead letter with its bytes in S3; the good story after each comes out; ingest never stops', async () => {
    const values = corpus.map((c, i) => envelopeOf(c, i));
    const messages = corpus.flatMap((c, i) => [
      { key: `case:${i}`, value: values[i] as Buffer, partition: i % PARTITIONS },
      { key: `good:${i}`, value: goodStory(i), partition: i % PARTITIONS },
    ]);
    const t0 = performance.now();
    await produceBounded(env.INGEST_RAW_TOPIC as string, messages);
    const produced = performance.now();
    child = spawnIngest(env);
    await waitRunning(child);
    const canonical = await tail(env.INGEST_CANONICAL_TOPIC as string);
    const events = await tail(env.INGEST_EVENTS_TOPIC as string);
    const dlq = await tail(env.INGEST_DLQ_TOPIC as string);
    cleanups.push(() => Promise.all([canonical.stop(), events.stop(), dlq.stop()]));

    // Resolved: every good story on the canonical topic, every case as stories (events) or a dead letter.
    const caseOf = (source: string) => (/^hc(\d+)$/.exec(source) ? Number(source.slice(2)) : undefined);
    const resolved = () => {
      const good = new Set(canonical.records.filter((r) => r.key.startsWith('urn:wire:good:')).map((r) => r.key));
      const done = new Set<number>();
      for (const r of events.records) {
        const n = caseOf((JSON.parse(r.value) as StoryEvent).source);
        if (n !== undefined) done.add(n);
      }
      for (const r of dlq.records) {
        const key = DeadLetter.parse(JSON.parse(r.value)).origin.key ?? '';
        if (key.startsWith('case:')) done.add(Number(key.slice(5)));
      }
      return { good: good.size, cases: done.size };
    };
    const deadline = Date.now() + 1_200_000;
    for (let r = resolved(); r.good < corpus.length || r.cases < corpus.length; r = resolved()) {
      if (child.proc.exitCode !== null) throw new Error(`ingest exited (${child.proc.exitCode}):\n${child.output.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`not resolved after 20 min: ${JSON.stringify(r)} of ${corpus.length}`);
      await new Promise((res) => setTimeout(res, 1000));
    }
    const done = performance.now();
    // A moment for anything that should not be there (a second dead letter, a late record).
    await new Promise((res) => setTimeout(res, 3000));

    const goodUris = new Set(canonical.records.map((r) => r.key).filter((k) => k.startsWith('urn:wire:good:')));
    expect(goodUris.size).toBe(corpus.length);
    for (let i = 0; i < corpus.length; i++) expect(goodUris.has(`urn:wire:good:after-${i}`), `good story after case ${i}`).toBe(true);
    // Nothing good was dead-lettered.
    const deadLetters = dlq.records.map((r) => DeadLetter.parse(JSON.parse(r.value)));
    expect(deadLetters.filter((d) => !d.origin.key?.startsWith('case:')).map((d) => d.origin.key)).toEqual([]);

    const stories = new Map<number, CanonicalStory[]>();
    for (const r of canonical.records) {
      const story = JSON.parse(r.value) as CanonicalStory;
      const n = caseOf(story.source);
      if (n !== undefined) stories.set(n, [...(stories.get(n) ?? []), story]);
    }
    const withEvents = new Set(events.records.map((r) => caseOf((JSON.parse(r.value) as StoryEvent).source)).filter((n): n is number => n !== undefined));
    const store = new S3MediaStore(s3, { bucket: cfg.S3_BUCKET });
    const failed: string[] = [];
    const byOutcome = { deadLettered: 0, stories: 0 };
    const codes = new Map<string, number>();
    for (const [i, c] of corpus.entries()) {
      const mine = deadLetters.filter((d) => d.origin.key === `case:${i}`);
      const problems: string[] = [];
      if (mine.length > 0) {
        byOutcome.deadLettered++;
        if (mine.length > 1) problems.push(`${mine.length} dead letters`);
        if (withEvents.has(i)) problems.push('dead-lettered and published');
        const dl = mine[0] as DeadLetter;
        codes.set(dl.code, (codes.get(dl.code) ?? 0) + 1);
        // Normalize's size refusal is ingest's own for a message over its limit; any refusal may come as the time budget.
        const refuse = c.refuse ? [...c.refuse, IngestErrorCodes.NORMALIZE_TIMEOUT, ...(c.refuse.includes('WIRE_ERR_TOO_LARGE') ? [IngestErrorCodes.RAW_TOO_LARGE] : [])] : undefined;
        problems.push(...errorProblems({ ...c, ...(refuse ? { refuse } : {}) }, dl.code, dl.reason, TYPED));
        // The bytes, by the reference alone, are the message as produced.
        const raw = dl.raw;
        if (!raw) problems.push('no S3 reference');
        else {
          const bytes = await store.get(raw.key, raw);
          if (!bytes?.equals(values[i] as Buffer)) problems.push(`S3 ${raw.key} does not hold the message's bytes`);
          else if (createHash('sha256').update(bytes).digest('hex') !== raw.sha256) problems.push('sha256 of the S3 bytes differs');
        }
      } else if (withEvents.has(i)) {
        byOutcome.stories++;
        const published = stories.get(i) ?? [];
        if (published.length > 0) problems.push(...storiesProblems({ ...c, refuse: undefined }, published as unknown as Array<Record<string, unknown>>, published.map((s) => toNinjs(s))));
        if (c.refuse) problems.push(`published, expected a refusal (${c.refuse.join(', ')})`);
      } else problems.push('neither stories nor a dead letter');
      if (problems.length > 0) failed.push(`${c.id}: ${problems.slice(0, 3).join('; ')}`);
    }

    const stillRunning = child.proc.exitCode === null;
    // CPU the ingest process used (its threads included): what the run costs whatever the machine's load.
    const stat = (await readFile(`/proc/${child.proc.pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ') ?? [];
    const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    const counts = countByFamily(corpus);
    console.log(
      [
        `hostile corpus through ingest: ${corpus.length} bad messages (${values.reduce((n, v) => n + v.length, 0) / 1e6} MB) each followed by a good story on ${PARTITIONS} partitions`,
        `  produced in ${((produced - t0) / 1000).toFixed(1)} s; every message resolved ${((done - produced) / 1000).toFixed(1)} s after (ingest start included); ${((done - t0) / 1000).toFixed(1)} s in all`,
        `  ${byOutcome.deadLettered} dead-lettered, ${byOutcome.stories} as stories; ${goodUris.size} good stories out; ${canonical.records.length} canonical records in all`,
        `  the ingest process used ${cpuSeconds.toFixed(1)} s of CPU; load average ${loadavg()[0]?.toFixed(1)}`,
        `  per family: ${FAMILIES.map((f) => `${f} ${counts[f]}`).join(', ')}`,
        `  codes: ${[...codes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ].join('\n'),
    );
    expect(failed, failed.slice(0, 20).join('\n')).toEqual([]);
    expect(byOutcome.deadLettered + byOutcome.stories).toBe(corpus.length);
    expect(stillRunning).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(servers.forbiddenHits()).toEqual([]);
  }, 1_800_000);
});
