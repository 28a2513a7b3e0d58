import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The catalogue of media errors. `retryable` says whether trying the same image later may
 * succeed (a timeout, a 503) or never will (a blocked host, a file that is not an image).
 */
export const MediaErrors = defineErrors('MediaError', {
  BAD_URL: { code: 'WIRE_ERR_MEDIA_BAD_URL', message: 'the image URL is not an absolute http(s) URL' },
  BLOCKED_HOST: { code: 'WIRE_ERR_MEDIA_BLOCKED_HOST', message: 'the network guard refused the host (before the request or at connect): a metadata name, or a private, loopback, link-local, reserved or other non-public address WIRE_IMAGE_ALLOW_PRIVATE_HOSTS does not open' },
  DNS: { code: 'WIRE_ERR_MEDIA_DNS', message: 'the host name could not be resolved', retryable: true },
  TIMEOUT: { code: 'WIRE_ERR_MEDIA_TIMEOUT', message: 'connecting to or reading from the image host took too long', retryable: true },
  NETWORK: { code: 'WIRE_ERR_MEDIA_NETWORK', message: 'the connection to the image host failed', retryable: true },
  HTTP_STATUS: { code: 'WIRE_ERR_MEDIA_HTTP_STATUS', message: 'the image host answered with a status other than 2xx (5xx and 429 are retryable)' },
  TOO_MANY_REDIRECTS: { code: 'WIRE_ERR_MEDIA_TOO_MANY_REDIRECTS', message: 'the image URL redirected more times than allowed' },
  TOO_LARGE: { code: 'WIRE_ERR_MEDIA_TOO_LARGE', message: 'the image is larger than the byte cap' },
  UNSUPPORTED_TYPE: { code: 'WIRE_ERR_MEDIA_UNSUPPORTED_TYPE', message: 'the bytes are not a JPEG, PNG, GIF, WebP, AVIF or TIFF image' },
  PIXEL_LIMIT: { code: 'WIRE_ERR_MEDIA_PIXEL_LIMIT', message: 'the image has more pixels than allowed (decompression bomb guard)' },
  DECODE: { code: 'WIRE_ERR_MEDIA_DECODE', message: 'the image could not be decoded' },
  EMBEDDED: { code: 'WIRE_ERR_MEDIA_EMBEDDED', message: 'an embedded image is not valid base64 or data URI' },
  STORY_IMAGES: { code: 'WIRE_ERR_MEDIA_STORY_IMAGES', message: 'the story has more images than a story may keep; the later ones are dropped' },
  STORY_BYTES: { code: 'WIRE_ERR_MEDIA_STORY_BYTES', message: "the story's images together are larger than a story may keep; the ones past the cap are dropped" },
});
export type MediaErrorCode = ErrorCodeOf<typeof MediaErrors>;

/** A typed media failure; `retryable` tells the caller whether a retry job is worth queueing. */
export const MediaError = MediaErrors.Error;
export type MediaError = InstanceType<typeof MediaError>;
