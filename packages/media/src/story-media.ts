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
  /** Images left out of the story by the per-story caps (`maxImages`, `maxStoryBytes`). */
  dropped: number;
}

export interface MediaProcessorDeps extends StoreImageOptions {
  store: MediaStore;
  fetcher: ImageFetcher;
  /** Byte cap for embedded images (fetched ones are capped by the fetcher). */
  maxEmbeddedBytes?: number;
  /** Images of one story handled at once. */
  concurrency?: number;
  /** Images a story keeps (default: no cap); later ones are dropped from the story with a warning. */
  maxImages?: number;
  /**
   * Bytes of images (originals) a story keeps (default: no cap). Images are taken in story
   * order; one that would take the story past the cap is dropped with a warning, and once the cap
   * is reached the rest are dropped without being fetched.
   */
  maxStoryBytes?: number;
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
  const maxImages = deps.maxImages ?? Number.POSITIVE_INFINITY;
  const maxStoryBytes = deps.maxStoryBytes ?? Number.POSITIVE_INFINITY;

  /** One image, stored; `bytes`: the size of its original (0 when it was not stored now). */
  async function one(image: StoryImage, index: number, out: StoryMediaResult): Promise<{ image: StoryImage; bytes: number; failure?: ImageFailure; warning?: string }> {
    if (image.key && image.renditions.length > 0) return { image, bytes: 0 };
    try {
      if (image.embedded) {
        const { bytes, type } = decodeEmbeddedImage(image.embedded, maxEmbedded);
        const stored = await storeImage(deps.store, bytes, type, deps);
        if (stored.created) out.stored++;
        else out.reused++;
        return { image: applyStored(image, stored), bytes: bytes.length };
      }
      if (image.sourceUrl) {
        const fetched = await deps.fetcher.fetch(image.sourceUrl);
        const stored = await storeImage(deps.store, fetched.bytes, fetched.type, deps);
        if (stored.created) out.stored++;
        else out.reused++;
        return { image: applyStored(image, stored), bytes: fetched.bytes.length };
      }
      return { image, bytes: 0 };
    } catch (err) {
      if (!(err instanceof MediaError)) throw err;
      const { embedded: _embedded, ...rest } = image;
      return {
        image: rest as StoryImage,
        bytes: 0,
        warning: `${err.code}: ${err.message}${err.retryable && image.sourceUrl ? ' (retry queued)' : ''}`,
        failure: err.retryable && image.sourceUrl ? { index, sourceUrl: image.sourceUrl, code: err.code, reason: err.message } : undefined,
      };
    }
  }

  return {
    /**
     * Process the images of one story; see {@link StoryMediaResult}. Images are handled
     * `concurrency` at a time in story order, and kept in story order while the per-story caps
     * allow, so the same story always keeps the same images.
     */
    async processImages(images: readonly StoryImage[]): Promise<StoryMediaResult> {
      const out: StoryMediaResult = { images: [], warnings: [], retry: [], stored: 0, reused: 0, dropped: 0 };
      const taken = images.slice(0, maxImages);
      if (images.length > taken.length) {
        out.dropped += images.length - taken.length;
        out.warnings.push(`images ${taken.length}–${images.length - 1}: WIRE_ERR_MEDIA_STORY_IMAGES: the story has ${images.length} images, at most ${maxImages} are kept`);
      }
      let total = 0;
      for (let start = 0; start < taken.length; start += concurrency) {
        if (total >= maxStoryBytes) {
          out.dropped += taken.length - start;
          out.warnings.push(`images ${start}–${taken.length - 1}: WIRE_ERR_MEDIA_STORY_BYTES: the story's images reached ${maxStoryBytes} bytes; the rest are dropped unfetched`);
          break;
        }
        const window = taken.slice(start, start + concurrency);
        const done = await Promise.all(window.map((image, k) => one(image, start + k, out)));
        for (const [k, r] of done.entries()) {
          const at = out.images.length;
          if (r.bytes > 0 && total + r.bytes > maxStoryBytes) {
            out.dropped++;
            out.warnings.push(`image ${start + k}: WIRE_ERR_MEDIA_STORY_BYTES: ${r.bytes} bytes would take the story's images past ${maxStoryBytes} bytes; dropped`);
            continue;
          }
          total += r.bytes;
          // Warnings and retries name the image's place in the story as kept.
          if (r.warning) out.warnings.push(`image ${at}: ${r.warning}`);
          if (r.failure) out.retry.push({ ...r.failure, index: at });
          out.images.push(r.image);
        }
      }
      return out;
    },
  };
}
export type MediaProcessor = ReturnType<typeof createMediaProcessor>;
