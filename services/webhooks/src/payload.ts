/**
 * The webhook body and id. Body: `{"type","timestamp","data": <ninjs 3.1>}` (CONTRACTS.md); the
 * event timestamp is the version's time, so a retry sends the same bytes. Rendition hrefs are
 * filled in before rendering so partners can fetch the images.
 */
import { createHash } from 'node:crypto';
import type { DeliverJob } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';

/** Renders a canonical story as an IPTC ninjs 3.1 document (`toNinjs` from @wire/normalize). */
export type RenderFn = (story: CanonicalStory) => unknown;
/** Where a partner can fetch a stored object (public base URL + key, or a presigned URL). */
export type MediaUrlFn = (key: string) => string | Promise<string>;

/** `webhook-id`: stable per (partner, story, version, event type[, language]); no `.` in it. */
export function webhookId(job: Pick<DeliverJob, 'partnerId' | 'storyUri' | 'version' | 'eventType' | 'variant'>): string {
  const h = createHash('sha256').update(`${job.partnerId}\n${job.storyUri}\n${job.version}\n${job.eventType}\n${job.variant ?? ''}`);
  return `msg_${h.digest('base64url').slice(0, 32)}`;
}

/** A copy of the story whose renditions all carry an href, where `mediaUrl` can make one. */
export async function withRenditionHrefs(story: CanonicalStory, mediaUrl: MediaUrlFn | undefined): Promise<CanonicalStory> {
  if (!mediaUrl || !story.images.some((img) => img.renditions.some((r) => !r.href))) return story;
  const images = await Promise.all(
    story.images.map(async (img) => ({
      ...img,
      renditions: await Promise.all(img.renditions.map(async (r) => (r.href ? r : { ...r, href: await mediaUrl(r.key) }))),
    })),
  );
  return { ...story, images };
}

/**
 * Builds bodies, caching the last few hundred: one story version goes to many partners with the
 * same bytes, so it is rendered once.
 */
export class PayloadBuilder {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly render: RenderFn,
    private readonly mediaUrl?: MediaUrlFn,
    private readonly cacheSize = 500,
  ) {}

  /** The body when it is cached (no rendering, no promise): the common case of a fan-out. */
  cached(job: DeliverJob): string | undefined {
    return this.cache.get(this.key(job));
  }

  async body(job: DeliverJob, jobTimestampMs: number): Promise<string> {
    const s = job.story;
    const key = this.key(job);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const story = await withRenditionHrefs(s, this.mediaUrl);
    const timestamp = s.versionCreated && Number.isFinite(Date.parse(s.versionCreated)) ? new Date(s.versionCreated).toISOString() : new Date(jobTimestampMs).toISOString();
    const body = JSON.stringify({ type: job.eventType, timestamp, data: this.render(story) });
    // Presigned URLs expire, so bodies carrying them are not cached.
    if (!this.mediaUrl || story === s) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, body);
    }
    return body;
  }

  private key(job: DeliverJob): string {
    const s = job.story;
    return `${job.storyUri}\n${s.uri}\n${s.version}\n${s.contentHash}\n${s.language ?? ''}\n${job.eventType}`;
  }
}
