/**
 * @wire/media — images for the pipeline: downloads behind the network guard (@wire/netguard),
 * embedded images, content-addressed storage with renditions, a `MediaStore`
 * interface with its S3 implementation.
 */
export { MediaError, MediaErrors, type MediaErrorCode } from './errors';
export { sniffImageType, type SniffedType } from './sniff';
export { createImageFetcher, DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchedImage, type ImageFetcher, type ImageFetcherOptions } from './fetch-image';
export { decodeEmbeddedImage } from './embedded';
export { renderImage, DEFAULT_RENDITIONS, DEFAULT_MAX_INPUT_PIXELS, type RenditionSpec, type RenderedImage } from './renditions';
export { type MediaStore, type ObjectRange, type PutOptions, type StoredObjectInfo, sliceRange, S3MediaStore, MemoryMediaStore } from './media-store';
export { storeImage, mediaKey, type StoredImage, type StoreImageOptions } from './store-image';
export { createMediaProcessor, applyStored, type MediaProcessor, type MediaProcessorDeps, type StoryMediaResult, type ImageFailure } from './story-media';
