import { defineErrors } from '@wire/schema';

/**
 * Codes the ingest service itself gives dead letters (normalization errors keep their own
 * `WIRE_ERR_*` codes from @wire/normalize).
 */
export const IngestErrors = defineErrors('IngestError', {
  BAD_ENVELOPE: { code: 'WIRE_ERR_INGEST_BAD_ENVELOPE', message: 'the Kafka value is missing, not JSON, or not a RawWireMessage envelope' },
  NO_STORIES: { code: 'WIRE_ERR_INGEST_NO_STORIES', message: 'normalization succeeded but yielded no story' },
  NORMALIZER_CRASHED: { code: 'WIRE_ERR_INGEST_NORMALIZER_CRASHED', message: 'the normalizer threw instead of returning a result (a bug there; the message is kept)' },
  RAW_TOO_LARGE: { code: 'WIRE_ERR_INGEST_RAW_TOO_LARGE', message: 'the Kafka record value is larger than INGEST_MAX_RAW_BYTES' },
  RECORD_TOO_LARGE: { code: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE', message: 'a record the message would produce (canonical JSON, event) is larger than INGEST_MAX_RECORD_BYTES' },
  NORMALIZE_TIMEOUT: { code: 'WIRE_ERR_INGEST_NORMALIZE_TIMEOUT', message: 'normalizing the document took longer than INGEST_NORMALIZE_TIMEOUT_MS (its thread was stopped)' },
  NORMALIZE_MEMORY: { code: 'WIRE_ERR_INGEST_NORMALIZE_MEMORY', message: 'normalizing the document ran its thread out of its heap budget (INGEST_NORMALIZE_MAX_HEAP_MB), twice' },
  NORMALIZE_THREAD_DIED: { code: 'WIRE_ERR_INGEST_NORMALIZE_THREAD_DIED', message: 'the normalize thread died on the document, twice, for another reason than memory' },
  POISON: {
    code: 'WIRE_ERR_INGEST_POISON',
    message: 'the message failed on its own, every attempt, with the infrastructure answering',
    doc: 'found by bisecting a chunk that could not be committed; the reason names the last failure',
  },
  THREAD_START: { code: 'WIRE_ERR_INGEST_THREAD_START', message: 'a worker thread (normalize) did not start: infrastructure, the chunk is retried', retryable: true },
});
export const IngestErrorCodes = IngestErrors.codes;

export const IngestError = IngestErrors.Error;
export type IngestError = InstanceType<typeof IngestError>;
