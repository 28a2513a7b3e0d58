import { describe, expect, it } from 'vitest';
import { CHUNK, RECORD_BYTES, encodeRecord, uriKeys, type StoryRecord } from './record';
import { POSTING_IDS, RecordIndex } from './record-index';

const DAY = 20_000;

function record(uri: string, over: Partial<StoryRecord> = {}): StoryRecord {
  return {
    contentKey: 1,
    deliveryKey: 2,
    version: 1,
    kind: 'new',
    indexed: true,
    ofId: 0,
    rootId: 0,
    day: DAY,
    signature: { size: 10, tau: 5, sketch: [1, 2], veto: [] },
    ...uriKeys(uri),
    latest: 1,
    killed: false,
    anchors: [],
    ...over,
  };
}

function lookup(index: RecordIndex, uri: string, query: number[], day = DAY) {
  const { uriKey, uriCheck } = uriKeys(uri);
  return index.lookup(uriKey, uriCheck, day, query);
}

/** Stages and commits records one by one; returns their ids. */
function commit(index: RecordIndex, ...records: StoryRecord[]): number[] {
  const ids = records.map((r) => index.stage(r));
  index.commitStaged();
  return ids;
}

describe('RecordIndex lookups', () => {
  it('finds records by any shared anchor, newest first, only inside the window', () => {
    const index = new RecordIndex({ windowDays: 3 });
    const [a, b, old] = commit(index, record('urn:wire:s:a', { anchors: [10, 11] }), record('urn:wire:s:b', { anchors: [11, 12] }), record('urn:wire:s:old', { anchors: [12], day: DAY - 5 }));
    expect(lookup(index, 'urn:wire:s:x', [11]).candidates).toEqual([b, a]);
    expect(lookup(index, 'urn:wire:s:x', [12, 10]).candidates).toEqual([b, a]);
    expect(lookup(index, 'urn:wire:s:x', [13]).candidates).toEqual([]);
    // Day DAY - 5 is outside a 3-day window from DAY, inside it from DAY - 4.
    expect(lookup(index, 'urn:wire:s:x', [12]).candidates).not.toContain(old);
    expect(lookup(index, 'urn:wire:s:x', [12], DAY - 4).candidates).toContain(old);
  });

  it('keeps at most POSTING_IDS records per anchor: the newest', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const ids = commit(index, ...Array.from({ length: POSTING_IDS + 5 }, (_, i) => record(`urn:wire:s:${i}`, { anchors: [7] })));
    expect(lookup(index, 'urn:wire:s:x', [7]).candidates).toEqual(ids.slice(-POSTING_IDS).reverse());
  });

  it('reads the version register from the uri records: entries oldest first, latest and kill from the newest', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const uri = 'urn:wire:s:story';
    const [v1] = commit(index, record(uri, { anchors: [1] }));
    commit(index, record('urn:wire:s:other', { anchors: [1] }));
    const [v2] = commit(index, record(uri, { version: 2, latest: 2, kind: 'update', ofId: v1 }));
    const [kill] = commit(index, record(uri, { version: 2, latest: 2, kind: 'kill', killed: true, ofId: v2 }));
    const l = lookup(index, uri, []);
    expect(l.register).toEqual({ latest: 2, killed: true, entries: [{ version: 1, id: v1 }, { version: 2, id: v2 }, { version: 2, id: kill }] });
    // What the entries point to comes with them.
    expect([...l.stories.keys()].sort()).toEqual([v1, v2, kill].sort());
    expect(lookup(index, 'urn:wire:s:unknown', []).register).toBeNull();
  });

  it('brings each candidate with the records it points to (ofId, rootId)', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const root = commit(index, record('urn:wire:s:root', { anchors: [100] }))[0]!;
    const [dup] = commit(index, record('urn:wire:s:dup', { anchors: [200], kind: 'duplicate', ofId: root, rootId: root }));
    const l = lookup(index, 'urn:wire:s:x', [200]);
    expect(l.candidates).toEqual([dup]);
    expect(l.stories.get(root)?.record.anchors).toEqual([100]);
  });
});

describe('RecordIndex staging', () => {
  it('staged records are seen by later lookups; a rollback leaves the index exactly as it was', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const [a] = commit(index, record('urn:wire:s:a', { anchors: [5, 6] }));
    const before = lookup(index, 'urn:wire:s:a', [5, 6, 9]);
    const s1 = index.stage(record('urn:wire:s:b', { anchors: [6, 9] }));
    const s2 = index.stage(record('urn:wire:s:a', { version: 2, latest: 2, kind: 'update', ofId: a }));
    expect(lookup(index, 'urn:wire:s:x', [9]).candidates).toEqual([s1]);
    expect(lookup(index, 'urn:wire:s:a', []).register?.entries.map((e) => e.id)).toEqual([a, s2]);
    expect(index.seq).toBe(a);
    index.rollbackStaged();
    expect(index.stagedCount).toBe(0);
    expect(lookup(index, 'urn:wire:s:a', [5, 6, 9])).toEqual(before);
    expect(index.record(s1)).toBeNull();
    // The next stage reuses the ids.
    expect(index.stage(record('urn:wire:s:c', { anchors: [9] }))).toBe(s1);
    index.commitStaged();
    expect(index.seq).toBe(s1);
  });

  it('stagedBytes are the staged records in id order, across a chunk boundary', () => {
    const index = new RecordIndex({ windowDays: 30 });
    index.skipTo(CHUNK - 2);
    const rs = [0, 1, 2, 3].map((i) => record(`urn:wire:s:${i}`, { anchors: [i + 1] }));
    for (const r of rs) index.stage(r);
    expect(index.stagedBytes()).toEqual(Buffer.concat(rs.map(encodeRecord)));
  });
});

describe('RecordIndex growth, loading and eviction', () => {
  it('keeps every lookup right while its tables grow (thousands of records)', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const n = 12_000;
    const ids = commit(index, ...Array.from({ length: n }, (_, i) => record(`urn:wire:s:${i}`, { anchors: [i * 3 + 1, i * 3 + 2, 999_999_999 - i] })));
    for (const i of [0, 1, 777, 5000, n - 1]) {
      expect(lookup(index, 'urn:wire:s:x', [i * 3 + 2]).candidates).toEqual([ids[i]]);
      expect(lookup(index, `urn:wire:s:${i}`, []).register?.entries).toEqual([{ version: 1, id: ids[i] }]);
    }
  });

  it('applies committed records from bytes (a replica loading the log), skipping missing ids', () => {
    const index = new RecordIndex({ windowDays: 30 });
    const bytes = Buffer.concat([encodeRecord(record('urn:wire:s:a', { anchors: [3] })), Buffer.alloc(RECORD_BYTES), encodeRecord(record('urn:wire:s:b', { anchors: [3] }))]);
    index.apply(10, bytes);
    expect(index.seq).toBe(12);
    expect(index.record(11)).toBeNull();
    expect(lookup(index, 'urn:wire:s:x', [3]).candidates).toEqual([12, 10]);
    // Ids already held are not applied twice.
    index.apply(12, encodeRecord(record('urn:wire:s:b', { anchors: [3] })));
    expect(lookup(index, 'urn:wire:s:x', [3]).candidates).toEqual([12, 10]);
  });

  it('evicts whole chunks older than the window and grace, never a chunk holding a younger record', () => {
    const index = new RecordIndex({ windowDays: 3 });
    const old = commit(index, ...Array.from({ length: CHUNK + 10 }, (_, i) => record(`urn:wire:s:old${i}`, { anchors: [1], day: DAY - 20 })));
    const recent = commit(index, record('urn:wire:s:new', { anchors: [1], day: DAY }));
    index.evict(1);
    // The first chunk (ids 1 … CHUNK - 1) is gone; the chunk with the recent record stays whole.
    expect(index.lo).toBe(CHUNK);
    expect(index.record(old[0]!)).toBeNull();
    expect(index.record(old[CHUNK + 5]!)).not.toBeNull();
    // What stays findable from day DAY - 20: the recent record and the old ones of the kept chunk.
    expect(lookup(index, 'urn:wire:s:x', [1], DAY - 20).candidates).toEqual([...recent, ...old.filter((id) => id >= CHUNK).reverse()]);
    expect(lookup(index, 'urn:wire:s:x', [1]).candidates).toEqual(recent);
  });
});
