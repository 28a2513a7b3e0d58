import { afterAll, describe, expect, it } from 'vitest';
import type { StoryEvent } from '@wire/queues';
import { testConfig, testS3Client } from '../helpers/env';
import { createTopic, deleteGroups, deleteRedisPrefixes, deleteS3Prefix, deleteTopics, envelope, isolatedIngestEnv, kafkaFor, nitf, paragraph, produce, readUntil, seeded, spawnIngest, waitRunning } from './helpers';

const cfg = testConfig();
const env = isolatedIngestEnv('ingest-sigterm', { INGEST_CHUNK_SIZE: '20', INGEST_MEDIA_RETRY_WORKER: 'false' });
const kafka = kafkaFor(env);

afterAll(async () => {
  const s3 = testS3Client(cfg);
  await deleteTopics(kafka, [env.INGEST_RAW_TOPIC, env.INGEST_CANONICAL_TOPIC, env.INGEST_EVENTS_TOPIC, env.INGEST_DLQ_TOPIC] as string[]);
  await deleteGroups(kafka, [env.INGEST_GROUP_ID as string]);
  await deleteRedisPrefixes(cfg.REDIS_URL, [env.WIRE_REDIS_PREFIX as string, env.WIRE_QUEUE_PREFIX as string]);
  await deleteS3Prefix(s3, cfg.S3_BUCKET, env.INGEST_S3_PREFIX as string);
  s3.destroy();
});

async function committedOffset(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: env.INGEST_GROUP_ID as string, topics: [env.INGEST_RAW_TOPIC as string] });
    return Number(topic?.partitions[0]?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

describe('ingest on SIGTERM', () => {
  it('stops fetching, finishes and commits the chunk in flight, exits 0; a restart carries on without repeats', async () => {
    const total = 120;
    const rand = seeded(7);
    await createTopic(kafka, env.INGEST_RAW_TOPIC as string, 1);
    await produce(
      kafka,
      env.INGEST_RAW_TOPIC as string,
      Array.from({ length: total }, (_, i) => ({
        value: JSON.stringify(envelope({ source: 'afp', guid: `term-${i}`, payload: nitf({ id: `term-${i}`, headline: `${paragraph(rand, 6).slice(0, -1)} ${i}`, paragraphs: [paragraph(rand), paragraph(rand)] }) })),
      })),
    );

    const first = spawnIngest(env);
    await waitRunning(first);
    // Health, readiness and metrics of the running process.
    const port = (JSON.parse(first.output.find((l) => l.includes('"health server listening"')) ?? '{}') as { port?: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ ok: true, checks: { consumer: true, redis: true, s3: true } });
    while (!first.output.some((l) => l.includes('"chunk committed"'))) await new Promise((r) => setTimeout(r, 20));
    first.proc.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(first.output.some((l) => l.includes('"msg":"shut down"') && l.includes('"ok":true'))).toBe(true);

    // What was committed is exactly what the process finished: the offset after its last chunk.
    const chunks = first.output.filter((l) => l.includes('"chunk committed"')).map((l) => JSON.parse(l) as { toOffset: string });
    const lastDone = Number(chunks[chunks.length - 1]?.toOffset);
    expect(first.output.some((l) => l.includes('"msg":"ingest consumer stopped"'))).toBe(true);
    const committed = await committedOffset();
    expect(committed).toBe(lastDone + 1);
    expect(committed).toBeLessThan(total);
    const early = await readUntil(kafka, env.INGEST_EVENTS_TOPIC as string, (r) => r.length >= committed, 30_000, 1000);
    expect(early).toHaveLength(committed);

    // The restart picks up at the committed offset; every story once in the end.
    const second = spawnIngest(env);
    await waitRunning(second);
    const port2 = (JSON.parse(second.output.find((l) => l.includes('"health server listening"')) ?? '{}') as { port?: number }).port;
    const events = await readUntil(kafka, env.INGEST_EVENTS_TOPIC as string, (r) => r.length >= total, 90_000, 1000);
    const metrics = await (await fetch(`http://127.0.0.1:${port2}/metrics`)).text();
    expect(metrics).toMatch(/wire_ingest_messages_total\{[^}]*outcome="stored"[^}]*\} \d+/);
    expect(metrics).toMatch(/wire_ingest_consumer_lag\{[^}]*partition="0"[^}]*\} 0/);
    second.proc.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const uris = events.map((e) => (JSON.parse(e.value) as StoryEvent).uri);
    expect(new Set(uris).size).toBe(total);
    expect(uris).toHaveLength(total);
    const canonical = await readUntil(kafka, env.INGEST_CANONICAL_TOPIC as string, (r) => r.length >= total, 30_000, 500);
    expect(new Set(canonical.map((r) => `${r.key}|${r.headers['wire-version']}`)).size).toBe(total);
    expect(canonical).toHaveLength(total);
  });
});
