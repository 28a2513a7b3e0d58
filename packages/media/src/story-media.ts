import type { StoryImage } from '@wire/schema';
import { decodeEmbeddedImage } from './embedded';
import { MediaError } from './errors';
import type { ImageFetcher } from './fetch-image';
import type { MediaStore } from './media-store';
import { storeImage, type StoreImageOptions, type StoredImage } from './store-image';

/** An image that could not be fetched now but may be later (a `media-retry` job). */
export interface ImageFailure {
  index: number;
  sourceUrl: string;
  code: string;
  reason: string;
}

export interface StoryMediaResult {
  images: StoryImage[];
  /** One line per image that was dropped or deferred, for the story's `warnings`. */
  warnings: string[];
  /** Images to retry later. */
  retry: ImageFailure[];
  stored: number;
  reused: number;
}

export interface MediaProcessorDeps extends StoreImageOptions {
  store: MediaStore;
  fetcher: ImageFetcher;
  /** Byte cap for embedded images (fetched ones are capped by the fetcher). */
  maxEmbeddedBytes?: number;
  /** Images of one story handled at once. */
  concurrency?: number;
}

/** Copy the stored facts onto the story image; embedded bytes are dropped once stored. */
export function applyStored(image: StoryImage, stored: StoredImage): StoryImage {
  const { embedded: _embedded, ...rest } = image;
  return {
    ...rest,
    key: stored.key,
    sha256: stored.sha256,
    contentType: stored.contentType,
    width: stored.width,
    height: stored.height,
    renditions: stored.renditions,
  };
}

/**
 * Store every image of a story (embedded or by URL) with its renditions. Bad images never hold
 * the story: they become warnings, and fetches that may work later are listed in `retry`.
 * Store (S3) failures are thrown: they are infrastructure, the caller retries the whole step.
 */
export function createMediaProcessor(deps: MediaProcessorDeps) {
  const maxEmbedded = deps.maxEmbeddedBytes ?? 20 * 1024 * 1024;
  const concurrency = Math.max(1, deps.concurrency ?? 4);

  async function one(image: StoryImage, index: number, out: StoryMediaResult): Promise<StoryImage> {
    if (image.key && image.renditions.length > 0) return image;
    try {
      if (image.embedded) {
        const { bytes, type } = decodeEmbeddedImage(image.embedded, maxEmbedded);
        const stored = await storeImage(deps.store, bytes, type, deps);
        if (stored.created) out.stored++;
        else out.reused++;
        return applyStored(image, stored);
      }
      if (image.sourceUrl) {
        const fetched = await deps.fetcher.fetch(image.sourceUrl);
        const stored = await storeImage(deps.store, fetched.bytes, fetched.type, deps);
        if (stored.created) out.stored++;
        else out.reused++;
        return applyStored(image, stored);
      }
      return image;
    } catch (err) {
      if (!(err instanceof MediaError)) throw err;
      out.warnings.push(`image ${index}: ${err.code}: ${err.message}${err.retryable && image.sourceUrl ? ' (retry queued)' : ''}`);
      if (err.retryable && image.sourceUrl) out.retry.push({ index, sourceUrl: image.sourceUrl, code: err.code, reason: err.message });
      const { embedded: _embedded, ...rest } = image;
      return rest as StoryImage;
    }
  }

  return {
    /** Process the images of one story; see {@link StoryMediaResult}. */
    async processImages(images: readonly StoryImage[]): Promise<StoryMediaResult> {
      const out: StoryMediaResult = { images: [], warnings: [], retry: [], stored: 0, reused: 0 };
      const result: StoryImage[] = new Array(images.length);
      let next = 0;
      const workers = Array.from({ length: Math.min(concurrency, images.length) }, async () => {
        while (next < images.length) {
          const i = next++;
          result[i] = await one(images[i] as StoryImage, i, out);
        }
      });
      await Promise.all(workers);
      out.images = result;
      out.retry.sort((a, b) => a.index - b.index);
      return out;
    },
  };
}
export type MediaProcessor = ReturnType<typeof createMediaProcessor>;
