import { createHash } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '@wire/queues';
import { buildRawSegment } from '@wire/svc-ingest';
import { testConfig, testS3Client } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { readUntil } from '../ingest/helpers';
import { startOpsStack, type TestStack } from './harness';

let s: TestStack;
const cfg = testConfig();
const s3 = testS3Client(cfg);
const keys: string[] = [];

beforeAll(async () => {
  s = await startOpsStack({ kafka: true });
});
afterAll(async () => {
  for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket: cfg.S3_BUCKET, Key })).catch(() => undefined);
  s3.destroy();
  await s?.close();
});


/** A dead-letter segment in S3 holding `values` (as ingest writes it); the reference of each. */
async function archive(values: Buffer[]): Promise<Array<NonNullable<DeadLetter['raw']>>> {
  const segment = buildRawSegment(values.map((bytes, i) => ({ source: 'ap', receivedAt: '2026-03-02T08:00:00Z', contentType: 'application/vnd.wire.kafka-value', topic: s.topics.raw, partition: 0, kafkaOffset: String(i), bytes })));
  const key = `test/${s.id}/dead/2026/03/02/${segment.sha256}.seg`;
  keys.push(key);
  await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key, Body: segment.body }));
  return segment.entries.map((e) => ({ key, offset: e.offset, length: e.length, sha256: e.sha256 }));
}

async function publishDeadLetters(dls: DeadLetter[]): Promise<void> {
  const producer = s.kafka.producer();
  await producer.connect();
  await producer.send({ topic: s.topics.dlq, messages: dls.map((dl) => ({ key: dl.id, value: JSON.stringify(dl) })) });
  await producer.disconnect();
}

describe('ingest dead letters whose bytes are in the S3 archive', () => {
  it('lists one with its size and tries, and replays its original bytes read from S3 by range to the topic it came from', async () => {
    // Larger than a dead letter could carry inline (12 MB of base64 would pass the 16 MB record limit).
    const original = Buffer.from(JSON.stringify({ source: 'ap', payload: 'x'.repeat(13 * 1024 * 1024) }));
    const other = Buffer.from('{"source":"ap","payload":"the message beside it in the segment"}');
    const [, raw] = await archive([other, original]);
    const dl: DeadLetter = {
      id: `dl-s3-${s.id}`,
      code: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE',
      reason: 'story urn:wire:ap:big: canonical record of 17000000 bytes, over INGEST_MAX_RECORD_BYTES (15728640)',
      at: new Date().toISOString(),
      origin: { topic: s.topics.raw, partition: 0, offset: '1', key: 'ap:big' },
      raw,
      bytes: original.length,
      attempts: 1,
    };
    await publishDeadLetters([dl]);

    const listed = await eventually(async () => {
      const res = await s.app.inject({ url: '/api/dead-letters?kind=ingest', headers: s.auth });
      return (res.json().deadLetters as Array<{ id: string }>).find((d) => d.id === dl.id);
    }, 'the dead letter in /api/dead-letters');
    expect(listed).toMatchObject({ kind: 'ingest', code: dl.code, bytes: original.length, attempts: 1, raw });

    const replay = await s.app.inject({ method: 'POST', url: `/api/dead-letters/${dl.id}/replay`, headers: s.auth });
    expect(replay.statusCode).toBe(202);
    const onRaw = await readUntil(s.kafka, s.topics.raw, (r) => r.some((x) => x.key === 'ap:big'), 60_000);
    const got = Buffer.from(onRaw.find((x) => x.key === 'ap:big')?.value ?? '');
    expect(got.length).toBe(original.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(original).digest('hex'));
  }, 120_000);

  it('refuses to replay bytes that do not match the archived SHA-256, or that are gone, with 503 and a clear code', async () => {
    const [raw] = await archive([Buffer.from('{"source":"ap","payload":"kept"}')]);
    const base = { code: 'WIRE_ERR_INGEST_POISON', reason: 'fails on its own', at: new Date().toISOString(), origin: { topic: s.topics.raw, partition: 0, offset: '9', key: null }, bytes: 10, attempts: 8 };
    const tampered: DeadLetter = { ...base, id: `dl-bad-sha-${s.id}`, raw: { ...(raw as NonNullable<DeadLetter['raw']>), sha256: '0'.repeat(64) } };
    const missing: DeadLetter = { ...base, id: `dl-gone-${s.id}`, raw: { ...(raw as NonNullable<DeadLetter['raw']>), key: `test/${s.id}/dead/gone.seg` } };
    await publishDeadLetters([tampered, missing]);
    await eventually(async () => {
      const res = await s.app.inject({ url: '/api/dead-letters?kind=ingest', headers: s.auth });
      const ids = (res.json().deadLetters as Array<{ id: string }>).map((d) => d.id);
      return ids.includes(tampered.id) && ids.includes(missing.id) ? true : undefined;
    }, 'both dead letters listed');
    for (const [dl, what] of [
      [tampered, /do not match the archived SHA-256/],
      [missing, /archived message not found in S3/],
    ] as const) {
      const res = await s.app.inject({ method: 'POST', url: `/api/dead-letters/${dl.id}/replay`, headers: s.auth });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'WIRE_ERR_OPS_UNAVAILABLE' } });
      expect(JSON.stringify(res.json())).toMatch(what);
    }
  });
});
