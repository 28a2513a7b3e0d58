import { describe, expect, it } from 'vitest';
import { isSuccess, partnerHealth } from './live';
import type { DeliveryRecord } from './ports';

const at = (i: number) => new Date(Date.UTC(2026, 10, 28, 8, 0, i)).toISOString();
const rec = (partnerId: string, status: string, httpStatus: number | undefined, latencyMs: number, i: number): DeliveryRecord => ({
  partnerId,
  storyUri: 'urn:wire:x:y',
  version: 1,
  status,
  httpStatus,
  latencyMs,
  at: at(i),
});

describe('partner health', () => {
  it('gives success rate and p95 of successful attempts, ignoring skipped ones', () => {
    const attempts = [
      ...Array.from({ length: 19 }, (_, i) => rec('a', 'delivered', 200, 10 + i, i)),
      rec('a', 'delivered', 204, 500, 19),
      rec('a', 'retrying', 503, 30, 20),
      rec('a', 'stale', undefined, 0, 21),
      rec('b', 'dead', 410, 5, 1),
    ];
    const [a, b, c] = partnerHealth(
      [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B', disabled: true, disabledReason: '410 Gone' },
        { id: 'c', name: 'C' },
      ],
      attempts,
    );
    expect(a).toMatchObject({ attempts: 21, successRate: 20 / 21, p95Ms: 28, lastStatus: 'retrying 503' });
    expect(b).toMatchObject({ disabled: true, disabledReason: '410 Gone', successRate: 0, p95Ms: null });
    expect(c).toMatchObject({ attempts: 0, successRate: null, p95Ms: null });
  });

  it('counts 2xx as success whatever the outcome label', () => {
    expect(isSuccess(rec('a', 'delivered', 200, 1, 0))).toBe(true);
    expect(isSuccess(rec('a', 'retrying', 429, 1, 0))).toBe(false);
    expect(isSuccess({ ...rec('a', 'delivered', undefined, 1, 0) })).toBe(true);
  });
});
