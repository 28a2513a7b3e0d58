import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StoryImage } from '@wire/schema';
import { filledCanonicalKey } from '@wire/queues';
import { MEDIA_CSP } from '../browser-guard';
import { OpsError } from '../errors';
import type { DeliveryAdmin, DeliveryRecord, ObjectReader } from '../ports';
import type { StoryIndex } from '../story-index';
import { parseOr400 } from '../validation';

const StoriesQuery = z.object({
  limit: z.coerce.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').max(500, 'at most 500').default(50),
});

/** Deliveries grouped by partner, newest attempt last. */
function byPartner(records: DeliveryRecord[]): Record<string, DeliveryRecord[]> {
  const out: Record<string, DeliveryRecord[]> = {};
  for (const r of [...records].sort((a, b) => a.at.localeCompare(b.at))) (out[r.partnerId] ??= []).push(r);
  return out;
}

/** The image as the story view shows it, with a thumbnail served by `/api/media/…`. */
function imageView(img: StoryImage): Record<string, unknown> {
  const thumb = img.renditions.find((r) => /thumb/i.test(r.name)) ?? img.renditions[0];
  const key = thumb?.key ?? img.key;
  return {
    caption: img.caption,
    credit: img.credit,
    key: img.key,
    width: img.width,
    height: img.height,
    renditions: img.renditions.map((r) => ({ name: r.name, key: r.key, width: r.width, height: r.height, contentType: r.contentType })),
    thumbnail: key ? `/api/media/${key}` : undefined,
  };
}

export interface StoryRouteDeps {
  stories: StoryIndex;
  deliveries?: DeliveryAdmin;
  objects?: ObjectReader;
}

/** Story lookup: the latest stories, and one story with all versions, dedupe links, images and deliveries. */
export function storyRoutes(app: FastifyInstance, deps: StoryRouteDeps): void {
  app.get('/api/stories', async (req) => {
    const { limit } = parseOr400(StoriesQuery, req.query, 'query');
    const latest = await deps.stories.recentStories(limit);
    // Where each went: the latest outcome per partner for that version (duplicates went nowhere).
    const destinations = await Promise.all(
      latest.map(async (ev) => {
        if (!deps.deliveries || ev.decision.kind === 'duplicate' || ev.decision.kind === 'stale') return [];
        const grouped = byPartner((await deps.deliveries.list({ story: ev.uri, limit: 200 })).filter((d) => d.version === undefined || d.version === ev.version));
        return Object.entries(grouped).map(([partner, list]) => ({ partner, status: list[list.length - 1]!.status, attempts: list.length }));
      }),
    );
    return {
      stories: latest.map((ev, i) => ({
        uri: ev.uri,
        version: ev.version,
        headline: ev.headline,
        source: ev.source,
        language: ev.language,
        event: ev.type,
        decision: ev.decision,
        at: ev.at,
        destinations: destinations[i],
      })),
    };
  });

  // A wildcard: story uris hold ':' and may hold '/', so clients send them URL-encoded.
  app.get<{ Params: { '*': string } }>('/api/stories/*', async (req) => {
    const uri = decodeURIComponent(req.params['*']);
    const story = await deps.stories.get(uri);
    if (!story) throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `story "${uri}" not found in the index`, { uri });
    const versions = await Promise.all(
      story.events.map(async (ev) => {
        // The copy media-retry wrote once a late image was stored, else the version in its pack.
        const filledKey = filledCanonicalKey(ev);
        const filled = filledKey && deps.objects ? await deps.objects.canonical(filledKey).catch(() => undefined) : undefined;
        const canonical = filled ?? (ev.canonicalKey && deps.objects ? await deps.objects.canonical(ev.canonicalKey, ev.canonicalRange).catch(() => undefined) : undefined);
        return {
          version: ev.version,
          event: ev.type,
          decision: ev.decision,
          headline: ev.headline,
          language: ev.language,
          source: ev.source,
          at: ev.at,
          receivedAt: ev.receivedAt,
          canonicalKey: filled ? filledKey : ev.canonicalKey,
          canonicalRange: filled ? undefined : ev.canonicalRange,
          story: canonical
            ? {
                headline: canonical.headline,
                bylines: canonical.bylines,
                language: canonical.language,
                pubStatus: canonical.pubStatus,
                wordCount: canonical.wordCount,
                format: canonical.format,
                warnings: canonical.warnings,
                images: canonical.images.map(imageView),
              }
            : undefined,
        };
      }),
    );
    const deliveries = deps.deliveries ? byPartner(await deps.deliveries.list({ story: uri, limit: 1000 })) : undefined;
    const latest = story.events[story.events.length - 1];
    return {
      uri,
      headline: latest?.headline,
      source: latest?.source,
      versions,
      dedupe: {
        /** What this story was decided against (the `of` of each of its decisions). */
        decidedAgainst: story.events.filter((e) => e.decision.of).map((e) => ({ version: e.version, kind: e.decision.kind, of: e.decision.of, scores: e.decision.scores, reasons: e.decision.reasons })),
        /** Other stories decided against this one (duplicates of it, …). */
        linkedFrom: story.linkedFrom,
      },
      deliveries,
    };
  });

  app.get<{ Params: { '*': string } }>('/api/media/*', async (req, reply) => {
    const key = req.params['*'];
    if (!/^([A-Za-z0-9._-]+\/)*media\/[A-Za-z0-9._\-/]+$/.test(key) || key.includes('..')) {
      throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `"${key}" is not a media key`, { key });
    }
    if (!deps.objects) throw new OpsError('WIRE_ERR_OPS_UNAVAILABLE', 'S3 is not configured');
    const obj = await deps.objects.object(key);
    if (!obj) throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `media "${key}" not found`, { key });
    return reply.header('content-type', obj.contentType).header('cache-control', 'private, max-age=3600').header('content-security-policy', MEDIA_CSP).send(obj.body);
  });
}
