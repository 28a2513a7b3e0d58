import { afterEach, describe, expect, it, vi } from 'vitest';
import { trapStopSignals } from './supervisor';

describe('trapStopSignals', () => {
  afterEach(() => vi.useRealTimers());

  it('stops on the first signal, ignores its echo within a second, forces on a later one', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const calls: string[] = [];
    const listenersBefore = process.listenerCount('SIGINT');
    const untrap = trapStopSignals(
      (s) => calls.push(`stop ${s}`),
      (s) => calls.push(`force ${s}`),
    );
    try {
      process.emit('SIGINT', 'SIGINT');
      vi.setSystemTime(1_000_000 + 40);
      // tsx's CLI relaying the same Ctrl-C.
      process.emit('SIGINT', 'SIGINT');
      expect(calls).toEqual(['stop SIGINT']);
      vi.setSystemTime(1_000_000 + 2500);
      process.emit('SIGTERM', 'SIGTERM');
      expect(calls).toEqual(['stop SIGINT', 'force SIGTERM']);
    } finally {
      untrap();
    }
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
  });
});
