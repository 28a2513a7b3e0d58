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
  /** The Kafka record value is larger than `INGEST_MAX_RAW_BYTES`. */
  RAW_TOO_LARGE: 'WIRE_ERR_INGEST_RAW_TOO_LARGE',
  /** A record the message would produce (canonical JSON, event) is larger than `INGEST_MAX_RECORD_BYTES`. */
  RECORD_TOO_LARGE: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE',
  /** Normalizing the document took longer than `INGEST_NORMALIZE_TIMEOUT_MS` (its thread was stopped). */
  NORMALIZE_TIMEOUT: 'WIRE_ERR_INGEST_NORMALIZE_TIMEOUT',
  /** Normalizing the document ran its thread out of its heap budget (`INGEST_NORMALIZE_MAX_HEAP_MB`), twice. */
  NORMALIZE_MEMORY: 'WIRE_ERR_INGEST_NORMALIZE_MEMORY',
  /** The normalize thread died on the document, twice, for another reason than memory. */
  NORMALIZE_THREAD_DIED: 'WIRE_ERR_INGEST_NORMALIZE_THREAD_DIED',
  /**
   * The message failed on its own, every attempt, with the infrastructure answering: found by
   * bisecting a chunk that could not be committed (the reason names the last failure).
   */
  POISON: 'WIRE_ERR_INGEST_POISON',
  /** A worker thread (normalize) did not start: infrastructure, the chunk is retried. */
  THREAD_START: 'WIRE_ERR_INGEST_THREAD_START',
} as const;
export type IngestErrorCode = (typeof IngestErrorCodes)[keyof typeof IngestErrorCodes];

export class IngestError extends WireError {
  constructor(code: IngestErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'IngestError';
  }
}
