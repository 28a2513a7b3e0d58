import { WireError } from '@wire/schema';

/**
 * The dedupe error catalogue. Codes are stable; messages name what, where and why. Expected
 * outcomes (duplicate, stale, …) are decisions, never errors: these are for broken input to the
 * engine and broken infrastructure.
 */
export const DEDUPE_ERRORS = {
  WIRE_ERR_DEDUPE_CONTENTION: 'dedupe: could not commit a decision after repeated conflicts with concurrent writers',
  WIRE_ERR_DEDUPE_STORE: 'dedupe: the index store failed',
  WIRE_ERR_DEDUPE_INPUT: 'dedupe: input line is not a usable story',
} as const;

export type DedupeErrorCode = keyof typeof DEDUPE_ERRORS;

/** A typed dedupe failure; branch on `code`, never on the message. */
export class DedupeError extends WireError {
  declare readonly code: DedupeErrorCode;

  constructor(code: DedupeErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'DedupeError';
  }
}

/** Builds a `DedupeError` whose message is the catalogue text plus the specifics. */
export function dedupeError(code: DedupeErrorCode, specifics: string, details: Record<string, unknown> = {}, cause?: unknown): DedupeError {
  return new DedupeError(code, `${DEDUPE_ERRORS[code]}: ${specifics}`, details, cause === undefined ? undefined : { cause });
}
