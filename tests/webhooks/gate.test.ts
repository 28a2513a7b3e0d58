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

  it('holds older versions back once a later one went on the wire, though its 2xx never committed (a timeout, a crash, a Redis outage)', async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 10, ratePerSec: 0, slotTtlMs: 1_000 };
    const v = (version: number, eventType: GateJob['eventType'] = 'story.updated', variant?: string): GateJob => ({
      jobId: `w-${version}-${eventType}-${variant ?? ''}`,
      partnerId: 'daily',
      storyUri: 'urn:wire:gate:wire',
      version,
      eventType,
      ...(variant ? { variant } : {}),
    });
    // v2 is sent and times out (the partner may have taken it): its slot and lock are released.
    expect((await gate.admit(v(2), limits)).kind).toBe('ok');
    await gate.release(v(2));
    expect(await gate.admit(v(1), limits)).toEqual({ kind: 'superseded', sentVersion: 2 });
    // v2 itself is retried; once it commits, a repeat of it is a duplicate.
    expect((await gate.admit(v(2), limits)).kind).toBe('ok');
    await gate.commit(v(2));
    expect(await gate.admit(v(2), limits)).toEqual({ kind: 'duplicate', deliveredVersion: 2 });
    // A kill put on the wire, never committed: nothing but kills follows, in any language.
    expect((await gate.admit(v(3, 'story.killed'), limits)).kind).toBe('ok');
    await gate.release(v(3, 'story.killed'));
    expect((await gate.admit(v(2, 'story.updated', 'es'), limits)).kind).toBe('killed');
    expect((await gate.admit(v(3, 'story.killed', 'es'), limits)).kind).toBe('ok');
    await gate.commit(v(3, 'story.killed', 'es'));
    expect((await gate.admit(v(3, 'story.killed'), limits)).kind).toBe('ok');
  });

  it("admits one partner's batch in order in one call: refusals for good, the story lock between versions, and the rest held back at the cap", async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 3, ratePerSec: 0, slotTtlMs: 1_000 };
    const b = (n: number, version = 1): GateJob => ({ jobId: `b-${n}-v${version}`, partnerId: 'batch', storyUri: `urn:wire:gate:batch:${n}`, version, eventType: 'story.published' });
    // Story 0's v1 was delivered already; v2 of story 1 follows its v1 in the same batch.
    expect((await gate.admit(b(0), limits)).kind).toBe('ok');
    await gate.commit(b(0));
    const jobs = [b(0), b(1), b(1, 2), b(2), b(3), b(4)];
    const got = await gate.admitMany(jobs, limits);
    expect(got.map((a) => a.kind)).toEqual(['duplicate', 'ok', 'story-busy', 'ok', 'ok', 'busy']);
    // Once at the cap, nothing more is tried: b(4) took no slot and no lock.
    await gate.release(b(3));
    expect((await gate.admitMany([b(4)], limits))[0]!.kind).toBe('ok');

    // The 2xx ones commit together with their log entries: registers move, slots and locks free.
    const logKeys = (n: number): [string, string, string] => [`${prefix}log:s`, `${prefix}log:p`, `${prefix}log:story:${n}`];
    const entry = (n: number) => ({ keys: logKeys(n), args: [clock, JSON.stringify({ n }), '', 60] as [number, string, '', number] });
    await gate.commitMany([{ job: b(1), log: entry(1) }, { job: b(2), log: entry(2) }, { job: b(4), log: entry(4) }]);
    expect(await redis.xlen(`${prefix}log:s`)).toBe(3);
    expect(await redis.zcard(`${prefix}log:p`)).toBe(3);
    expect(await redis.zcard(`${prefix}log:story:2`)).toBe(1);
    const again = await gate.admitMany([b(1), b(1, 2), b(2), b(5), b(6), b(7)], limits);
    expect(again.map((a) => a.kind)).toEqual(['duplicate', 'ok', 'duplicate', 'ok', 'ok', 'busy']);
    await expect(gate.admitMany([b(8), { ...b(9), partnerId: 'other' }], limits)).rejects.toThrow(/one partner/);
  });

  it('a batch out of tokens stops at the first refusal and says when to come back', async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 10, ratePerSec: 2, slotTtlMs: 1_000 };
    const r = (n: number): GateJob => ({ jobId: `r-${n}`, partnerId: 'rated', storyUri: `urn:wire:gate:rated:${n}`, version: 1, eventType: 'story.published' });
    const got = await gate.admitMany([r(1), r(2), r(3), r(4)], limits);
    expect(got.map((a) => a.kind)).toEqual(['ok', 'ok', 'rate', 'rate']);
    expect(got[2]).toEqual({ kind: 'rate', retryMs: 500 });
    expect(got[3]).toEqual(got[2]);
    clock += 500;
    expect((await gate.admitMany([r(3)], limits))[0]!.kind).toBe('ok');
  });

  it('never lets two batch jobs carrying the same delivery both send it, but lets the same batch back in', async () => {
    const gate = new PartnerGate(redis, { prefix, now: () => clock });
    const limits = { concurrency: 10, ratePerSec: 0, slotTtlMs: 1_000 };
    const d: GateJob = { jobId: 'deliver_twice', partnerId: 'rechunked', storyUri: 'urn:wire:gate:twice', version: 1, eventType: 'story.published' };
    const inFirst = { ...d, holder: 'batch-1/deliver_twice' };
    const inSecond = { ...d, holder: 'batch-2/deliver_twice' };
    expect((await gate.admitMany([inFirst], limits))[0]!.kind).toBe('ok');
    expect((await gate.admitMany([inSecond], limits))[0]!.kind).toBe('story-busy');
    expect((await gate.admitMany([{ ...inFirst }], limits))[0]!.kind).toBe('ok');
    await gate.commit(inFirst);
    expect((await gate.admitMany([inSecond], limits))[0]).toEqual({ kind: 'duplicate', deliveredVersion: 1 });
  });
});
