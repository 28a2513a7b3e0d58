/**
 * The webhook body and id. Body: `{"type","timestamp","data": <ninjs 3.1>}` (CONTRACTS.md); the
 * event timestamp is the version's time, so a retry sends the same bytes. Rendition hrefs are
 * filled in before rendering so partners can fetch the images.
 */
import { hash } from 'node:crypto';
import type { DeliverJob } from '@wire/queues';
import type { CanonicalStory } from '@wire/schema';

/** Renders a canonical story as an IPTC ninjs 3.1 document (`toNinjs` from @wire/normalize). */
export type RenderFn = (story: CanonicalStory) => unknown;
/** Where a partner can fetch a stored object (public base URL + key, or a presigned URL). */
export type MediaUrlFn = (key: string) => string | Promise<string>;

/** `webhook-id`: stable per (partner, story, version, event type[, language]); no `.` in it. */
export function webhookId(job: Pick<DeliverJob, 'partnerId' | 'storyUri' | 'version' | 'eventType' | 'variant'>): string {
  // One-shot crypto.hash (no Hash object per job): the same bytes as createHash().update().digest().
  return `msg_${hash('sha256', `${job.partnerId}\n${job.storyUri}\n${job.version}\n${job.eventType}\n${job.variant ?? ''}`, 'base64url').slice(0, 32)}`;
}

/** True when `mediaUrl` has hrefs to fill in: some rendition has none. */
function lacksHrefs(story: CanonicalStory, mediaUrl: MediaUrlFn | undefined): mediaUrl is MediaUrlFn {
  return mediaUrl !== undefined && story.images.some((img) => img.renditions.some((r) => !r.href));
}

/** A copy of the story whose renditions all carry an href, where `mediaUrl` can make one. */
export async function withRenditionHrefs(story: CanonicalStory, mediaUrl: MediaUrlFn | undefined): Promise<CanonicalStory> {
  if (!lacksHrefs(story, mediaUrl)) return story;
  const images = await Promise.all(
    story.images.map(async (img) => ({
      ...img,
      renditions: await Promise.all(img.renditions.map(async (r) => (r.href ? r : { ...r, href: await mediaUrl(r.key) }))),
    })),
  );
  return { ...story, images };
}

/**
 * Builds bodies, caching the last two thousand: one story version goes to many partners with the
 * same bytes, so it is rendered once.
 */
export class PayloadBuilder {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly render: RenderFn,
    private readonly mediaUrl?: MediaUrlFn,
    private readonly cacheSize = 2_000,
  ) {}

  /** The body when it is cached (no rendering, no promise): the common case of a fan-out. */
  cached(job: DeliverJob): string | undefined {
    return this.cache.get(this.key(job));
  }

  async body(job: DeliverJob, jobTimestampMs: number): Promise<string> {
    const key = this.key(job);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const s = job.story;
    if (lacksHrefs(s, this.mediaUrl)) {
      // Presigned URLs expire, so bodies carrying filled-in hrefs are built per call, not cached.
      return this.build(job, await withRenditionHrefs(s, this.mediaUrl), jobTimestampMs);
    }
    // Built and cached without awaiting anything: the other jobs of the fan-out, fetched while
    // this one is in flight, find the body instead of rendering it again each.
    const body = this.build(job, s, jobTimestampMs);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, body);
    return body;
  }

  private build(job: DeliverJob, story: CanonicalStory, jobTimestampMs: number): string {
    const v = story.versionCreated;
    const timestamp = v && Number.isFinite(Date.parse(v)) ? new Date(v).toISOString() : new Date(jobTimestampMs).toISOString();
    return JSON.stringify({ type: job.eventType, timestamp, data: this.render(story) });
  }

  private key(job: DeliverJob): string {
    const s = job.story;
    return `${job.storyUri}\n${s.uri}\n${s.version}\n${s.contentHash}\n${s.language ?? ''}\n${job.eventType}`;
  }
}
