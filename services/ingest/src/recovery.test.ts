import { describe, expect, it } from 'vitest';
import { createLogger } from '@wire/observability';
import { IngestError, IngestErrorCodes } from './errors';
import type { InboundMessage, Verdict } from './pipeline';
import { FencedError } from './publisher';
import { chunkOf, classifyFailure, settle, type Chunk, type RecoveryOptions } from './recovery';

const log = createLogger({ name: 'test', level: 'silent' });
const msgs = (from: number, n: number): InboundMessage[] =>
  Array.from({ length: n }, (_, i) => ({ topic: 'raw', partition: 0, offset: String(from + i), key: null, value: Buffer.from(`m${from + i}`) }));

/**
 * A partition's recovery over an in-memory "pipeline": an attempt fails while its chunk holds a
 * poison offset that has no verdict yet, and otherwise commits the chunk (recorded in order).
 */
function harness(opts: { poison?: string[]; fail?: (chunk: Chunk, n: number) => unknown; down?: () => string[]; maxAttempts?: number }) {
  const poison = new Set(opts.poison ?? []);
  const verdicts = new Map<string, Verdict>();
  const commits: string[] = [];
  const deadLettered: Array<[string, Verdict]> = [];
  const attempts: string[] = [];
  const splits: string[][] = [];
  let probes = 0;
  const recovery: RecoveryOptions = {
    topic: 'raw',
    partition: 0,
    log,
    maxAttempts: opts.maxAttempts ?? 3,
    initialMs: 1,
    maxMs: 2,
    attempt: async (chunk, n) => {
      attempts.push(`${chunk.from}-${chunk.to}#${n}`);
      const injected = opts.fail?.(chunk, n);
      if (injected) throw injected;
      const bad = chunk.messages.find((m) => poison.has(m.offset) && !verdicts.has(m.offset));
      if (bad) throw new TypeError(`cannot read properties of undefined (story at ${bad.offset})`);
      for (const m of chunk.messages) {
        const v = verdicts.get(m.offset);
        if (v) deadLettered.push([m.offset, v]);
      }
      commits.push(`${chunk.from}-${chunk.to}`);
    },
    probe: async () => {
      probes++;
      return opts.down?.() ?? [];
    },
    convict: async (offset, verdict) => void verdicts.set(offset, verdict),
    split: async (parts) => void splits.push(parts.map((p) => `${p.from}-${p.to}`)),
    gone: () => false,
    sleep: async () => undefined,
  };
  return { recovery, commits, deadLettered, attempts, splits, probes: () => probes };
}

describe('chunk recovery (retries, probes, bisection)', () => {
  it('finds one poison message in a chunk of 8 with 3 splits, dead-letters it alone and commits the rest in order', async () => {
    const h = harness({ poison: ['5'] });
    await settle(h.recovery, chunkOf(msgs(0, 8)));
    expect(h.splits).toEqual([['0-3', '4-7'], ['4-5', '6-7'], ['4-4', '5-5']]);
    expect(h.commits).toEqual(['0-3', '4-4', '5-5', '6-7']);
    expect(h.deadLettered).toHaveLength(1);
    const [offset, verdict] = h.deadLettered[0] as [string, Verdict];
    expect(offset).toBe('5');
    expect(verdict.code).toBe(IngestErrorCodes.POISON);
    // 3 tries of the chunk, one of each half on the way down, 3 of the message alone.
    expect(verdict.attempts).toBe(3 + 1 + 1 + 3);
    expect(verdict.reason).toMatch(/fails on its own, 8 tries, infrastructure answering: TypeError: cannot read properties of undefined \(story at 5\)/);
  });

  it('two poison messages: each is found and dead-lettered, every other message committed once', async () => {
    const h = harness({ poison: ['1', '6'] });
    await settle(h.recovery, chunkOf(msgs(0, 8)));
    expect(h.deadLettered.map(([o]) => o)).toEqual(['1', '6']);
    const committed = h.commits.flatMap((c) => {
      const [a, b] = c.split('-').map(Number) as [number, number];
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
    expect(committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('never bisects on infrastructure failures, however long they last; carries on once they stop', async () => {
    let outage = 25;
    const h = harness({ fail: () => (outage-- > 0 ? Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }) : undefined) });
    await settle(h.recovery, chunkOf(msgs(0, 8)));
    expect(h.splits).toEqual([]);
    expect(h.probes()).toBe(0);
    expect(h.deadLettered).toEqual([]);
    expect(h.commits).toEqual(['0-7']);
    expect(h.attempts).toHaveLength(26);
  });

  it('does not bisect while a probe finds part of the infrastructure down, whatever the error says', async () => {
    let failures = 0;
    const h = harness({
      // Not recognisably infrastructure: only the probe tells (credentials refused, say).
      fail: () => (++failures <= 10 ? Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }) : undefined),
      down: () => (failures <= 10 ? ['s3: AccessDenied'] : []),
    });
    await settle(h.recovery, chunkOf(msgs(0, 4)));
    expect(h.splits).toEqual([]);
    expect(h.deadLettered).toEqual([]);
    expect(h.probes()).toBe(10 - 3 + 1); // after each failure past the bound of 3
    expect(h.commits).toEqual(['0-3']);
  });

  it('convicts at once the message a refused record names, without bisecting', async () => {
    let refused = false;
    const h = harness({
      fail: (chunk) => {
        if (refused || !chunk.messages.some((m) => m.offset === '2')) return undefined;
        refused = true;
        return new IngestError(IngestErrorCodes.RECORD_TOO_LARGE, 'stories.canonical record urn:x: 17000000 bytes, over INGEST_MAX_RECORD_BYTES (15728640)', { offset: '2' });
      },
    });
    await settle(h.recovery, chunkOf(msgs(0, 4)));
    expect(h.splits).toEqual([]);
    expect(h.deadLettered.map(([o, v]) => [o, v.code, v.attempts])).toEqual([['2', IngestErrorCodes.RECORD_TOO_LARGE, 1]]);
    expect(h.commits).toEqual(['0-3']);
  });

  it('lets a fenced producer out at once (the partition has another owner)', async () => {
    const h = harness({ fail: () => new FencedError('producer x was fenced') });
    await expect(settle(h.recovery, chunkOf(msgs(0, 4)))).rejects.toBeInstanceOf(FencedError);
    expect(h.attempts).toHaveLength(1);
  });

  it('classifies failures by type and code, not by message text', () => {
    expect(classifyFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('x'), { retriable: true }))).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 404 } }))).toBe('infrastructure');
    expect(classifyFailure(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }))).toBe('infrastructure');
    expect(classifyFailure(Object.assign(new Error('x'), { type: 'INVALID_PRODUCER_EPOCH' }))).toBe('fenced');
    expect(classifyFailure(Object.assign(new Error('x'), { type: 'MESSAGE_TOO_LARGE', retriable: false }))).toBe('other');
    expect(classifyFailure(new TypeError('undefined is not a function'))).toBe('other');
  });
});
