/**
 * Batch jobs: routing a chunk of stories gives each partner one deliver job per chunk of its
 * deliveries. Each delivery is still its own signed request, logged, ordered, retried and
 * dead-lettered under the id its own job would have had.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVER_BATCH_JOB_NAME, deliverJobId } from '@wire/queues';
import { Decision, type CanonicalStory } from '@wire/schema';
import { enqueueRoutes, planRoutes } from '@wire/routing';
import { DeliveryErrorCodes } from '@wire/webhooks';
import { harness, inFlightCounter, story, until, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Route several stories as one chunk (as the ingest router does): one plan, one addBulk. */
async function routeChunk(hh: Harness, stories: CanonicalStory[]) {
  const partners = await hh.registry.list();
  const deliver = stories.flatMap((s) => planRoutes(s, Decision.parse({ kind: 'new' }), partners, { receivedAt: new Date().toISOString() }).deliver);
  await enqueueRoutes({ deliverQueue: hh.queue, recipients: hh.recipients }, { deliver, translate: [] });
  return deliver;
}

describe('batch deliver jobs', () => {
  it('delivers a chunk as one job per partner: every story once, signed, logged under its own delivery id', async () => {
    h = await harness();
    const a = await h.partner('a');
    const b = await h.partner('b');
    const stories = Array.from({ length: 8 }, () => story());
    const deliver = await routeChunk(h, stories);
    await until('all delivered', () => a.delivered.length === 8 && b.delivered.length === 8);
    const jobs = await h.queue.getJobs(['completed', 'active', 'waiting', 'delayed']);
    expect(jobs.map((j) => j.name)).toEqual([DELIVER_BATCH_JOB_NAME, DELIVER_BATCH_JOB_NAME]);
    for (const p of [a, b]) {
      expect(p.received.every((r) => r.verified)).toBe(true);
      expect(new Set(p.received.map((r) => r.id)).size).toBe(8);
      expect(p.delivered.map((r) => r.body.data.uri).sort()).toEqual(stories.map((s) => s.uri).sort());
    }
    await until('logged', async () => (await h!.svc.ops.listDeliveries({ partner: 'a', status: 'delivered' })).length === 8);
    const logged = await h.svc.ops.listDeliveries({ partner: 'a', status: 'delivered' });
    expect(logged.map((e) => e.jobId).sort()).toEqual(deliver.filter((d) => d.data.partnerId === 'a').map((d) => d.jobId).sort());
    expect(logged.every((e) => e.attempt === 1 && e.status === 200)).toBe(true);
    // Routing again (a re-run after a crash) sends nothing twice.
    await routeChunk(h, stories);
    await new Promise((r) => setTimeout(r, 300));
    expect(a.requests + b.requests).toBe(16);
  });

  it('retries a failed delivery alone, dead-letters a rejected one (replayable), and delivers the rest of the batch', async () => {
    h = await harness({ retryScheduleMs: [150, 150] });
    const stories = Array.from({ length: 5 }, () => story());
    const [ok, flaky, rejected] = [stories[0]!, stories[1]!, stories[2]!];
    let flakyCalls = 0;
    let reject = true;
    const p = await h.partner('mixed', (_req, _res, _n, body) => {
      const uri = (JSON.parse(body) as { data: { uri: string } }).data.uri;
      if (uri === flaky.uri && flakyCalls++ === 0) return 503;
      if (uri === rejected.uri && reject) return 422;
      return 200;
    });
    await routeChunk(h, stories);
    await until('four delivered', () => p.delivered.length === 4);
    expect(p.delivered.map((r) => r.body.data.uri)).toContain(ok.uri);
    const flakyId = deliverJobId('mixed', flaky.uri, 1, 'story.published');
    // The partner answers before the worker commits the attempt to the log: wait for the entry.
    await until('flaky delivery logged', async () => (await h!.svc.ops.listDeliveries({ story: flaky.uri })).some((e) => e.outcome === 'delivered'));
    const flakyLog = await h.svc.ops.listDeliveries({ story: flaky.uri });
    expect(flakyLog.map((e) => [e.jobId, e.attempt, e.outcome]).sort()).toEqual([
      [flakyId, 1, 'retrying'],
      [flakyId, 2, 'delivered'],
    ]);
    // The retry ran as a job of its own, under the delivery's id.
    expect((await h.queue.getJob(flakyId))?.name).toBe('story.published');

    await until('dead letter', async () => (await h!.svc.ops.listDeadLetters()).length === 1);
    const [dl] = await h.svc.ops.listDeadLetters();
    expect(dl).toMatchObject({ id: deliverJobId('mixed', rejected.uri, 1, 'story.published'), storyUri: rejected.uri, code: DeliveryErrorCodes.REJECTED, lastStatus: 422, attempts: 1 });
    reject = false;
    expect(await h.svc.ops.replayDeadLetter(dl!.id)).toMatchObject({ ok: true, detail: 'requeued' });
    await until('rejected one delivered after replay', () => p.delivered.length === 5);
    expect(p.delivered.filter((r) => r.body.data.uri === rejected.uri)).toHaveLength(1);
  });

  it("keeps a batch to the partner's in-flight cap and to version order within the batch", async () => {
    h = await harness({ partnerConcurrency: 2 });
    const counter = inFlightCounter(40);
    const p = await h.partner('capped', counter.behaviour);
    const stories = Array.from({ length: 9 }, () => story());
    const v2 = { ...stories[0]!, version: 2, contentHash: 'v2' };
    const partners = await h.registry.list();
    const deliver = [
      ...stories.flatMap((s) => planRoutes(s, Decision.parse({ kind: 'new' }), partners).deliver),
      ...planRoutes(v2, Decision.parse({ kind: 'update' }), partners).deliver,
    ];
    await enqueueRoutes({ deliverQueue: h.queue }, { deliver, translate: [] });
    await until('all ten delivered', () => p.delivered.length === 10);
    expect(counter.most()).toBeLessThanOrEqual(2);
    const first = p.delivered.filter((r) => r.body.data.uri === stories[0]!.uri).map((r) => r.body.data.version);
    expect(first).toEqual(['1', '2']);
  });

  it("a partner sleeping 10 s per request does not hold up another partner's batches", async () => {
    h = await harness({ concurrency: 4, partnerConcurrency: 2, timeoutMs: 15_000 }, { forceClose: true });
    let sleeperAnswered = 0;
    await h.partner('sleepy', () => new Promise<number>((r) => setTimeout(() => {
      sleeperAnswered++;
      r(200);
    }, 10_000)));
    const fast = await h.partner('fast');
    // Several chunks: the sleeper gets a batch job per chunk, ahead of the fast partner's.
    for (let c = 0; c < 4; c++) await routeChunk(h, Array.from({ length: 10 }, () => story()));
    await until('fast partner got all 40', () => fast.delivered.length === 40, 9_000);
    expect(sleeperAnswered).toBe(0);
  });
});
