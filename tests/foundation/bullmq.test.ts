import { afterAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { testConfig, uniqueName } from '../helpers/env';

describe('BullMQ through the Redis wire infra found or started', () => {
  const cfg = testConfig();
  const name = uniqueName('foundation-q');
  const connection = () => new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: null });
  const closers: (() => Promise<unknown>)[] = [];

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('runs a job from a queue on a worker and hands back its result', async () => {
    const queue = new Queue(name, { connection: connection() });
    const events = new QueueEvents(name, { connection: connection() });
    const worker = new Worker(name, async (job) => ({ upper: String(job.data.headline).toUpperCase(), attempt: job.attemptsMade }), { connection: connection() });
    closers.push(
      () => queue.obliterate({ force: true }).then(() => queue.close()),
      () => events.close(),
      () => worker.close(),
    );
    await events.waitUntilReady();

    const job = await queue.add('shout', { headline: 'quake hits coast' }, { jobId: `deliver-${name}` });
    const result = await job.waitUntilFinished(events, 30_000);
    expect(result).toEqual({ upper: 'QUAKE HITS COAST', attempt: 0 });
    // A deterministic job id is kept once: adding it again does not run it twice.
    const again = await queue.add('shout', { headline: 'other' }, { jobId: `deliver-${name}` });
    expect(again.id).toBe(job.id);
    expect(await queue.getJobCounts('completed', 'waiting')).toMatchObject({ completed: 1, waiting: 0 });
  });
});
