import { WireError } from '@wire/schema';

/**
 * The catalogue of @wire/webhooks errors. Every code is stable; branch on `code`, never on text.
 */
export const WebhookErrorCodes = {
  /** A signing secret that is not `whsec_<base64>` of 24–64 bytes. */
  SECRET_FORMAT: 'WIRE_ERR_WEBHOOK_SECRET_FORMAT',
  /** A message id or timestamp that could forge another signed message (contains `.`). */
  SIGN_INPUT: 'WIRE_ERR_WEBHOOK_SIGN_INPUT',
  /** The partner URL is not an absolute http(s) URL. */
  URL: 'WIRE_ERR_WEBHOOK_URL',
  /** The network guard refused the partner host (before the request or at connect): permanent, dead-lettered. */
  SSRF_BLOCKED: 'WIRE_ERR_WEBHOOK_SSRF_BLOCKED',
  /** The partner host did not resolve. */
  DNS: 'WIRE_ERR_WEBHOOK_DNS',
  /** No complete response within the delivery timeout. */
  TIMEOUT: 'WIRE_ERR_WEBHOOK_TIMEOUT',
  /** Connection refused, reset or closed before a response. */
  NETWORK: 'WIRE_ERR_WEBHOOK_NETWORK',
} as const;
export type WebhookErrorCode = (typeof WebhookErrorCodes)[keyof typeof WebhookErrorCodes];

/** What each code means, for docs and the catalogue test. */
export const WebhookErrorDocs: Record<WebhookErrorCode, string> = {
  WIRE_ERR_WEBHOOK_SECRET_FORMAT: 'signing secret must be whsec_ followed by base64 of 24 to 64 random bytes',
  WIRE_ERR_WEBHOOK_SIGN_INPUT: 'webhook id and timestamp must not contain "." (it delimits the signed content)',
  WIRE_ERR_WEBHOOK_URL: 'partner URL must be an absolute http: or https: URL',
  WIRE_ERR_WEBHOOK_SSRF_BLOCKED: 'the network guard refused the partner host (before the request or at connect): a metadata name, or a private, loopback, link-local, reserved or other non-public address WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS does not open; dead-lettered, not retried',
  WIRE_ERR_WEBHOOK_DNS: 'partner host name did not resolve',
  WIRE_ERR_WEBHOOK_TIMEOUT: 'partner sent no complete response within the delivery timeout',
  WIRE_ERR_WEBHOOK_NETWORK: 'connection to the partner failed before a response',
};

/** A typed @wire/webhooks error. */
export class WebhookError extends WireError {
  constructor(code: WebhookErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'WebhookError';
  }
}

/** Codes the delivery worker records on dead letters and log entries (besides the ones above). */
export const DeliveryErrorCodes = {
  /** The partner answered 410 Gone: the endpoint is disabled. */
  GONE: 'WIRE_ERR_DELIVERY_GONE',
  /** The partner answered a 4xx (other than 408, 410, 429): retrying cannot help. */
  REJECTED: 'WIRE_ERR_DELIVERY_REJECTED',
  /** The partner answered a redirect; redirects are not followed (update the URL). */
  REDIRECT: 'WIRE_ERR_DELIVERY_REDIRECT',
  /** 429, 5xx, timeouts or connection failures through the whole retry schedule. */
  EXHAUSTED: 'WIRE_ERR_DELIVERY_EXHAUSTED',
  /** A retryable failure (logged on `retrying` attempts). */
  RETRYABLE: 'WIRE_ERR_DELIVERY_RETRYABLE',
  /** The partner is disabled; the job waits in dead letters for a replay after re-enabling. */
  PARTNER_DISABLED: 'WIRE_ERR_PARTNER_DISABLED',
  /** The partner was deleted; the job is dropped. */
  PARTNER_GONE: 'WIRE_ERR_PARTNER_GONE',
  /** The delivery failed in our own code or infrastructure (not the partner's answer); retried, then dead-lettered. */
  FAILED: 'WIRE_ERR_DELIVERY_FAILED',
  /** The job payload does not match the DeliverJob schema. */
  BAD_JOB: 'WIRE_ERR_DELIVERY_BAD_JOB',
} as const;
export type DeliveryErrorCode = (typeof DeliveryErrorCodes)[keyof typeof DeliveryErrorCodes];

export const DeliveryErrorDocs: Record<DeliveryErrorCode, string> = {
  WIRE_ERR_DELIVERY_GONE: 'partner answered 410 Gone; the endpoint was disabled',
  WIRE_ERR_DELIVERY_REJECTED: 'partner answered a 4xx other than 408/410/429; sent to dead letters without retries',
  WIRE_ERR_DELIVERY_REDIRECT: 'partner answered a 3xx; redirects are not followed',
  WIRE_ERR_DELIVERY_EXHAUSTED: 'retry schedule exhausted (429/5xx/timeouts/connection failures)',
  WIRE_ERR_DELIVERY_RETRYABLE: 'retryable failure; another attempt is scheduled',
  WIRE_ERR_PARTNER_DISABLED: 'partner disabled; replay after enabling it',
  WIRE_ERR_PARTNER_GONE: 'partner no longer exists; job dropped',
  WIRE_ERR_DELIVERY_BAD_JOB: 'deliver job payload failed the DeliverJob schema',
  WIRE_ERR_DELIVERY_FAILED: 'failed in the delivery service itself (not the partner\'s answer); retried, dead-lettered when the attempts run out',
};
