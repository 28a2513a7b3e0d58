import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { PartnerRegistry } from '@wire/routing';
import { deliveryIds, type StoryEvent } from '@wire/queues';
import { testConfig, testSecretBox, testS3Client } from '../helpers/env';
import {
  createTopic,
  deleteGroups,
  deleteRedisPrefixes,
  deleteS3Prefix,
  deleteTopics,
  isolatedIngestEnv,
  kafkaFor,
  produce,
  readUntil,
  seeded,
  spawnIngest,
  waitRunning,
  type IngestChild,
  type TopicRecord,
} from './helpers';
import { buildStream } from './stream';

const SEED = Number(process.env.WIRE_CRASH_SEED ?? 20260302);
const FAMILIES = 240; // ≈ 577 messages: v1, re-sends, updates, near-duplicates, kills, bad input
const KILLS = 3;

const cfg = testConfig();
const runs: Array<Record<string, string>> = [];

afterAll(async () => {
  const kafka = kafkaFor(runs[0] ?? isolatedIngestEnv('none'));
  const s3 = testS3Client(cfg);
  for (const env of runs) {
    await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC].filter(Boolean) as string[]);
    await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
    await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
    await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  }
  s3.destroy();
});

/** One ingest run of the stream: topics, a partner, the messages; returns what it produced. */
async function prepareRun(tag: string) {
  const env = isolatedIngestEnv(tag, { INGEST_CHUNK_SIZE: '20', INGEST_MEDIA_RETRY_WORKER: 'false' });
  runs.push(env);
  const kafka = kafkaFor(env);
  await createTopic(kafka, env.INGEST_RAW_TOPIC as string, 2);
  const redis = new Redis(cfg.REDIS_URL);
  await new PartnerRegistry(redis, { prefix: env.WIRE_REDIS_PREFIX, secretBox: testSecretBox() }).create({ id: 'daily', name: 'The Daily', url: 'http://127.0.0.1:9/hooks' });
  redis.disconnect();
  return { env, kafka };
}

function eventKey(e: StoryEvent): string {
  return `${e.uri}|v${e.version}|${e.receivedAt}|${e.decision.kind}|${e.decision.of ? `${e.decision.of.uri}@${e.decision.of.version}` : '-'}`;
}

async function jobIdsAndAdds(env: Record<string, string>): Promise<{ ids: string[]; addedTwice: string[]; duplicated: number; carriedTwice: number }> {
  const queue = new Queue('deliver', { connection: { url: cfg.REDIS_URL }, prefix: env.WIRE_QUEUE_PREFIX });
  try {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'paused'], 0, -1);
    const redis = new Redis(cfg.REDIS_URL);
    const entries = await redis.xrange(`${env.WIRE_QUEUE_PREFIX}:deliver:events`, '-', '+').finally(() => redis.disconnect());
    const added = new Map<string, number>();
    let duplicated = 0;
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      if (f.event === 'added' && f.jobId) added.set(f.jobId, (added.get(f.jobId) ?? 0) + 1);
      if (f.event === 'duplicated') duplicated++;
    }
    // Deliveries, not jobs: the set must match, and none may be carried by two jobs.
    const carried = deliveryIds(jobs);
    const ids = [...new Set(carried)].sort();
    return { ids, addedTwice: [...added].filter(([, n]) => n > 1).map(([id]) => id), duplicated, carriedTwice: carried.length - ids.length };
  } finally {
    await queue.close();
  }
}

/** Messages the child committed, from its "chunk committed" log lines (highest offset per partition + 1). */
function committedMessages(child: IngestChild): number {
  const last = new Map<number, number>();
  for (const line of child.output) {
    if (!line.includes('"chunk committed"')) continue;
    const rec = JSON.parse(line) as { partition: number; toOffset: string };
    last.set(rec.partition, Math.max(last.get(rec.partition) ?? -1, Number(rec.toOffset)));
  }
  return [...last.values()].reduce((s, v) => s + v + 1, 0);
}

describe('ingest survives kill -9 at random moments', () => {
  it(`publishes every story version once, decides as an uninterrupted run, enqueues no job twice (seed ${SEED})`, async () => {
    const stream = buildStream(SEED, FAMILIES, 2);
    const good = stream.filter((m) => m.kind !== 'bad').length;
    const bad = stream.length - good;
    expect(stream.length).toBeGreaterThanOrEqual(500);
    const messages = stream.map((m) => ({ key: m.key, value: m.value, partition: m.partition }));

    const reference = await prepareRun('ref');
    const crashed = await prepareRun('crash');

    // The uninterrupted run: everything published up front, one process from start to end.
    await produce(reference.kafka, reference.env.INGEST_RAW_TOPIC as string, messages);
    const refChild = spawnIngest(reference.env);
    await waitRunning(refChild);

    // The interrupted run: the stream arrives in parts; while each part is being worked on, the
    // process is killed after a random number of committed chunks (plus a random few ms, so the
    // kill lands at any step of the next chunk), then restarted.
    const rand = seeded(SEED);
    const parts = KILLS + 1;
    const partSize = Math.ceil(messages.length / parts);
    let child: IngestChild | undefined;
    const killedAt: string[] = [];
    const committedAtKill: number[] = [];
    for (let k = 0; k < parts; k++) {
      await produce(crashed.kafka, crashed.env.INGEST_RAW_TOPIC as string, messages.slice(k * partSize, (k + 1) * partSize));
      child = spawnIngest(crashed.env);
      await waitRunning(child);
      if (k === parts - 1) break;
      const chunks = 1 + Math.floor(rand() * 3);
      const jitter = Math.floor(rand() * 120);
      const before = committedMessages(child);
      const deadline = Date.now() + 60_000;
      while (child.output.filter((l) => l.includes('"chunk committed"')).length < chunks && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, jitter));
      child.proc.kill('SIGKILL');
      const { signal } = await child.exited;
      expect(signal).toBe('SIGKILL');
      killedAt.push(`${chunks} chunks+${jitter}ms`);
      committedAtKill.push(committedMessages(child));
      expect(committedAtKill[k]).toBeGreaterThan(before);
    }
    if (!child) throw new Error('no ingest child');

    const done = (n: number) => (records: TopicRecord[]) => records.length >= n;
    const [refEvents, crashEvents] = await Promise.all([
      readUntil(reference.kafka, reference.env.INGEST_EVENTS_TOPIC as string, done(good), 90_000, 1500),
      readUntil(crashed.kafka, crashed.env.INGEST_EVENTS_TOPIC as string, done(good), 90_000, 1500),
    ]);
    const [refCanonical, crashCanonical, refDlq, crashDlq] = await Promise.all([
      readUntil(reference.kafka, reference.env.INGEST_CANONICAL_TOPIC as string, () => true, 10_000, 2000),
      readUntil(crashed.kafka, crashed.env.INGEST_CANONICAL_TOPIC as string, () => true, 10_000, 2000),
      readUntil(reference.kafka, reference.env.INGEST_DLQ_TOPIC as string, done(bad), 30_000, 500),
      readUntil(crashed.kafka, crashed.env.INGEST_DLQ_TOPIC as string, done(bad), 30_000, 500),
    ]);

    // Each kill hit a process with work left to do (the stream was not yet all committed).
    for (const n of committedAtKill) expect(n).toBeLessThan(stream.length);
    expect(committedAtKill).toHaveLength(KILLS);

    // Graceful stop of both: exit 0 after finishing and committing.
    refChild.proc.kill('SIGTERM');
    child.proc.kill('SIGTERM');
    expect((await refChild.exited).code).toBe(0);
    expect((await child.exited).code).toBe(0);

    // Every event once, and the same decisions as the uninterrupted run.
    const refKeys = refEvents.map((r) => eventKey(JSON.parse(r.value) as StoryEvent)).sort();
    const crashKeys = crashEvents.map((r) => eventKey(JSON.parse(r.value) as StoryEvent)).sort();
    expect(refKeys).toHaveLength(good);
    expect(crashKeys).toEqual(refKeys);
    const kinds = new Set(refEvents.map((r) => (JSON.parse(r.value) as StoryEvent).decision.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['duplicate', 'kill', 'new', 'update']));

    // Every published story version on stories.canonical exactly once, none missing.
    const versions = (records: TopicRecord[]) => records.map((r) => `${r.key}|v${r.headers['wire-version']}`);
    const crashVersions = versions(crashCanonical);
    expect(new Set(crashVersions).size).toBe(crashVersions.length);
    expect(crashVersions.sort()).toEqual(versions(refCanonical).sort());
    expect(crashVersions.length).toBeGreaterThan(FAMILIES);

    // Dead letters: once each, pointing at the same source offsets.
    const origins = (records: TopicRecord[]) => records.map((r) => {
      const d = JSON.parse(r.value) as { code: string; origin: { partition: number; offset: string } };
      return `${d.origin.partition}:${d.origin.offset}:${d.code}`;
    }).sort();
    expect(origins(crashDlq)).toEqual(origins(refDlq));
    expect(crashDlq).toHaveLength(bad);

    // Jobs: the same deterministic ids, none added twice.
    const [refJobs, crashJobs] = await Promise.all([jobIdsAndAdds(reference.env), jobIdsAndAdds(crashed.env)]);
    expect(refJobs.ids.length).toBeGreaterThan(0);
    expect(crashJobs.ids).toEqual(refJobs.ids);
    expect(crashJobs.addedTwice).toEqual([]);
    // Chunks are cut where their plan says (ledger), so a re-run after a kill routes the same
    // batches: no delivery is carried by two jobs.
    expect(crashJobs.carriedTwice).toBe(0);
    expect(refJobs.carriedTwice).toBe(0);
    console.log(`crash test: ${stream.length} messages, ${KILLS} kills after ${killedAt.join(', ')} (committed by then ${committedAtKill.join('/')}), ${crashVersions.length} versions, ${crashJobs.ids.length} deliveries (${crashJobs.duplicated} re-adds after kills refused by id, ${crashJobs.carriedTwice} carried by a second job)`);
  }, 300_000);
});
