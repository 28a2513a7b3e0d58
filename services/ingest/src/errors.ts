import { WireError } from '@wire/schema';

/**
 * Codes the ingest service itself gives dead letters (normalization errors keep their own
 * `WIRE_ERR_*` codes from @wire/normalize).
 */
export const IngestErrorCodes = {
  /** The Kafka value is missing, not JSON, or not a RawWireMessage envelope. */
  BAD_ENVELOPE: 'WIRE_ERR_INGEST_BAD_ENVELOPE',
  /** Normalization succeeded but yielded no story. */
  NO_STORIES: 'WIRE_ERR_INGEST_NO_STORIES',
  /** The normalizer threw instead of returning a result (a bug there; the message is kept). */
  NORMALIZER_CRASHED: 'WIRE_ERR_INGEST_NORMALIZER_CRASHED',
} as const;

export class IngestError extends WireError {
  constructor(code: (typeof IngestErrorCodes)[keyof typeof IngestErrorCodes], message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'IngestError';
  }
}
