import { defineErrors } from '@wire/schema';

/** The catalogue of ops API errors; each has a stable code and the HTTP status it answers with. */
export const OpsErrors = defineErrors('OpsError', {
  UNAUTHORIZED: { code: 'WIRE_ERR_OPS_UNAUTHORIZED', status: 401, message: 'missing or wrong bearer token (Authorization: Bearer <OPS_TOKEN>)' },
  VALIDATION: { code: 'WIRE_ERR_OPS_VALIDATION', status: 400, message: 'request body or query failed validation; `fields` names each bad field' },
  NOT_FOUND: { code: 'WIRE_ERR_OPS_NOT_FOUND', status: 404, message: 'no such partner, story or dead letter' },
  CONFLICT: { code: 'WIRE_ERR_OPS_CONFLICT', status: 409, message: 'the thing already exists (e.g. a partner id)' },
  UNAVAILABLE: { code: 'WIRE_ERR_OPS_UNAVAILABLE', status: 503, message: 'the part of the pipeline this route reads is not available' },
  HOST: { code: 'WIRE_ERR_OPS_HOST', status: 421, message: 'Host header not allowed' },
  ORIGIN: { code: 'WIRE_ERR_OPS_ORIGIN', status: 403, message: 'cross-site request refused' },
});

export class OpsError extends OpsErrors.Error {
  /** The HTTP status the API answers with. */
  get status(): number {
    return OpsErrors.spec(this.code).status;
  }
}
