import { WireError } from '@wire/schema';

/**
 * The catalogue of @wire/netguard errors. A caller maps them onto its own catalogue (an image
 * download's `WIRE_ERR_MEDIA_BLOCKED_HOST`, a delivery's `WIRE_ERR_WEBHOOK_SSRF_BLOCKED`); branch
 * on `code`, never on text.
 */
export const NetGuardErrorCodes = {
  /** The host or an address it resolves to may not be reached: permanent for that URL. */
  BLOCKED: 'WIRE_ERR_NET_BLOCKED',
  /** The host name did not resolve (may resolve later). */
  DNS: 'WIRE_ERR_NET_DNS',
  /** An allow-list entry is neither a host name, an IP address nor a CIDR, or names what can never be allowed. */
  ALLOW_ENTRY: 'WIRE_ERR_NET_ALLOW_ENTRY',
} as const;
export type NetGuardErrorCode = (typeof NetGuardErrorCodes)[keyof typeof NetGuardErrorCodes];

/** What each code means, for docs and the catalogue test. */
export const NetGuardErrorDocs: Record<NetGuardErrorCode, string> = {
  WIRE_ERR_NET_BLOCKED: 'the host is a cloud metadata name, or it is or resolves to a loopback, private, link-local, reserved or other non-public address the allow list does not open',
  WIRE_ERR_NET_DNS: 'the host name did not resolve to any address',
  WIRE_ERR_NET_ALLOW_ENTRY: 'an allow-list entry is not a host name, an IP address or a CIDR, or names a metadata service',
};

/** A typed @wire/netguard error; `at` says whether it came from the pre-flight check or the connect-time lookup. */
export class NetGuardError extends WireError {
  constructor(code: NetGuardErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'NetGuardError';
  }
}

/** The NetGuardError in `err` or its `cause` chain (HTTP clients may wrap a lookup's error), else undefined. */
export function findNetGuardError(err: unknown): NetGuardError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof NetGuardError) return e;
  }
  return undefined;
}
