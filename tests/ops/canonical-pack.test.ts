import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanonicalStory } from '@wire/schema';
import { filledCanonicalKey } from '@wire/queues';
import { buildCanonicalPack } from '@wire/svc-ingest';
import { testConfig, testS3Client } from '../helpers/env';
import { startOpsStack, type TestStack } from './harness';

let s: TestStack;
const cfg = testConfig();
const s3 = testS3Client(cfg);
let packKey = '';
let filledKey = '';

beforeAll(async () => {
  s = await startOpsStack();
});
afterAll(async () => {
  for (const key of [packKey, filledKey].filter(Boolean)) await s3.send(new DeleteObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key })).catch(() => undefined);
  s3.destroy();
  await s?.close();
});

describe('story view over canonical packs', () => {
  it('reads each version out of the pack ingest wrote for its chunk (Range GET of the event range)', async () => {
    const uri = `urn:wire:yonhap:pack-${s.id}`;
    const version = (v: number, headline: string, words: number) =>
      CanonicalStory.parse({ uri, source: 'yonhap', guid: `pack-${s.id}`, version: v, headline, language: 'en', contentHash: String(v).repeat(64), wordCount: words });
    // Another story between the two versions, as in a real chunk.
    const other = CanonicalStory.parse({ uri: `${uri}-other`, source: 'yonhap', guid: `other-${s.id}`, version: 1, headline: 'Other story', contentHash: 'f'.repeat(64), wordCount: 9 });
    const docs = [version(1, 'Ferry service resumes', 120), other, version(2, 'Ferry service resumes after storm', 180)];
    const pack = buildCanonicalPack(docs.map((d) => JSON.stringify(d)));
    packKey = `${s.id}/canonical/packs/2026/03/02/${pack.sha256}.ndjson`;
    await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: packKey, Body: pack.body, ContentType: 'application/x-ndjson' }));
    for (const [i, kind, type] of [[0, 'new', 'story.new'], [2, 'update', 'story.updated']] as const) {
      const d = docs[i] as CanonicalStory;
      await s.stories.record({
        type,
        uri,
        version: d.version,
        source: 'yonhap',
        headline: d.headline,
        language: 'en',
        decision: { kind, of: null, scores: {}, reasons: [] },
        canonicalKey: packKey,
        canonicalRange: pack.ranges[i],
        at: new Date().toISOString(),
      });
    }

    const res = await s.app.inject({ url: `/api/stories/${encodeURIComponent(uri)}`, headers: s.auth });
    expect(res.statusCode).toBe(200);
    const versions = res.json().versions as Array<{ version: number; canonicalKey: string; story?: { headline: string; wordCount: number } }>;
    expect(versions.map((v) => [v.version, v.canonicalKey, v.story?.headline, v.story?.wordCount])).toEqual([
      [1, packKey, 'Ferry service resumes', 120],
      [2, packKey, 'Ferry service resumes after storm', 180],
    ]);

    // Media-retry stores v2's late image and writes the version again beside the pack (packs are
    // never rewritten): the view shows that copy, with its image, and names where it read it.
    filledKey = filledCanonicalKey({ uri, version: 2, canonicalKey: packKey })!;
    expect(filledKey.startsWith(`${s.id}/canonical/`)).toBe(true);
    const filled = { ...(docs[2] as CanonicalStory), images: [{ caption: 'Ferry at Busan', key: 'media/abc.jpg', renditions: [] }], warnings: ['image 0: stored later by media-retry'] };
    await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: filledKey, Body: JSON.stringify(filled), ContentType: 'application/json' }));
    const after = (await s.app.inject({ url: `/api/stories/${encodeURIComponent(uri)}`, headers: s.auth })).json().versions as Array<{
      version: number;
      canonicalKey: string;
      story?: { images: Array<{ key?: string }>; warnings: string[] };
    }>;
    expect(after.map((v) => [v.version, v.canonicalKey, v.story?.images.map((i) => i.key)])).toEqual([
      [1, packKey, []],
      [2, filledKey, ['media/abc.jpg']],
    ]);
  });
});
