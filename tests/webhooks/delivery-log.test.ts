import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { storyHash } from '@wire/queues';
import { DeliveryLog, type DeliveryAttempt } from '@wire/webhooks';
import { deleteKeysMatching } from '@wire/infra';
import { testEnv, uniqueName } from '../helpers/env';

let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  prefix = `${uniqueName('wire-test-dlog')}:`;
});
afterAll(async () => {
  await deleteKeysMatching(redis, `${prefix}*`);
  await redis.quit();
});

const t0 = Date.parse('2026-11-28T09:00:00Z');
function attempt(partnerId: string, storyUri: string, n: number, outcome: DeliveryAttempt['outcome'], at: number): DeliveryAttempt {
  return { jobId: `job-${partnerId}-${storyUri}`, webhookId: `msg_${partnerId}`, partnerId, storyUri, version: 1, eventType: 'story.published', attempt: n, at: new Date(at).toISOString(), outcome, status: outcome === 'delivered' ? 204 : 503, latencyMs: 3 };
}

describe('DeliveryLog (Redis)', () => {
  it('lists by partner, by story and overall, newest first, filtered by outcome and time', async () => {
    const log = new DeliveryLog(redis, { prefix, now: () => t0 + 1000 });
    await log.record(attempt('daily', 'urn:a', 1, 'retrying', t0 + 1));
    await log.record(attempt('daily', 'urn:a', 2, 'delivered', t0 + 2));
    await log.record(attempt('weekly', 'urn:a', 1, 'delivered', t0 + 3));
    await log.record(attempt('daily', 'urn:b', 1, 'delivered', t0 + 4));

    const pick = (list: DeliveryAttempt[]) => list.map((e) => `${e.partnerId} ${e.storyUri} ${e.attempt}`);
    expect(pick(await log.listDeliveries({ partner: 'daily' }))).toEqual(['daily urn:b 1', 'daily urn:a 2', 'daily urn:a 1']);
    expect(pick(await log.listDeliveries({ story: 'urn:a' }))).toEqual(['weekly urn:a 1', 'daily urn:a 2', 'daily urn:a 1']);
    expect(pick(await log.listDeliveries({ story: 'urn:a', status: 'retrying' }))).toEqual(['daily urn:a 1']);
    expect(pick(await log.listDeliveries({ partner: 'daily', since: t0 + 2 }))).toEqual(['daily urn:b 1', 'daily urn:a 2']);
    expect(pick(await log.listDeliveries({ limit: 2 }))).toEqual(['daily urn:b 1', 'weekly urn:a 1']);
    expect((await log.listDeliveries({ status: 'delivered' })).length).toBe(3);
    // Each entry is stored once; the indexes hold its id. A story's index expires with the retention.
    expect(await redis.xlen(`${prefix}deliveries:log`)).toBe(4);
    expect(await redis.ttl(`${prefix}deliveries:story:${storyHash('urn:a')}`)).toBeGreaterThan(6 * 86_400);
  });

  it('still reads entries of the earlier layout (the entry itself as the index member)', async () => {
    const log = new DeliveryLog(redis, { prefix, now: () => t0 + 1000 });
    const old = attempt('monthly', 'urn:c', 1, 'dead', t0 + 1);
    await redis.zadd(`${prefix}deliveries:partner:monthly`, t0 + 1, JSON.stringify(old));
    await log.record(attempt('monthly', 'urn:c', 2, 'delivered', t0 + 2));
    expect((await log.listDeliveries({ partner: 'monthly' })).map((e) => [e.attempt, e.outcome])).toEqual([
      [2, 'delivered'],
      [1, 'dead'],
    ]);
  });
});
