import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The catalogue of @wire/webhooks errors. Every code is stable; branch on `code`, never on text.
 */
export const WebhookErrors = defineErrors('WebhookError', {
  SECRET_FORMAT: { code: 'WIRE_ERR_WEBHOOK_SECRET_FORMAT', message: 'signing secret must be whsec_ followed by base64 of 24 to 64 random bytes' },
  SIGN_INPUT: { code: 'WIRE_ERR_WEBHOOK_SIGN_INPUT', message: 'webhook id and timestamp must not contain "." (it delimits the signed content)' },
  URL: { code: 'WIRE_ERR_WEBHOOK_URL', message: 'partner URL must be an absolute http: or https: URL' },
  SSRF_BLOCKED: { code: 'WIRE_ERR_WEBHOOK_SSRF_BLOCKED', message: 'the network guard refused the partner host (before the request or at connect): a metadata name, or a private, loopback, link-local, reserved or other non-public address WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS does not open; dead-lettered, not retried' },
  DNS: { code: 'WIRE_ERR_WEBHOOK_DNS', message: 'partner host name did not resolve', retryable: true },
  TIMEOUT: { code: 'WIRE_ERR_WEBHOOK_TIMEOUT', message: 'partner sent no complete response within the delivery timeout', retryable: true },
  NETWORK: { code: 'WIRE_ERR_WEBHOOK_NETWORK', message: 'connection to the partner failed before a response', retryable: true },
});
export const WebhookErrorCodes = WebhookErrors.codes;
export type WebhookErrorCode = ErrorCodeOf<typeof WebhookErrors>;

/** A typed @wire/webhooks error. */
export const WebhookError = WebhookErrors.Error;
export type WebhookError = InstanceType<typeof WebhookError>;

/** Codes the delivery worker records on dead letters and log entries (besides the ones above). */
export const DeliveryErrors = defineErrors('DeliveryError', {
  GONE: { code: 'WIRE_ERR_DELIVERY_GONE', message: 'partner answered 410 Gone; the endpoint was disabled' },
  REJECTED: { code: 'WIRE_ERR_DELIVERY_REJECTED', message: 'partner answered a 4xx other than 408/410/429; sent to dead letters without retries' },
  REDIRECT: { code: 'WIRE_ERR_DELIVERY_REDIRECT', message: 'partner answered a 3xx; redirects are not followed' },
  EXHAUSTED: { code: 'WIRE_ERR_DELIVERY_EXHAUSTED', message: 'retry schedule exhausted (429/5xx/timeouts/connection failures)' },
  RETRYABLE: { code: 'WIRE_ERR_DELIVERY_RETRYABLE', message: 'retryable failure; another attempt is scheduled', retryable: true },
  PARTNER_DISABLED: { code: 'WIRE_ERR_PARTNER_DISABLED', message: 'partner disabled; replay after enabling it' },
  PARTNER_GONE: { code: 'WIRE_ERR_PARTNER_GONE', message: 'partner no longer exists; job dropped' },
  FAILED: { code: 'WIRE_ERR_DELIVERY_FAILED', message: 'failed in the delivery service itself (not the partner\'s answer); retried, dead-lettered when the attempts run out', retryable: true },
  BAD_JOB: { code: 'WIRE_ERR_DELIVERY_BAD_JOB', message: 'deliver job payload failed the DeliverJob schema' },
});
export const DeliveryErrorCodes = DeliveryErrors.codes;
export type DeliveryErrorCode = ErrorCodeOf<typeof DeliveryErrors>;
