import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The catalogue of @wire/netguard errors. A caller maps them onto its own catalogue (an image
 * download's `WIRE_ERR_MEDIA_BLOCKED_HOST`, a delivery's `WIRE_ERR_WEBHOOK_SSRF_BLOCKED`); branch
 * on `code`, never on text.
 */
export const NetGuardErrors = defineErrors('NetGuardError', {
  /** Permanent for that URL. */
  BLOCKED: { code: 'WIRE_ERR_NET_BLOCKED', message: 'the host is a cloud metadata name, or it is or resolves to a loopback, private, link-local, reserved or other non-public address the allow list does not open' },
  DNS: { code: 'WIRE_ERR_NET_DNS', message: 'the host name did not resolve to any address', retryable: true },
  ALLOW_ENTRY: { code: 'WIRE_ERR_NET_ALLOW_ENTRY', message: 'an allow-list entry is not a host name, an IP address or a CIDR, or names a metadata service' },
});
export const NetGuardErrorCodes = NetGuardErrors.codes;
export type NetGuardErrorCode = ErrorCodeOf<typeof NetGuardErrors>;

/** A typed @wire/netguard error; `details.at` says whether it came from the pre-flight check or the connect-time lookup. */
export const NetGuardError = NetGuardErrors.Error;
export type NetGuardError = InstanceType<typeof NetGuardError>;

/** The NetGuardError in `err` or its `cause` chain (HTTP clients may wrap a lookup's error), else undefined. */
export function findNetGuardError(err: unknown): NetGuardError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NetGuardError) return e;
  }
  return undefined;
}
