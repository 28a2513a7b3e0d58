/**
 * A kill without a version lands, through the real services: ingest (in this process) on the
 * real Kafka, Redis and S3, the delivery worker on the real Redis, a real HTTP partner verifying
 * every request with `standardwebhooks`, and the ops app indexing `stories.events`. The agency
 * sends v1, v2, then cancels the story the way `wire publish --pub-status canceled v1.xml` does:
 * the first version's document again, no version (normalized as 1). The checks read what the
 * partner received, what `stories.canonical` holds from its start, and what ops shows.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysMatching } from '@wire/infra';
import { toNinjs } from '@wire/normalize';
import { createLogger, createMetricsRegistry } from '@wire/observability';
import { Queues } from '@wire/queues';
import { RecipientsRegister } from '@wire/routing';
import type { CanonicalStory } from '@wire/schema';
import { createIngestService, loadIngestConfig, type IngestService } from '@wire/svc-ingest';
import { createDeliveryWorker, webhookId, type DeliveryService } from '@wire/svc-webhooks';
import { testConfig, testEnv, testS3Client } from '../helpers/env';
import { startOpsStack, type TestStack } from '../ops/harness';
import { FAST, PartnerServer, until } from '../webhooks/harness';
import { deleteGroups, deleteS3Prefix, deleteTopics, envelope, kafkaFor, nitf, produce, readUntil } from './helpers';

const cfg = testConfig();
const log = createLogger({ name: 'kill-version-test', level: 'silent' });

let s: TestStack;
let env: Record<string, string>;
let ingest: IngestService;
let delivery: DeliveryService;
let redis: Redis;
let partner: PartnerServer;

const GUID = 'ferry-7';
const URI = `urn:wire:yonhap:${GUID}`;
const V1 = nitf({
  id: GUID,
  headline: 'Ferry service to Jeju resumes after storm',
  paragraphs: ['JEJU, March 4 (Yonhap) -- Ferry service between Mokpo and Jeju resumed on Wednesday after a storm kept 14 ships in port for two days.', 'The coast guard said waves had fallen below 3 meters by dawn.'],
});
const V2 = nitf({
  id: GUID,
  headline: 'Ferry service to Jeju resumes after storm',
  paragraphs: [
    'JEJU, March 4 (Yonhap) -- Ferry service between Mokpo and Jeju resumed on Wednesday after a storm kept 14 ships in port for two days.',
    'The coast guard said waves had fallen below 3 meters by dawn.',
    'About 2,300 passengers had waited in Mokpo, the port authority said.',
  ],
});

async function publish(doc: string, extra: { version?: number; pubStatus?: 'canceled' } = {}): Promise<void> {
  const value = JSON.stringify(envelope({ source: 'yonhap', guid: GUID, contentType: 'application/xml', payload: doc, ...extra }));
  await produce(kafkaFor(env), s.topics.raw, [{ key: `yonhap:${GUID}`, value, partition: 0 }]);
}

/** The partner's successful deliveries of the story, as `type v{version}`. */
const got = () => partner.delivered.filter((r) => r.body.data.uri === URI).map((r) => `${r.body.type} v${r.body.data.version}`);

beforeAll(async () => {
  s = await startOpsStack({ kafka: true });
  const bullPrefix = `${s.id}-bull`;
  env = {
    ...testEnv(),
    INGEST_RAW_TOPIC: s.topics.raw,
    INGEST_CANONICAL_TOPIC: `${s.id}.canonical`,
    INGEST_EVENTS_TOPIC: s.topics.events,
    INGEST_DLQ_TOPIC: s.topics.dlq,
    INGEST_GROUP_ID: `${s.id}-ingest`,
    INGEST_TRANSACTIONAL_ID: `${s.id}-txn`,
    INGEST_S3_PREFIX: `test/${s.id}/`,
    INGEST_HEALTH_PORT: '0',
    INGEST_SESSION_TIMEOUT_MS: '6000',
    WIRE_REDIS_PREFIX: s.prefix,
    WIRE_QUEUE_PREFIX: bullPrefix,
  };
  redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: null });
  partner = await new PartnerServer().start();
  const created = await s.registryStore.create({ id: 'harbor-daily', name: 'Harbor Daily', url: partner.url });
  partner.secrets = [created.secrets[0]!.secret];
  delivery = createDeliveryWorker({
    redis,
    registry: s.registryStore,
    recipients: new RecipientsRegister(redis, { prefix: s.prefix }),
    logger: log,
    metrics: createMetricsRegistry('kill-version-webhooks', { defaults: false }),
    render: (story) => toNinjs(story),
    config: { ...FAST, allowPrivateHosts: (env.WIRE_ALLOW_PRIVATE_HOSTS ?? '127.0.0.1').split(','), queueName: Queues.deliver, bullPrefix, prefix: s.prefix },
  });
  ingest = await createIngestService(loadIngestConfig(env), log);
  await ingest.start();
}, 120_000);

afterAll(async () => {
  const quietly = (p: Promise<unknown> | undefined) => p?.catch((err: unknown) => console.error('cleanup failed', err));
  if (ingest) for (const [, step] of ingest.shutdownSteps()) await quietly(step());
  await quietly(delivery?.close(true));
  await quietly(partner?.stop());
  if (env) {
    const kafka = kafkaFor(env);
    await quietly(deleteTopics(kafka, [`${s.id}.canonical`]));
    await quietly(deleteGroups(kafka, [`${s.id}-ingest`]));
    const s3 = testS3Client(cfg);
    await quietly(deleteS3Prefix(s3, cfg.S3_BUCKET, `test/${s.id}/`));
    s3.destroy();
  }
  if (redis) {
    await deleteKeysMatching(redis, `${s.prefix}*`);
    redis.disconnect();
  }
  await s?.close();
}, 120_000);

describe('a kill without a version', () => {
  it('reaches the partner as version 3 after v2; stories.canonical holds each version once, ending with the kill; a second kill sends nothing', async () => {
    await publish(V1, { version: 1 });
    await until('v1 at the partner', () => got().length === 1, 60_000);
    await publish(V2, { version: 2 });
    await until('v2 at the partner', () => got().length === 2, 60_000);
    // `wire publish --pub-status canceled` of the first document, without --version.
    await publish(V1, { pubStatus: 'canceled' });
    await until('the kill at the partner', () => got().length === 3, 60_000);

    expect(got()).toEqual(['story.published v1', 'story.updated v2', 'story.killed v3']);
    const kill = partner.delivered.find((r) => r.body.type === 'story.killed')!;
    expect(kill.body.data).toMatchObject({ uri: URI, version: '3', pubStatus: 'canceled' });
    expect(kill.id).toBe(webhookId({ partnerId: 'harbor-daily', storyUri: URI, version: 3, eventType: 'story.killed' }));
    // Nothing refused or sent twice on the way.
    expect(partner.received.filter((r) => r.body.data.uri === URI)).toHaveLength(3);

    // stories.canonical from its start: (uri, version) once each, the kill last, as version 3.
    const canonical = (await readUntil(kafkaFor(env), env.INGEST_CANONICAL_TOPIC as string, (r) => r.filter((x) => x.key === URI).length >= 3, 30_000, 500)).filter((r) => r.key === URI);
    expect(canonical.map((r) => `v${r.headers['wire-version']} ${r.headers['wire-decision']}`)).toEqual(['v1 new', 'v2 update', 'v3 kill']);
    const last = JSON.parse(canonical[2]!.value) as CanonicalStory;
    expect(last).toMatchObject({ uri: URI, version: 3, pubStatus: 'canceled' });

    // Ops: the story view lists the kill as version 3 with its pack copy, and the delivery log
    // holds one delivered entry per version.
    const view = async () => (await s.app.inject({ url: `/api/stories/${encodeURIComponent(URI)}`, headers: s.auth })).json() as {
      versions: Array<{ version: number; event: string; story?: { pubStatus: string } }>;
      deliveries: Record<string, Array<{ version: number; status: string; eventType: string }>>;
    };
    await until('ops indexed the kill', async () => (await view()).versions?.length === 3, 30_000);
    const story = await view();
    expect(story.versions.map((v) => [v.version, v.event, v.story?.pubStatus])).toEqual([
      [1, 'story.new', 'usable'],
      [2, 'story.updated', 'usable'],
      [3, 'story.killed', 'canceled'],
    ]);
    expect(story.deliveries['harbor-daily']!.filter((d) => d.status === 'delivered').map((d) => d.version).sort()).toEqual([1, 2, 3]);

    // The same kill again (another delivery of the message): nothing more goes out.
    await publish(V1, { pubStatus: 'canceled' });
    await publish(V2, { pubStatus: 'canceled', version: 2 });
    await until('ops indexed both', async () => (await view()).versions?.length === 5, 30_000);
    expect((await view()).versions.slice(3).map((v) => [v.version, v.event])).toEqual([
      [1, 'story.duplicate'],
      [2, 'story.stale'],
    ]);
    // Their records were committed with those events: the topic holds whatever they added.
    const again = (await readUntil(kafkaFor(env), env.INGEST_CANONICAL_TOPIC as string, (r) => r.filter((x) => x.key === URI).length >= 3, 30_000, 1_000)).filter((r) => r.key === URI);
    expect(again.map((r) => `v${r.headers['wire-version']}`)).toEqual(['v1', 'v2', 'v3']);
    expect(partner.received.filter((r) => r.body.data.uri === URI)).toHaveLength(3);
  });
});
