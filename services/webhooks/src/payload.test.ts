import { describe, expect, it } from 'vitest';
import type { DeliverJob } from '@wire/queues';
import { CanonicalStory } from '@wire/schema';
import { PayloadBuilder, webhookId, withRenditionHrefs } from './payload';

const story = CanonicalStory.parse({
  uri: 'urn:wire:yonhap:1',
  source: 'yonhap',
  guid: '1',
  version: 2,
  headline: 'h',
  contentHash: 'c',
  wordCount: 1,
  versionCreated: '2026-11-28T01:02:03Z',
  images: [{ caption: 'c', renditions: [{ name: 'thumb', key: 'media/abc-thumb.jpg', contentType: 'image/jpeg' }] }],
});
const job: DeliverJob = { partnerId: 'p', eventType: 'story.updated', storyUri: story.uri, version: 2, story };

describe('webhook payloads', () => {
  it('gives one id per (partner, story, version, type, language), without dots', () => {
    const id = webhookId(job);
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
    // Pinned: ids already sent must stay the same (a retry after an upgrade sends the same id).
    expect(id).toBe('msg_oXtbauu6YWrOs7kfPkBePWS2QPt9THDm');
    expect(webhookId({ ...job })).toBe(id);
    expect(new Set([id, webhookId({ ...job, partnerId: 'q' }), webhookId({ ...job, version: 3 }), webhookId({ ...job, eventType: 'story.killed' }), webhookId({ ...job, variant: 'es' })]).size).toBe(5);
  });

  it('builds the same body for every attempt: type, the version time, rendered data', async () => {
    const builder = new PayloadBuilder((s) => ({ uri: s.uri, hrefs: s.images.flatMap((i) => i.renditions.map((r) => r.href)) }), (key) => `https://cdn.example/${key}`);
    const a = await builder.body(job, 0);
    const b = await builder.body(job, 999);
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({ type: 'story.updated', timestamp: '2026-11-28T01:02:03.000Z', data: { uri: story.uri, hrefs: ['https://cdn.example/media/abc-thumb.jpg'] } });
  });

  it('renders a version once for a fan-out whose jobs all arrive before the first is sent', async () => {
    let renders = 0;
    const builder = new PayloadBuilder((s) => {
      renders++;
      return { uri: s.uri };
    });
    const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => builder.body({ ...job, partnerId: `p${i}` }, 0)));
    expect(new Set(bodies).size).toBe(1);
    expect(renders).toBe(1);
    expect(builder.cached({ ...job, partnerId: 'other' })).toBe(bodies[0]);
  });

  it('leaves hrefs alone without a media URL maker', async () => {
    expect(await withRenditionHrefs(story, undefined)).toBe(story);
  });
});
