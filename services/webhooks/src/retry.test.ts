import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_MS, nextDelay, parseRetryAfter, parseSchedule } from './retry';

describe('retry timing', () => {
  it('reads schedules with units', () => {
    expect(parseSchedule('0,5s,5m,30m,2h,5h,10h,10h')).toEqual({ ok: true, value: [0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000] });
    expect(parseSchedule('5 parsecs').ok).toBe(false);
  });

  it('follows the schedule with jitter and then gives up', () => {
    const policy = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS };
    expect(nextDelay(policy, 1, undefined, () => 0.5)).toBe(5000);
    expect(nextDelay(policy, 2, undefined, () => 0)).toBe(270_000);
    expect(nextDelay(policy, 7, undefined, () => 1)).toBe(39_600_000);
    expect(nextDelay(policy, 8)).toBeUndefined();
  });

  it('honours Retry-After within bounds', () => {
    const policy = { scheduleMs: [1000], retryAfterMinMs: 500, retryAfterMaxMs: 60_000 };
    expect(nextDelay(policy, 1, parseRetryAfter('2'))).toBe(2000);
    expect(nextDelay(policy, 1, parseRetryAfter('0'))).toBe(500);
    expect(nextDelay(policy, 1, parseRetryAfter('86400'))).toBe(60_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
