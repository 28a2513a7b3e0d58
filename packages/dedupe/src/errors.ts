import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * The dedupe error catalogue. Expected outcomes (duplicate, stale, …) are decisions, never
 * errors: these are for broken input to the engine and broken infrastructure.
 */
export const DedupeErrors = defineErrors('DedupeError', {
  CONTENTION: { code: 'WIRE_ERR_DEDUPE_CONTENTION', message: 'dedupe: could not commit a decision after repeated conflicts with concurrent writers', retryable: true },
  STORE: { code: 'WIRE_ERR_DEDUPE_STORE', message: 'dedupe: the index store failed', retryable: true },
  INPUT: { code: 'WIRE_ERR_DEDUPE_INPUT', message: 'dedupe: input line is not a usable story' },
});
export type DedupeErrorCode = ErrorCodeOf<typeof DedupeErrors>;

/** A typed dedupe failure; branch on `code`, never on the message. */
export const DedupeError = DedupeErrors.Error;
export type DedupeError = InstanceType<typeof DedupeError>;

/** Builds a `DedupeError` whose message is the catalogue text plus the specifics. */
export const dedupeError = DedupeErrors.create;
