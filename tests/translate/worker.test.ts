import { createServer } from 'node:net';
import { Queue, QueueEvents, type Job, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '@wire/observability';
import { DeliverJob, deliverJobId, translateJobId, type TranslateJob } from '@wire/queues';
import { PartnerRegistry, RecipientsRegister, recipientEntry } from '@wire/routing';
import { DeliveryLog } from '@wire/webhooks';
import {
  createApertiumTranslator,
  createRedisTranslationCache,
  createStoryTranslator,
  createTranslationRouter,
  storyContentHash,
  TranslateErrorCodes,
  variantUri,
} from '@wire/translate';
import {
  createRedisFailureRecorder,
  createRegistryUntranslatedRouter,
  createRegistryVariantRouter,
  createTranslateWorker,
  createTranslatorMetrics,
  type TranslateJobResult,
} from '@wire/svc-translator';
import { testConfig, uniqueName } from '../helpers/env';
import { counting, words, yonhapStory } from './helpers';

const config = testConfig();
const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
const redis = new Redis(config.REDIS_URL);
const bullPrefix = uniqueName('t7bull');
const keyPrefix = `${uniqueName('t7')}:`;
const logger = createLogger({ name: 'translator-test', level: 'silent' });

const apertium = counting(createApertiumTranslator({ url: config.APERTIUM_URL, concurrency: 2 }));
const registry = new PartnerRegistry(redis, { prefix: keyPrefix });
const recipients = new RecipientsRegister(redis, { prefix: keyPrefix });
const recordFailure = createRedisFailureRecorder(redis, { prefix: keyPrefix });
const deliveryLog = new DeliveryLog(redis, { prefix: keyPrefix });
const metrics = createTranslatorMetrics(createMetricsRegistry('translator-test', { defaults: false }));

const translateQueue = new Queue('translate', { connection, prefix: bullPrefix });
const deliverQueue = new Queue('deliver', { connection, prefix: bullPrefix });
const events = new QueueEvents('translate', { connection, prefix: bullPrefix });
const workers: Worker[] = [];

function startWorker(queueName: string, apertiumUrl?: string): Worker {
  const provider = apertiumUrl ? createApertiumTranslator({ url: apertiumUrl }) : apertium;
  const router = createTranslationRouter({ providers: [provider], routes: { '*': ['apertium'] } });
  const w = createTranslateWorker({
    storyTranslator: createStoryTranslator({ router, cache: createRedisTranslationCache(redis, { ttlSeconds: 600 }), cachePrefix: `${keyPrefix}translate:cache` }),
    routeVariant: createRegistryVariantRouter({ registry, deliverQueue, recipients }),
    routeUntranslated: createRegistryUntranslatedRouter({ registry, deliverQueue, recipients, deliveryLog }),
    metrics,
    logger,
    recordFailure,
    connection,
    prefix: bullPrefix,
    queueName,
    concurrency: 2,
  });
  workers.push(w);
  return w;
}

/** Put a translate job on the real queue and wait for the worker to finish it. */
async function run(job: TranslateJob, opts: { attempts?: number; jobId?: string; queue?: Queue; events?: QueueEvents } = {}): Promise<TranslateJobResult> {
  const queue = opts.queue ?? translateQueue;
  const added: Job = await queue.add('translate', job, {
    jobId: opts.jobId ?? translateJobId(job.storyUri, job.version, job.targetLanguage, job.eventType),
    attempts: opts.attempts ?? 3,
    backoff: { type: 'fixed', delay: 50 },
  });
  return (await added.waitUntilFinished(opts.events ?? events, 60_000)) as TranslateJobResult;
}

async function deliverJob(partnerId: string, job: TranslateJob): Promise<DeliverJob> {
  const j = await deliverQueue.getJob(deliverJobId(partnerId, job.storyUri, job.version, job.eventType, 'es'));
  expect(j, `deliver job for ${partnerId}`).toBeDefined();
  return DeliverJob.parse(j!.data);
}

beforeAll(async () => {
  await registry.create({ id: 'el-diario', name: 'El Diario', url: 'http://127.0.0.1:9/hook', translateTo: ['es'] });
  await registry.create({ id: 'la-voz', name: 'La Voz', url: 'http://127.0.0.1:9/hook', translateTo: ['es'], filters: { languages: ['es'] } });
  await registry.create({ id: 'gone-quiet', name: 'Disabled', url: 'http://127.0.0.1:9/hook', translateTo: ['es'], disabled: true });
  startWorker('translate');
  await events.waitUntilReady();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await events.close();
  for (const q of [translateQueue, deliverQueue]) {
    await q.obliterate({ force: true });
    await q.close();
  }
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  const leftovers = await redis.keys(`${bullPrefix}:*`);
  if (leftovers.length) await redis.del(...leftovers);
  await redis.quit();
  await apertium.close();
});

const partnerIds = ['el-diario', 'la-voz', 'gone-quiet'];

describe('translate worker on real BullMQ queues and the real Apertium', () => {
  const story = yonhapStory();
  const job: TranslateJob = { storyUri: story.uri, version: 1, targetLanguage: 'es', eventType: 'story.published', story, partnerIds };

  it('turns a translate job into deliver jobs carrying the Spanish variant', async () => {
    const result = await run(job);
    expect(result.provider).toBe('apertium');
    expect(result.cached).toBe(false);
    expect(result.deliverJobIds).toHaveLength(2); // the disabled partner gets nothing

    for (const partnerId of ['el-diario', 'la-voz']) {
      const d = await deliverJob(partnerId, job);
      expect(d).toMatchObject({ partnerId, eventType: 'story.published', storyUri: story.uri, version: 1, variant: 'es' });
      expect(d.story.uri).toBe(variantUri(story.uri, 'es'));
      expect(d.story.language).toBe('es');
      expect(d.story.translationOf).toEqual({ uri: story.uri, version: 1, language: 'en' });
      expect(d.story.headline).toContain('Moon Jae-in');
      expect(d.story.headline).not.toBe(story.headline);
      expect(words(d.story.body.join(' '))).toEqual(expect.arrayContaining(['el', 'perro']));
      expect(d.story.body.join(' ')).toContain('Kim Jong-un');
      expect(d.story.body.join(' ')).toContain('Yonhap');
    }
    expect(await deliverQueue.getJob(deliverJobId('gone-quiet', story.uri, 1, 'story.published', 'es'))).toBeUndefined();
    expect(await recipients.list(story.uri)).toEqual(['el-diario', 'la-voz']);
  });

  it('answers a re-send from the cache: no second Apertium call', async () => {
    const calls = apertium.calls;
    const hitsBefore = (await metrics.cacheHits.get()).values.reduce((n, v) => n + v.value, 0);
    const result = await run(job, { jobId: `${translateJobId(story.uri, 1, 'es', 'story.published')}_resend` });
    expect(result.cached).toBe(true);
    expect(apertium.calls).toBe(calls);
    const hitsAfter = (await metrics.cacheHits.get()).values.reduce((n, v) => n + v.value, 0);
    expect(hitsAfter).toBe(hitsBefore + 1);
  });

  it('re-translates an update and delivers it as an update', async () => {
    const body = [...story.body, 'The house of the village was big.'];
    const v2 = { ...story, version: 2, body, bodyHtml: `${story.bodyHtml}\n<p>The house of the village was big.</p>`, contentHash: storyContentHash(story.headline, body) };
    const update: TranslateJob = { ...job, version: 2, eventType: 'story.updated', story: v2 };
    const result = await run(update);
    expect(result.cached).toBe(false);
    const d = await deliverJob('el-diario', update);
    expect(d).toMatchObject({ eventType: 'story.updated', version: 2 });
    expect(d.story.version).toBe(2);
    expect(d.story.body).toHaveLength(4);
    expect(words(d.story.body[3]!)).toEqual(expect.arrayContaining(['casa', 'grande']));
  });

  it('a kill yields a canceled variant without asking a provider', async () => {
    const calls = apertium.calls;
    const kill: TranslateJob = { ...job, version: 3, eventType: 'story.killed', story: { ...story, version: 3, pubStatus: 'canceled' } };
    const result = await run(kill);
    expect(result.provider).toBe('none');
    expect(apertium.calls).toBe(calls);
    const d = await deliverJob('la-voz', kill);
    expect(d.eventType).toBe('story.killed');
    expect(d.story.uri).toBe(variantUri(story.uri, 'es'));
    expect(d.story.pubStatus).toBe('canceled');
    expect(d.story.body).toEqual([]);
  });

  it('settles a pair no provider translates as skipped, not failed: the original where the partner takes it, an entry ops shows', async () => {
    const ko: TranslateJob = { ...job, targetLanguage: 'ko' };
    await recipients.add(story.uri, partnerIds.map((id) => recipientEntry(id, 'ko'))); // as routing recorded them
    const result = await run(ko, { attempts: 3 });
    expect(result.skipped).toBe('no translator for en→ko');
    expect(result.provider).toBe('none');
    const settled = await translateQueue.getJob(translateJobId(story.uri, 1, 'ko', 'story.published'));
    expect(await settled!.getState()).toBe('completed');
    expect(settled!.attemptsMade).toBe(1);
    // El Diario has no language filter: it gets the English original. La Voz takes Spanish only: nothing.
    const original = await deliverQueue.getJob(deliverJobId('el-diario', story.uri, 1, 'story.published'));
    expect(DeliverJob.parse(original!.data)).toMatchObject({ partnerId: 'el-diario', storyUri: story.uri, story: { uri: story.uri, language: 'en' } });
    expect(result.deliverJobIds).toEqual([original!.id]);
    const delivers = await deliverQueue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(delivers.filter((d) => (d.data as DeliverJob).partnerId === 'la-voz' && !(d.data as DeliverJob).variant)).toEqual([]);
    expect(delivers.some((d) => (d.data as DeliverJob).story.language === 'ko')).toBe(false);
    // What ops reads: one skipped entry per partner, under the variant it asked for.
    const skipped = await deliveryLog.listDeliveries({ story: story.uri, status: 'skipped' });
    expect(skipped.map((e) => [e.partnerId, e.variant, e.error?.code, e.error?.message]).sort()).toEqual([
      ['el-diario', 'ko', TranslateErrorCodes.UNSUPPORTED_PAIR, 'no translator for en→ko: the original was sent instead'],
      ['la-voz', 'ko', TranslateErrorCodes.UNSUPPORTED_PAIR, 'no translator for en→ko: nothing was sent (the partner takes no untranslated copy)'],
    ]);
    // A later kill reaches the original El Diario now holds, and no Korean variant nobody got.
    const entries = await recipients.entries(story.uri);
    expect(entries).toContain(recipientEntry('el-diario'));
    expect(entries.filter((e) => e.endsWith('@ko'))).toEqual([recipientEntry('gone-quiet', 'ko')]);
    expect(await redis.lrange(recordFailure.key, 0, -1)).toEqual([]);
  });

  it('ends a job that does not match the TranslateJob schema without retries', async () => {
    const bad = await translateQueue.add('translate', { storyUri: 'urn:x', targetLanguage: 'es' }, { jobId: 'bad-job', attempts: 3 });
    await expect(bad.waitUntilFinished(events, 30_000)).rejects.toThrow(/story/);
    expect((await translateQueue.getJob('bad-job'))!.attemptsMade).toBe(1);
  });

  it('retries with backoff while the provider is down, then fails with provider down', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    const downQueue = new Queue('translate-down', { connection, prefix: bullPrefix });
    const downEvents = new QueueEvents('translate-down', { connection, prefix: bullPrefix });
    await downEvents.waitUntilReady();
    startWorker('translate-down', `http://127.0.0.1:${port}`);
    try {
      // What is cached still goes out during the outage …
      expect((await run(job, { attempts: 2, queue: downQueue, events: downEvents })).cached).toBe(true);
      // … a story never translated waits for the provider: retried with backoff, then failed.
      const fresh = yonhapStory({ headline: 'The dog of Moon Jae-in barks' });
      const freshJob: TranslateJob = { ...job, storyUri: fresh.uri, story: { ...fresh, contentHash: storyContentHash(fresh.headline, fresh.body) } };
      await expect(run(freshJob, { attempts: 2, queue: downQueue, events: downEvents })).rejects.toThrow(TranslateErrorCodes.PROVIDER_DOWN);
      const failed = await downQueue.getJob(translateJobId(fresh.uri, 1, 'es', 'story.published'));
      expect(failed!.attemptsMade).toBe(2);
    } finally {
      await downEvents.close();
      await downQueue.obliterate({ force: true });
      await downQueue.close();
    }
  });
});
