import { describe, expect, it } from 'vitest';
import { MemoryDedupeStore } from './memory-store';
import type { StoryRecord } from './record';
import { formatRegister, parseRegister } from './store';

const record = (version = 1): StoryRecord => ({
  contentKey: 1,
  deliveryKey: 2,
  version,
  kind: 'new',
  indexed: true,
  ofId: 0,
  rootId: 0,
  day: 20_000,
  signature: { size: 10, tau: 5, sketch: [1, 2], veto: [] },
});

describe('version register value', () => {
  it('keeps one version-1 entry as a bare id, and reads it back', () => {
    expect(formatRegister(1, false, [{ version: 1, id: 42 }])).toBe('42');
    expect(parseRegister('42')).toEqual({ latest: 1, killed: false, entries: [{ version: 1, id: 42 }], raw: '42' });
  });

  it('keeps the list form for other versions, several entries or a kill', () => {
    expect(formatRegister(2, false, [{ version: 2, id: 7 }])).toBe('2:7');
    expect(formatRegister(2, false, [{ version: 1, id: 6 }, { version: 2, id: 7 }])).toBe('1:6,2:7');
    expect(formatRegister(1, true, [{ version: 1, id: 6 }])).toBe('1|1|1:6');
    for (const raw of ['2:7', '1:6,2:7', '1|1|1:6', '3|0|1:6,2:7']) {
      const r = parseRegister(raw)!;
      expect(formatRegister(r.latest, r.killed, r.entries)).toBe(raw);
    }
  });
});

describe('lookup with an insert-if-new record (memory store)', () => {
  it('writes the story when nothing is found, and reports its id', async () => {
    const store = new MemoryDedupeStore();
    const [l] = await store.lookup([{ uri: 'urn:wire:a:1', day: 20_000, anchors: [1, 2, 3], insert: { anchors: [1, 2], record: record() } }]);
    expect(l!.inserted).toBe(1);
    const [again] = await store.lookup([{ uri: 'urn:wire:a:1', day: 20_000, anchors: [9] }]);
    expect(again!.register?.entries).toEqual([{ version: 1, id: 1 }]);
  });

  it('writes nothing when an anchor or the uri is already known', async () => {
    const store = new MemoryDedupeStore();
    await store.lookup([{ uri: 'urn:wire:a:1', day: 20_000, anchors: [1], insert: { anchors: [1], record: record() } }]);
    const [byAnchor] = await store.lookup([{ uri: 'urn:wire:b:1', day: 20_000, anchors: [5, 1], insert: { anchors: [5], record: record() } }]);
    expect(byAnchor!.inserted).toBeUndefined();
    expect(byAnchor!.candidates).toEqual([1]);
    const [byUri] = await store.lookup([{ uri: 'urn:wire:a:1', day: 20_000, anchors: [7], insert: { anchors: [7], record: record(2) } }]);
    expect(byUri!.inserted).toBeUndefined();
    expect(store.size).toBe(1);
  });
});
