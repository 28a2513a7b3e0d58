import { describe, expect, it } from 'vitest';
import { DELIVER_BATCH_JOB_NAME, DeliverBatchJob, DeliverJob, deliverBatchJobId } from '@wire/queues';
import { CanonicalStory, Decision } from '@wire/schema';
import { deliverJobsOf } from './enqueue';
import { Partner } from './partner';
import { planRoutes, type PlannedDeliver } from './plan';

const at = '2026-01-01T00:00:00.000Z';
const partner = (id: string, extra: Partial<Partner> = {}): Partner =>
  Partner.parse({ id, name: id, url: `https://${id}.example/hook`, secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: at }], createdAt: at, updatedAt: at, ...extra });
const story = (n: number, extra: Partial<CanonicalStory> = {}): CanonicalStory =>
  CanonicalStory.parse({ uri: `urn:wire:yonhap:${n}`, source: 'yonhap', guid: String(n), version: 1, language: 'en', headline: `Seoul stocks rise ${n}`, contentHash: `h${n}`, wordCount: 3, ...extra });
const plans = (stories: CanonicalStory[], partners: Partner[], now = 0): PlannedDeliver[] =>
  stories.flatMap((s) => planRoutes(s, Decision.parse({ kind: 'new' }), partners, { now }).deliver);

describe('deliverJobsOf', () => {
  it("gives each partner one batch job per chunk of its deliveries, in plan order, each delivery under its own job's id", () => {
    const deliver = plans([1, 2, 3, 4, 5].map((n) => story(n)), [partner('a'), partner('b')]);
    const jobs = deliverJobsOf(deliver, true, 3);
    expect(jobs.map((j) => [j.name, (j.data as DeliverBatchJob).items.length])).toEqual([
      [DELIVER_BATCH_JOB_NAME, 3],
      [DELIVER_BATCH_JOB_NAME, 2],
      [DELIVER_BATCH_JOB_NAME, 3],
      [DELIVER_BATCH_JOB_NAME, 2],
    ]);
    const first = DeliverBatchJob.parse(jobs[0]!.data);
    const planned = deliver.filter((d) => d.data.partnerId === 'a').slice(0, 3);
    expect(first.partnerId).toBe('a');
    expect(first.items.map((i) => i.id)).toEqual(planned.map((d) => d.jobId));
    expect(first.items.map((i) => i.storyUri)).toEqual(['urn:wire:yonhap:1', 'urn:wire:yonhap:2', 'urn:wire:yonhap:3']);
    expect(first.items.every((i) => i.recipientRecorded === true)).toBe(true);
    // Deterministic: the same plan gives the same ids (a re-run adds nothing), with the
    // deliveries' own retry options and none of their single-job ids.
    expect(jobs[0]!.opts.jobId).toBe(deliverBatchJobId('a', planned.map((d) => d.jobId)));
    expect(deliverJobsOf(deliver, true, 3).map((j) => j.opts.jobId)).toEqual(jobs.map((j) => j.opts.jobId));
    expect(jobs[0]!.opts).toMatchObject({ attempts: planned[0]!.opts.attempts, backoff: planned[0]!.opts.backoff });
  });

  it('keeps a lone delivery, embargoed (delayed) copy and batchMax 1 as one job each', () => {
    const now = Date.parse(at);
    const embargoed = story(9, { embargoedUntil: new Date(now + 60_000).toISOString() });
    const deliver = plans([story(1), story(2), embargoed], [partner('many'), partner('one', { filters: { keywords: ['rise 1'] } })], now);
    const jobs = deliverJobsOf(deliver, false);
    const singles = jobs.filter((j) => j.name !== DELIVER_BATCH_JOB_NAME);
    expect(singles.map((j) => [(j.data as DeliverJob).partnerId, (j.data as DeliverJob).storyUri, j.opts.delay !== undefined])).toEqual([
      ['many', 'urn:wire:yonhap:9', true],
      ['one', 'urn:wire:yonhap:1', false],
    ]);
    expect(singles.every((j) => j.opts.jobId === deliver.find((d) => d.data === j.data)?.jobId)).toBe(true);
    const batches = jobs.filter((j) => j.name === DELIVER_BATCH_JOB_NAME);
    expect(batches.map((j) => (j.data as DeliverBatchJob).items.map((i) => i.storyUri))).toEqual([['urn:wire:yonhap:1', 'urn:wire:yonhap:2']]);
    expect(deliverJobsOf(deliver, false, 1).map((j) => j.name)).toEqual(deliver.map((d) => d.data.eventType));
  });
});
