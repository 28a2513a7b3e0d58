/**
 * Translation routing end to end, on the real Kafka, Redis, S3 and Apertium: ingest (in this
 * process) routes each story, the translator worker translates (or finds no translator), the
 * delivery worker signs and sends to real HTTP partners that verify with `standardwebhooks`, and
 * the ops app shows what happened. The checks read what partners received and what the ops API
 * answers.
 */
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysMatching } from '@wire/infra';
import { toNinjs } from '@wire/normalize';
import { createLogger, createMetricsRegistry } from '@wire/observability';
import { Queues } from '@wire/queues';
import { RecipientsRegister } from '@wire/routing';
import { createIngestService, loadIngestConfig, type IngestService } from '@wire/svc-ingest';
import { createRegistryUntranslatedRouter, createRegistryVariantRouter, createTranslateWorker, createTranslatorMetrics } from '@wire/svc-translator';
import { createDeliveryWorker, type DeliveryService } from '@wire/svc-webhooks';
import { createApertiumTranslator, createRedisTranslationCache, createStoryTranslator, createTranslationRouter } from '@wire/translate';
import { DeliveryLog } from '@wire/webhooks';
import { testConfig, testEnv, testS3Client } from '../helpers/env';
import { deleteGroups, deleteS3Prefix, deleteTopics, kafkaFor, produce } from '../ingest/helpers';
import { startOpsStack, type TestStack } from '../ops/harness';
import { FAST, PartnerServer, until, type Received } from '../webhooks/harness';
import { words } from './helpers';

const cfg = testConfig();
const log = createLogger({ name: 'routing-test', level: 'silent' });

let s: TestStack;
let env: Record<string, string>;
let ingest: IngestService;
let translator: Worker;
let delivery: DeliveryService;
let redis: Redis;
const apertium = createApertiumTranslator({ url: cfg.APERTIUM_URL, concurrency: 2 });
const partners = new Map<string, PartnerServer>();

/** A ninjs 1.x document as an agency would send it. */
function ninjs(o: { guid: string; version: number; language: string; headline: string; paragraphs: string[]; canceled?: boolean }): string {
  return JSON.stringify({
    uri: o.guid,
    type: 'text',
    version: String(o.version),
    language: o.language,
    pubstatus: o.canceled ? 'canceled' : 'usable',
    headline: o.headline,
    body_html: o.paragraphs.map((p) => `<p>${p}</p>`).join(''),
    versioncreated: new Date().toISOString(),
  });
}

async function publish(guid: string, doc: string): Promise<void> {
  const value = JSON.stringify({ source: 'tt', guid, contentType: 'application/json', receivedAt: new Date().toISOString(), payload: doc, payloadEncoding: 'utf8' });
  await produce(kafkaFor(env), s.topics.raw, [{ key: `tt:${guid}`, value, partition: 0 }]);
}

/** Register a partner through the ops API (its secret is shown once) and start its server. */
async function partner(id: string, settings: Record<string, unknown>): Promise<PartnerServer> {
  const server = await new PartnerServer().start();
  const res = await s.app.inject({ method: 'POST', url: '/api/partners', headers: s.auth, payload: { id, name: id, url: server.url, ...settings } });
  expect(res.statusCode, res.body).toBe(201);
  server.secrets = [res.json().secret as string];
  partners.set(id, server);
  return server;
}

/** What a partner received of one story (original and variants), as `type uri language`. */
const got = (p: PartnerServer, uri: string): string[] =>
  p.delivered.filter((r) => r.body.data.uri === uri || r.body.data.uri.startsWith(`${uri}:lang:`)).map((r) => `${r.body.type} ${r.body.data.uri} ${r.body.data.language}`);

const api = async <T>(url: string): Promise<T> => {
  const res = await s.app.inject({ url, headers: s.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
};

/** Every job the deliver and translate queues hold is finished (nothing waiting, delayed or active). */
async function settled(): Promise<boolean> {
  for (const name of [Queues.deliver, Queues.translate]) {
    const counts = await s.queues.find((q) => q.name === name)!.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    if (Object.values(counts).some((n) => n > 0)) return false;
  }
  return true;
}

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
  const recipients = new RecipientsRegister(redis, { prefix: s.prefix });
  const deliverQueue = s.queues.find((q) => q.name === Queues.deliver)!;
  const router = createTranslationRouter({ providers: [apertium], routes: { '*': ['apertium'] } });
  translator = createTranslateWorker({
    storyTranslator: createStoryTranslator({ router, cache: createRedisTranslationCache(redis, { ttlSeconds: 600 }), cachePrefix: `${s.prefix}translate:cache` }),
    routeVariant: createRegistryVariantRouter({ registry: s.registryStore, deliverQueue, recipients }),
    routeUntranslated: createRegistryUntranslatedRouter({ registry: s.registryStore, deliverQueue, recipients, deliveryLog: new DeliveryLog(redis, { prefix: s.prefix }) }),
    metrics: createTranslatorMetrics(createMetricsRegistry('routing-test-translator', { defaults: false })),
    logger: log,
    connection: { url: cfg.REDIS_URL, maxRetriesPerRequest: null },
    prefix: bullPrefix,
    concurrency: 2,
  });
  delivery = createDeliveryWorker({
    redis,
    registry: s.registryStore,
    recipients,
    logger: log,
    metrics: createMetricsRegistry('routing-test-webhooks', { defaults: false }),
    render: (story) => toNinjs(story),
    config: { ...FAST, allowPrivateHosts: (env.WIRE_ALLOW_PRIVATE_HOSTS ?? '127.0.0.1').split(','), queueName: Queues.deliver, bullPrefix, prefix: s.prefix },
  });
  ingest = await createIngestService(loadIngestConfig(env), log);
  await ingest.start();
}, 120_000);

afterAll(async () => {
  const quietly = (p: Promise<unknown> | undefined) => p?.catch((err: unknown) => console.error('cleanup failed', err));
  if (ingest) for (const [, step] of ingest.shutdownSteps()) await quietly(step());
  await quietly(translator?.close());
  await quietly(delivery?.close(true));
  await Promise.all([...partners.values()].map((p) => p.stop()));
  await apertium.close();
  const kafka = kafkaFor(env);
  await quietly(deleteTopics(kafka, [`${s.id}.canonical`]));
  await quietly(deleteGroups(kafka, [`${s.id}-ingest`]));
  const s3 = testS3Client(cfg);
  await quietly(deleteS3Prefix(s3, cfg.S3_BUCKET, `test/${s.id}/`));
  s3.destroy();
  if (redis) {
    await deleteKeysMatching(redis, `${s.prefix}*`);
    redis.disconnect();
  }
  await s?.close();
}, 120_000);

describe('a story no configured provider translates', () => {
  it('is a skipped translation, not a failed job: each partner gets what its settings say, ops shows the skip, a kill reaches only what was sent', async () => {
    const all = await partner('tt-all', {});
    const esOnly = await partner('es-only', { translateTo: ['es'], filters: { languages: ['es'] } });
    const esOrOriginal = await partner('es-or-original', { translateTo: ['es'], filters: { languages: ['es'] }, whenNoTranslator: 'original' });
    const enReader = await partner('en-reader', { translateTo: ['en'], filters: { languages: ['en'] } });

    await publish('bostader-1', ninjs({ guid: 'bostader-1', version: 1, language: 'sv', headline: 'Regeringen vill bygga fler bostäder', paragraphs: ['Regeringen vill bygga fler bostäder i staden nästa år, säger ministern.'] }));
    // A Portuguese story: Spanish is a direct pair, English only through Spanish.
    await publish('casas-1', ninjs({ guid: 'casas-1', version: 1, language: 'pt', headline: 'O governo quer construir mais casas', paragraphs: ['O governo quer construir mais casas na cidade no próximo ano.'] }));
    const sv = 'urn:wire:tt:bostader-1';
    const pt = 'urn:wire:tt:casas-1';

    await until('the Swedish original at tt-all and es-or-original, the Portuguese story in Spanish and in English', () =>
      got(all, sv).length === 1 && got(esOrOriginal, sv).length === 1 && got(esOnly, pt).length === 1 && got(enReader, pt).length === 1, 90_000);
    await until('the queues drained', settled, 60_000);

    expect(got(all, sv)).toEqual([`story.published ${sv} sv`]);
    expect(got(esOrOriginal, sv)).toEqual([`story.published ${sv} sv`]);
    expect(got(esOnly, sv)).toEqual([]);
    expect(got(enReader, sv)).toEqual([]);
    expect(got(esOnly, pt)).toEqual([`story.published ${pt}:lang:es es`]);
    expect(got(enReader, pt)).toEqual([`story.published ${pt}:lang:en en`]);
    const english = enReader.delivered.find((r) => r.body.data.uri === `${pt}:lang:en`) as Received & { body: { data: { headlines: Array<{ value: string }> } } };
    expect(words(english.body.data.headlines[0]!.value)).toEqual(expect.arrayContaining(['government', 'houses']));

    // Ops: the delivery log names the skip per partner, with what the partner got instead.
    const skipped = (await api<{ deliveries: Array<{ partnerId: string; storyUri: string; variant: string; status: string; error: { message: string } }> }>('/api/deliveries?status=skipped')).deliveries;
    expect(skipped.map((d) => [d.partnerId, d.storyUri, d.variant, d.error.message]).sort()).toEqual([
      ['en-reader', sv, 'en', 'no translator for sv→en: nothing was sent (the partner takes no untranslated copy)'],
      ['es-only', sv, 'es', 'no translator for sv→es: nothing was sent (the partner takes no untranslated copy)'],
      ['es-or-original', sv, 'es', 'no translator for sv→es: the original was sent instead'],
    ]);
    const view = await api<{ deliveries: Record<string, Array<{ status: string; variant?: string }>> }>(`/api/stories/${encodeURIComponent(sv)}`);
    expect(view.deliveries['es-only']!.map((d) => [d.status, d.variant])).toEqual([['skipped', 'es']]);
    expect(view.deliveries['es-or-original']!.map((d) => d.status).sort()).toEqual(['delivered', 'skipped']);
    const snap = await api<{ stories: Array<{ uri: string; destinations: Array<{ partner: string; status: string }> }>; queues: Array<{ name: string; counts: Record<string, number> }> }>('/api/snapshot');
    const row = snap.stories.find((r) => r.uri === sv)!;
    expect(row.destinations.filter((d) => d.status === 'skipped').map((d) => d.partner).sort()).toEqual(['en-reader', 'es-only']);
    // No failed translate job: the skip completed it.
    expect(snap.queues.find((q) => q.name === Queues.translate)!.counts.failed).toBe(0);

    // The kill goes to the uris each partner was sent: the original to those that got it,
    // nothing to partners that got nothing, and no Spanish kill for a variant never made.
    await publish('bostader-1', ninjs({ guid: 'bostader-1', version: 2, language: 'sv', headline: 'Regeringen vill bygga fler bostäder', paragraphs: ['Regeringen vill bygga fler bostäder i staden nästa år, säger ministern.'], canceled: true }));
    await until('the kill at tt-all and es-or-original', () => got(all, sv).length === 2 && got(esOrOriginal, sv).length === 2, 60_000);
    await until('the queues drained', settled, 60_000);
    expect(got(all, sv)).toEqual([`story.published ${sv} sv`, `story.killed ${sv} sv`]);
    expect(got(esOrOriginal, sv)).toEqual([`story.published ${sv} sv`, `story.killed ${sv} sv`]);
    expect(got(esOnly, sv)).toEqual([]);
    expect(got(enReader, sv)).toEqual([]);
    expect(esOnly.requests + enReader.requests).toBe(2); // the Portuguese variants, nothing else
  }, 240_000);
});

describe('kills and corrections reach only who received', () => {
  it('a partner with only the Spanish variant gets only its kill, whether the translation had landed or was still in flight', async () => {
    const all = partners.get('tt-all')!;
    const esOnly = partners.get('es-only')!;
    const both = await partner('en-and-es', { translateTo: ['es'], filters: { languages: ['en'] } });
    const stories: Record<number, { headline: string; paragraph: string }> = {
      1: { headline: 'The government wants more houses', paragraph: 'The government wants to build more houses in the city next year.' },
      2: { headline: 'The council closes two schools', paragraph: 'The council will close two old schools in the north of the city in the summer.' },
    };
    const text = (v: number, canceled = false) =>
      ninjs({ guid: `homes-${v}`, version: 1, language: 'en', headline: stories[v]!.headline, paragraphs: [stories[v]!.paragraph], canceled });

    // 1. The translation landed before the kill.
    const landed = 'urn:wire:tt:homes-1';
    await publish('homes-1', text(1));
    await until('v1 everywhere, Spanish included', () => got(esOnly, landed).length === 1 && got(both, landed).length === 2 && got(all, landed).length === 1, 60_000);
    await publish('homes-1', JSON.stringify({ ...JSON.parse(text(1, true)), version: '2' }));
    await until('the kills', () => got(esOnly, landed).length === 2 && got(both, landed).length === 4 && got(all, landed).length === 2, 60_000);
    await until('the queues drained', settled, 60_000);
    expect(got(esOnly, landed)).toEqual([`story.published ${landed}:lang:es es`, `story.killed ${landed}:lang:es es`]);
    expect(got(both, landed).sort()).toEqual([
      `story.killed ${landed} en`,
      `story.killed ${landed}:lang:es es`,
      `story.published ${landed} en`,
      `story.published ${landed}:lang:es es`,
    ]);
    expect(got(all, landed)).toEqual([`story.published ${landed} en`, `story.killed ${landed} en`]);

    // 2. The kill arrives while the translation is still in flight (the translator is held).
    await translator.pause();
    const inFlight = 'urn:wire:tt:homes-2';
    try {
      await publish('homes-2', text(2));
      await until('the English original at tt-all and en-and-es', () => got(all, inFlight).length === 1 && got(both, inFlight).length === 1, 60_000);
      const translate = s.queues.find((q) => q.name === Queues.translate)!;
      expect((await translate.getJobCounts('waiting')).waiting).toBe(1);
      await publish('homes-2', JSON.stringify({ ...JSON.parse(text(2, true)), version: '2' }));
      await until('the kills', () => got(esOnly, inFlight).length === 1 && got(both, inFlight).length === 3 && got(all, inFlight).length === 2, 60_000);
    } finally {
      translator.resume();
    }
    // The Spanish v1, translated after the kill, is refused at every partner: nothing follows a kill.
    await until('the queues drained', settled, 60_000);
    const refused = async () =>
      (await api<{ deliveries: Array<{ partnerId: string; version: number; variant?: string; error?: { code: string } }> }>(`/api/deliveries?story=${encodeURIComponent(inFlight)}&status=stale`)).deliveries
        .filter((d) => d.version === 1 && d.variant === 'es' && d.error?.code === 'killed')
        .map((d) => d.partnerId)
        .sort();
    // Every partner routed the Spanish variant (es-or-original takes Spanish too).
    await until('the late Spanish v1 refused', async () => (await refused()).length === 3, 30_000);
    expect(await refused()).toEqual(['en-and-es', 'es-only', 'es-or-original']);
    expect(got(esOnly, inFlight)).toEqual([`story.killed ${inFlight}:lang:es es`]);
    expect(got(both, inFlight).sort()).toEqual([`story.killed ${inFlight} en`, `story.killed ${inFlight}:lang:es es`, `story.published ${inFlight} en`]);
    expect(got(all, inFlight)).toEqual([`story.published ${inFlight} en`, `story.killed ${inFlight} en`]);
  }, 240_000);
});
