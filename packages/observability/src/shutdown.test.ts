import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { ShutdownManager } from './shutdown';

const log = createLogger({ name: 'test', level: 'silent' });

describe('ShutdownManager', () => {
  it('runs every step in order even when one fails, once', async () => {
    const ran: string[] = [];
    const m = new ShutdownManager(log)
      .add('a', () => void ran.push('a'))
      .add('b', () => {
        ran.push('b');
        throw new Error('boom');
      })
      .add('c', async () => void ran.push('c'));
    const [first, second] = await Promise.all([m.shutdown(), m.shutdown()]);
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(first).toBe(false);
    expect(second).toBe(false);
  });

  it('gives up after the timeout', async () => {
    const m = new ShutdownManager(log, 50).add('hang', () => new Promise(() => {}));
    expect(await m.shutdown()).toBe(false);
  });
});
