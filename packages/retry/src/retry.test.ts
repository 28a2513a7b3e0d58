import { describe, expect, it } from 'vitest';
import { backoffMs, retry, withJitter } from './index';

describe('backoffMs', () => {
  it('doubles from the first delay and stops at the cap', () => {
    expect(backoffMs(1, 250, 10_000)).toBe(250);
    expect(backoffMs(4, 250, 10_000)).toBe(2000);
    expect(backoffMs(40, 250, 10_000)).toBe(10_000);
  });
});

describe('withJitter', () => {
  it('keeps jitter within the fraction', () => {
    for (let i = 0; i < 200; i++) {
      const d = withJitter(1000);
      expect(d).toBeGreaterThanOrEqual(900);
      expect(d).toBeLessThanOrEqual(1100);
    }
    expect(withJitter(1000, 0.5, () => 0)).toBe(500);
  });
});

describe('retry', () => {
  it('calls again after each failure, waiting longer each time, until the call succeeds', async () => {
    const waits: number[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 4) throw new Error(`down ${attempt}`);
        return attempt;
      },
      { initialMs: 1, maxMs: 3, onRetry: (_err, _attempt, delayMs) => waits.push(delayMs) },
    );
    expect(result).toBe(4);
    expect(waits).toEqual([1, 2, 3]);
  });

  it('throws the last failure once the attempts are used up, or at once when retryIf says no', async () => {
    let calls = 0;
    await expect(retry(async (n) => Promise.reject(new Error(`failure ${(calls = n)}`)), { initialMs: 1, maxMs: 1, attempts: 3 })).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
    await expect(retry(async (n) => Promise.reject(new Error(`failure ${(calls = n)}`)), { initialMs: 1, maxMs: 1, retryIf: () => false })).rejects.toThrow('failure 1');
  });

  it('stops waiting when aborted and throws the failure it was waiting after', async () => {
    const controller = new AbortController();
    const started = retry(async () => Promise.reject(new Error('still down')), { initialMs: 60_000, maxMs: 60_000, signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(started).rejects.toThrow('still down');
  });
});
