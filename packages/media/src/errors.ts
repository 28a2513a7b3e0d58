import { WireError } from '@wire/schema';

/**
 * The catalogue of media errors. `retryable` says whether trying the same image later may
 * succeed (a timeout, a 503) or never will (a blocked host, a file that is not an image).
 */
export const MediaErrorCodes = {
  WIRE_ERR_MEDIA_BAD_URL: { retryable: false, doc: 'the image URL is not an absolute http(s) URL' },
  WIRE_ERR_MEDIA_BLOCKED_HOST: { retryable: false, doc: 'the network guard refused the host (before the request or at connect): a metadata name, or a private, loopback, link-local, reserved or other non-public address WIRE_IMAGE_ALLOW_PRIVATE_HOSTS does not open' },
  WIRE_ERR_MEDIA_DNS: { retryable: true, doc: 'the host name could not be resolved' },
  WIRE_ERR_MEDIA_TIMEOUT: { retryable: true, doc: 'connecting to or reading from the image host took too long' },
  WIRE_ERR_MEDIA_NETWORK: { retryable: true, doc: 'the connection to the image host failed' },
  WIRE_ERR_MEDIA_HTTP_STATUS: { retryable: false, doc: 'the image host answered with a status other than 2xx (5xx and 429 are retryable)' },
  WIRE_ERR_MEDIA_TOO_MANY_REDIRECTS: { retryable: false, doc: 'the image URL redirected more times than allowed' },
  WIRE_ERR_MEDIA_TOO_LARGE: { retryable: false, doc: 'the image is larger than the byte cap' },
  WIRE_ERR_MEDIA_UNSUPPORTED_TYPE: { retryable: false, doc: 'the bytes are not a JPEG, PNG, GIF, WebP, AVIF or TIFF image' },
  WIRE_ERR_MEDIA_PIXEL_LIMIT: { retryable: false, doc: 'the image has more pixels than allowed (decompression bomb guard)' },
  WIRE_ERR_MEDIA_DECODE: { retryable: false, doc: 'the image could not be decoded' },
  WIRE_ERR_MEDIA_EMBEDDED: { retryable: false, doc: 'an embedded image is not valid base64 or data URI' },
  WIRE_ERR_MEDIA_STORY_IMAGES: { retryable: false, doc: 'the story has more images than a story may keep; the later ones are dropped' },
  WIRE_ERR_MEDIA_STORY_BYTES: { retryable: false, doc: "the story's images together are larger than a story may keep; the ones past the cap are dropped" },
} as const;
export type MediaErrorCode = keyof typeof MediaErrorCodes;

/** A typed media failure; `retryable` tells the caller whether a retry job is worth queueing. */
export class MediaError extends WireError {
  readonly retryable: boolean;
  constructor(code: MediaErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown; retryable?: boolean }) {
    super(code, message, details, options);
    this.name = 'MediaError';
    this.retryable = options?.retryable ?? MediaErrorCodes[code].retryable;
  }
}
