import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PartnerGate, type GateJob } from '@wire/svc-webhooks';
import { deleteKeysMatching } from '@wire/infra';
import { testEnv, uniqueName } from '../helpers/env';

let redis: Redis;
let prefix: string;
let clock = Date.parse('2026-11-28T09:00:00Z');

beforeAll(() => {
  redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379');
  prefix = `${uniqueName('wire-test-gate')}:`;
});
afterAll(async () => {
  await deleteKeysMatching(redis, `${prefix}*`);
  await redis.quit();
});

const job = (n: number, partnerId = 'daily'): GateJob => ({ jobId: `job-${partnerId}-${n}`, partnerId, storyUri: `urn:wire:gate:${n}`, version: 1, eventType: 'story.published' });

describe('PartnerGate (Redis)', () => {
  it("holds a partner to its in-flight cap, lets a job that holds a slot back in, and frees crashed workers' slots when they expire", async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 2, ratePerSec: 0, slotTtlMs: 1_000 };
    expect((await gate.admit(job(1), limits)).kind).toBe('ok');
    expect((await gate.admit(job(2), limits)).kind).toBe('ok');
    expect((await gate.admit(job(3), limits)).kind).toBe('busy');
    // Another partner has slots of its own.
    expect((await gate.admit(job(3, 'weekly'), limits)).kind).toBe('ok');
    // A job that already holds a slot (its worker lost the job and it runs again) is let back in.
    expect((await gate.admit(job(2), limits)).kind).toBe('ok');
    await gate.release(job(1));
    expect((await gate.admit(job(3), limits)).kind).toBe('ok');
    // Both holders crash: their slots expire with the TTL.
    clock += 1_001;
    expect((await gate.admit(job(4), limits)).kind).toBe('ok');
    expect((await gate.admit(job(5), limits)).kind).toBe('ok');
    expect((await gate.admit(job(6), limits)).kind).toBe('busy');
  });

  it('moves the register forward on commit: an older version is stale, the same one a duplicate, nothing after a kill', async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 10, ratePerSec: 0, slotTtlMs: 1_000 };
    const v = (version: number, eventType: GateJob['eventType'] = 'story.updated'): GateJob => ({ jobId: `s-${version}-${eventType}`, partnerId: 'daily', storyUri: 'urn:wire:gate:story', version, eventType });
    expect((await gate.admit(v(2), limits)).kind).toBe('ok');
    await gate.commit(v(2));
    expect(await gate.admit(v(1), limits)).toEqual({ kind: 'stale', deliveredVersion: 2 });
    expect(await gate.admit(v(2), limits)).toEqual({ kind: 'duplicate', deliveredVersion: 2 });
    expect((await gate.admit(v(2, 'story.killed'), limits)).kind).toBe('ok');
    await gate.commit(v(2, 'story.killed'));
    expect((await gate.admit(v(3), limits)).kind).toBe('killed');
  });
});
