import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCanonicalPack, buildRawSegment, readRawSegmentIndex, sliceRange } from './packs';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const input = (offset: number, text: string, source = 'yonhap') => ({
  source,
  receivedAt: '2026-03-02T08:00:00Z',
  topic: 'wire.raw',
  partition: 2,
  kafkaOffset: String(offset),
  bytes: Buffer.from(text),
});

describe('raw archive segment', () => {
  it('indexes every message so one byte range returns exactly its bytes', () => {
    const texts = ['<nitf>first</nitf>', 'second é ✓', Buffer.alloc(3000, 'x').toString()];
    const seg = buildRawSegment(texts.map((t, i) => input(100 + i, t, i === 1 ? 'ap' : 'yonhap')));
    const index = readRawSegmentIndex(seg.body);
    expect(index.map((e) => [e.source, e.kafkaOffset, e.sha256])).toEqual([
      ['yonhap', '100', sha(texts[0] as string)],
      ['ap', '101', sha(texts[1] as string)],
      ['yonhap', '102', sha(texts[2] as string)],
    ]);
    index.forEach((e, i) => expect(sliceRange(seg.body, e).toString()).toBe(texts[i]));
    expect(seg.entries).toEqual(index);
    expect(seg.sha256).toBe(sha(seg.body));
  });

  it('stores identical bytes once and is the same object for the same messages', () => {
    const a = buildRawSegment([input(1, 'same'), input(2, 'other'), input(3, 'same')]);
    expect(a.entries[2]).toMatchObject({ offset: a.entries[0]?.offset, length: 4, kafkaOffset: '3' });
    expect(a.body.length).toBe(a.body.indexOf(0x0a) + 1 + 'same'.length + 'other'.length);
    expect(buildRawSegment([input(1, 'same'), input(2, 'other'), input(3, 'same')]).sha256).toBe(a.sha256);
    expect(buildRawSegment([input(1, 'same'), input(2, 'other')]).sha256).not.toBe(a.sha256);
  });

  it('refuses an object that is not a segment', () => {
    expect(() => readRawSegmentIndex(Buffer.from('{"format":"other"}\nxx'))).toThrow(/format/);
    expect(() => readRawSegmentIndex(Buffer.from('no newline'))).toThrow(/index line/);
  });
});

describe('canonical pack', () => {
  it('holds one JSON document per line and the range of each', () => {
    const docs = [JSON.stringify({ uri: 'a', headline: 'Ünïcode' }), JSON.stringify({ uri: 'b' })];
    const pack = buildCanonicalPack(docs);
    expect(pack.body.toString().split('\n')).toEqual([...docs, '']);
    expect(pack.ranges.map((r) => JSON.parse(sliceRange(pack.body, r).toString()) as unknown)).toEqual(docs.map((d) => JSON.parse(d) as unknown));
    expect(() => sliceRange(pack.body, { offset: pack.body.length - 1, length: 2 })).toThrow(/beyond/);
  });
});
