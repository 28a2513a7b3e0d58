import { describe, expect, it } from 'vitest';
import { RECORD_BYTES, decodeRecord, encodeRecord, type StoryRecord } from './record';

describe('stored record', () => {
  it('round-trips through its fixed-size encoding', () => {
    const r: StoryRecord = {
      contentKey: 0xdeadbeef,
      deliveryKey: 12345,
      version: 3,
      kind: 'correction',
      indexed: true,
      ofId: 77,
      rootId: 5,
      day: 20_000,
      signature: { size: 140, tau: 0x0fffffff, sketch: [1, 2, 65535], veto: [0xabcde, 7, 0xfffff] },
    };
    const b = encodeRecord(r);
    expect(b.length).toBe(RECORD_BYTES);
    expect(decodeRecord(b)).toEqual(r);
  });

  it('reads missing or zeroed bytes (an expired chunk) as no record', () => {
    expect(decodeRecord(Buffer.alloc(0))).toBeNull();
    expect(decodeRecord(Buffer.alloc(RECORD_BYTES))).toBeNull();
  });
});
