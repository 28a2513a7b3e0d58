/**
 * @wire/retry — when to try again: exponential backoff, jitter, and one loop that retries a call
 * with them. Pure timing plus a sleep; no client of its own.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Exponential backoff: `initialMs * 2^(failures - 1)`, capped at `maxMs` (`failures` counted
 * from 1).
 *
 * @example backoffMs(4, 250, 10_000) // 2000
 */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, failures - 1), 20));
}

/** `delay` ± `fraction` (default 10 %), never negative. */
export function withJitter(delayMs: number, fraction = 0.1, random = Math.random): number {
  return Math.max(0, Math.round(delayMs * (1 - fraction + 2 * fraction * random())));
}

export interface RetryOptions {
  /** First wait after a failure, ms; doubled after each further failure. */
  initialMs: number;
  /** Longest wait, ms. */
  maxMs: number;
  /** Give up after this many calls (the last failure is thrown); unbounded when unset. */
  attempts?: number;
  /** Whether a failure is worth another call; false throws it at once. Default: every failure is. */
  retryIf?: (err: unknown) => boolean;
  /** Told of each failure that will be retried, with the wait before the next call. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stops the waiting: the last failure is thrown. */
  signal?: AbortSignal;
}

/**
 * Call `fn` until it resolves, waiting `backoffMs` between calls.
 *
 * @example await retry(() => kafka.start(), { initialMs: 1000, maxMs: 30_000, onRetry: (err, attempt) => log.warn({ err, attempt }, 'retrying') })
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= (opts.attempts ?? Infinity) || opts.signal?.aborted || !(opts.retryIf?.(err) ?? true)) throw err;
      const delayMs = backoffMs(attempt, opts.initialMs, opts.maxMs);
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, undefined, { signal: opts.signal }).catch(() => {
        throw err;
      });
    }
  }
}
