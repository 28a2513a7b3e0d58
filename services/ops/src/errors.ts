import { WireError } from '@wire/schema';

/** The catalogue of ops API errors; each has a stable code and an HTTP status. */
export const OpsErrors = {
  WIRE_ERR_OPS_UNAUTHORIZED: { status: 401, doc: 'missing or wrong bearer token (Authorization: Bearer <OPS_TOKEN>)' },
  WIRE_ERR_OPS_VALIDATION: { status: 400, doc: 'request body or query failed validation; `fields` names each bad field' },
  WIRE_ERR_OPS_NOT_FOUND: { status: 404, doc: 'no such partner, story or dead letter' },
  WIRE_ERR_OPS_CONFLICT: { status: 409, doc: 'the thing already exists (e.g. a partner id)' },
  WIRE_ERR_OPS_UNAVAILABLE: { status: 503, doc: 'the part of the pipeline this route reads is not available' },
  WIRE_ERR_OPS_HOST: { status: 421, doc: 'Host header not allowed' },
  WIRE_ERR_OPS_ORIGIN: { status: 403, doc: 'cross-site request refused' },
} as const;
export type OpsErrorCode = keyof typeof OpsErrors;

export class OpsError extends WireError {
  readonly status: number;
  constructor(code: OpsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'OpsError';
    this.status = OpsErrors[code].status;
  }
}
