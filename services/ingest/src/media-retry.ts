import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { applyStored, MediaError, storeImage, type ImageFetcher, type MediaStore } from '@wire/media';
import type { Logger } from '@wire/observability';
import { MediaRetryJob, Queues, mediaRetryJobId } from '@wire/queues';
import { CanonicalStory } from '@wire/schema';
import { canonicalKey } from './keys';
import type { OutRecord } from './pipeline';
import type { MediaRetryQueue, StoryVersions } from './ports';

/** True when `standing` says version `n` is the story's latest and the story is not killed. */
function isLatest(standing: { version: number; killed: boolean } | null, n: number): boolean {
  return standing !== null && standing.version === n && !standing.killed;
}

/** `media-retry` jobs: deterministic ids, a handful of attempts with growing waits. */
export function createMediaRetryQueue(queue: Queue): MediaRetryQueue {
  return {
    async enqueue(jobs) {
      await queue.addBulk(
        jobs.map((data) => {
          const jobId = mediaRetryJobId(data.storyUri, data.version, data.imageIndex);
          return {
            name: 'media-retry',
            data,
            opts: { jobId, attempts: 6, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 30 * 86_400 } },
          };
        }),
      );
    },
  };
}

export interface MediaRetryWorkerDeps {
  connection: ConnectionOptions;
  prefix?: string;
  queueName?: string;
  store: MediaStore;
  fetcher: ImageFetcher;
  /** S3 key prefix, as ingest's. */
  keyPrefix?: string;
  maxInputPixels?: number;
  canonicalTopic: string;
  /** Where each story stands in the dedupe log: a filled copy is re-published only for the latest, un-killed version. */
  versions: StoryVersions;
  /** Produce one record (idempotent producer). */
  publish: (record: OutRecord) => Promise<void>;
  log: Logger;
  concurrency?: number;
}

/**
 * Fill in an image that could not be fetched at ingest: read the version's canonical JSON (from
 * the version's own object if an earlier retry wrote one, else its byte range in the chunk's
 * canonical pack), fetch and store the image, write the version with the image to its own object
 * `canonical/{sha256(uri)}/v{n}.json` (packs are never rewritten; the ops story view reads it),
 * and re-publish it on `stories.canonical` — only while version n is still the story's latest
 * and the story is not killed. The topic is compacted to the last record per uri: a filled copy
 * of v1 published after v2 or after the kill would roll the story back there. An image that can
 * never be fetched (blocked host, not an image) ends the job at once; timeouts and 5xx are
 * retried with backoff.
 *
 * Where the story stands comes from the dedupe log (`StoryVersions.latestOf`, the decider's
 * replica read up to date from Redis), asked right before the publish. Ingest appends a version
 * to that log before it publishes the version's record, so a version decided before the question
 * holds the filled copy back. The race left: a version decided *after* the question whose record
 * lands before the filled copy's — ingest would have to decide, PUT the chunk's canonical pack,
 * enqueue its jobs and commit its transaction within the one produce round trip of the filled
 * copy. Acceptable: the window is that round trip, the cost is the compacted topic showing the
 * older version with its image until the story's next version (partners are served from the
 * deliver queue and its gate, the ops view from `stories.events`, neither from this topic), and
 * the worker asks again after the publish and logs `filled copy raced a newer version` with the
 * uri when the story moved on meanwhile, so the rare case is seen, not silent.
 */
export function createMediaRetryWorker(deps: MediaRetryWorkerDeps): Worker {
  const log = deps.log;
  async function process(job: Job): Promise<string> {
    const parsed = MediaRetryJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`media-retry job ${job.id}: bad payload (${parsed.error.issues[0]?.message})`);
    const { storyUri, version, imageIndex, sourceUrl } = parsed.data;
    const key = canonicalKey(storyUri, version, deps.keyPrefix ?? '');
    // Another image of the same version may have been filled in already: start from that copy.
    const raw = (await deps.store.get(key)) ?? (parsed.data.canonicalKey ? await deps.store.get(parsed.data.canonicalKey, parsed.data.canonicalRange) : null);
    if (!raw) throw new UnrecoverableError(`media-retry ${storyUri} v${version}: canonical JSON not found (${parsed.data.canonicalKey ?? key})`);
    const story = CanonicalStory.parse(JSON.parse(raw.toString('utf8')));
    const image = story.images[imageIndex];
    if (!image) throw new UnrecoverableError(`media-retry ${storyUri} v${version}: no image ${imageIndex}`);
    let value: string;
    if (image.key) {
      // An earlier attempt of this job stored the image and wrote the copy, then failed before
      // (or while) publishing it: publish that copy.
      value = raw.toString('utf8');
    } else {
      let fetched;
      try {
        fetched = await deps.fetcher.fetch(sourceUrl);
      } catch (err) {
        if (err instanceof MediaError && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      }
      const stored = await storeImage(deps.store, fetched.bytes, fetched.type, { keyPrefix: deps.keyPrefix, maxInputPixels: deps.maxInputPixels }).catch((err: unknown) => {
        if (err instanceof MediaError) throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      });
      story.images[imageIndex] = applyStored(image, stored);
      story.warnings = [...story.warnings, `image ${imageIndex}: stored later by media-retry`];
      value = JSON.stringify(story);
      await deps.store.put(key, value, { contentType: 'application/json' });
    }
    const imageKey = story.images[imageIndex]?.key as string;
    const before = await deps.versions.latestOf(storyUri);
    if (!isLatest(before, version)) {
      // Not an error: the story moved on (or the log no longer knows it); the S3 copy stays for the ops view.
      log.info({ storyUri, version, imageIndex, key: imageKey, latest: before }, 'image filled in; not re-published, the story has a newer version or was killed');
      return `${imageKey} (not re-published)`;
    }
    await deps.publish({
      topic: deps.canonicalTopic,
      key: story.uri,
      value,
      headers: { 'wire-version': String(story.version), 'wire-media-filled': String(imageIndex), 'content-type': 'application/json' },
    });
    const after = await deps.versions.latestOf(storyUri).catch(() => before);
    if (!isLatest(after, version)) log.warn({ storyUri, version, imageIndex, latest: after }, 'filled copy raced a newer version: stories.canonical may end on it until the next version');
    else log.info({ storyUri, version, imageIndex, key: imageKey }, 'image filled in');
    return imageKey;
  }
  const worker = new Worker(deps.queueName ?? Queues.mediaRetry, process, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 4,
  });
  worker.on('failed', (job, err) => log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'media-retry attempt failed'));
  worker.on('error', (err) => log.error({ err }, 'media-retry worker error'));
  return worker;
}
