import { describe, expect, it } from 'vitest';
import { RECORD_BYTES, decodeRecord, encodeRecord, uriKeys, writeRecord, type StoryRecord } from './record';

const sample: StoryRecord = {
  contentKey: 0xdeadbeef,
  deliveryKey: 12345,
  version: 3,
  kind: 'correction',
  indexed: true,
  ofId: 77,
  rootId: 5,
  day: 20_000,
  signature: { size: 140, tau: 0x0fffffff, sketch: [1, 2, 65535], veto: [0xabcde, 7, 0xfffff] },
  ...uriKeys('urn:wire:agency:g1'),
  latest: 4,
  killed: true,
  anchors: [1, 0xffffffff, 123456789],
};

describe('stored record', () => {
  it('round-trips through its fixed-size encoding, every field', () => {
    const b = encodeRecord(sample);
    expect(b.length).toBe(RECORD_BYTES);
    expect(decodeRecord(b)).toEqual(sample);
    const plain = { ...sample, kind: 'new' as const, killed: false, indexed: false, anchors: [], latest: 1 };
    expect(decodeRecord(encodeRecord(plain))).toEqual(plain);
  });

  it('writes and reads at an offset inside a larger buffer, leaving its neighbours alone', () => {
    const b = Buffer.alloc(3 * RECORD_BYTES, 0xaa);
    writeRecord(sample, b, RECORD_BYTES);
    expect(decodeRecord(b, RECORD_BYTES)).toEqual(sample);
    expect(b.subarray(0, RECORD_BYTES).every((x) => x === 0xaa)).toBe(true);
    expect(b.subarray(2 * RECORD_BYTES).every((x) => x === 0xaa)).toBe(true);
  });

  it('reads missing or zeroed bytes (an expired chunk) as no record', () => {
    expect(decodeRecord(Buffer.alloc(0))).toBeNull();
    expect(decodeRecord(Buffer.alloc(RECORD_BYTES))).toBeNull();
  });

  it('keys uris by two independent 32-bit hashes', () => {
    const a = uriKeys('urn:wire:a:1');
    const b = uriKeys('urn:wire:a:2');
    expect(a).toEqual(uriKeys('urn:wire:a:1'));
    expect(a.uriKey).not.toBe(b.uriKey);
    expect(a.uriKey).not.toBe(a.uriCheck);
  });
});
