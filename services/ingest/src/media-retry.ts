import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { applyStored, MediaError, storeImage, type ImageFetcher, type MediaStore } from '@wire/media';
import type { Logger } from '@wire/observability';
import { MediaRetryJob, Queues, mediaRetryJobId } from '@wire/queues';
import { CanonicalStory } from '@wire/schema';
import { canonicalKey } from './keys';
import type { OutRecord } from './pipeline';
import type { MediaRetryQueue } from './ports';

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
  /** Produce one record (idempotent producer). */
  publish: (record: OutRecord) => Promise<void>;
  log: Logger;
  concurrency?: number;
}

/**
 * Fill in an image that could not be fetched at ingest: read the version's canonical JSON (from
 * the version's own object if an earlier retry wrote one, else its byte range in the chunk's
 * canonical pack), fetch and store the image, write the version with the image to its own object
 * `canonical/{sha256(uri)}/v{n}.json` (packs are never rewritten), and re-publish it on
 * `stories.canonical` (the compacted topic keeps the filled-in copy). An image that can never be fetched (blocked host,
 * not an image) ends the job at once; timeouts and 5xx are retried with backoff.
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
    if (image.key) return 'already stored';
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
    const value = JSON.stringify(story);
    await deps.store.put(key, value, { contentType: 'application/json' });
    await deps.publish({
      topic: deps.canonicalTopic,
      key: story.uri,
      value,
      headers: { 'wire-version': String(story.version), 'wire-media-filled': String(imageIndex), 'content-type': 'application/json' },
    });
    log.info({ storyUri, version, imageIndex, key: stored.key }, 'image filled in');
    return stored.key;
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
