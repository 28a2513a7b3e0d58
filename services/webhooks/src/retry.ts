/**
 * Retry timing (pure): the schedule after the immediate first attempt, jitter, and Retry-After
 * kept within bounds.
 */
import { withJitter } from '@wire/retry';

/** Standard Webhooks' schedule after the immediate attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `"5s,5m,30m,2h"` → ms; a bare number is ms. Undefined for a bad entry (the message names it). */
export function parseSchedule(text: string): { ok: true; value: number[] } | { ok: false; error: string } {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
    if (!m) return { ok: false, error: `"${part}" is not a duration like 500ms, 5s, 5m, 2h` };
    out.push(Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!));
  }
  return { ok: true, value: out };
}

/**
 * Retry-After as ms from `now`: delta-seconds or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export interface RetryPolicy {
  /** Delays after the first attempt; its length is the number of retries. */
  scheduleMs: readonly number[];
  jitter?: number;
  /** Retry-After is clamped into [min, max]. */
  retryAfterMinMs?: number;
  retryAfterMaxMs?: number;
}

/**
 * The delay before the next attempt after `attemptsMade` failed attempts, or undefined when the
 * schedule is exhausted (→ dead letter). A partner's Retry-After wins over the schedule, clamped.
 */
export function nextDelay(policy: RetryPolicy, attemptsMade: number, retryAfterMs?: number, random = Math.random): number | undefined {
  if (attemptsMade > policy.scheduleMs.length) return undefined;
  if (retryAfterMs !== undefined) {
    return Math.min(Math.max(retryAfterMs, policy.retryAfterMinMs ?? 0), policy.retryAfterMaxMs ?? 3_600_000);
  }
  return withJitter(policy.scheduleMs[attemptsMade - 1] ?? 0, policy.jitter ?? 0.1, random);
}
