import { describe, expect, it } from 'vitest';
import { DedupeEngine } from './engine';
import { RESULTS_OTHER_COMPANY, RESULTS_Q4, story } from './fixtures.test-helpers';
import { MemoryDedupeStore } from './memory-store';

const engine = () => new DedupeEngine({ store: new MemoryDedupeStore() });
const at = (day: number) => ({ receivedAt: new Date(Date.UTC(2026, 0, 1 + day, 12)).toISOString() });
const v = (version: number, extra: Partial<Parameters<typeof story>[1]> = {}) => story(edit(version), { guid: 'same-guid', version, ...extra });
/** Version n of the Northwind story: later versions add a paragraph. */
function edit(version: number) {
  const extra = Array.from({ length: version - 1 }, (_, i) => `Update ${i + 1}: analysts at Dearborn Securities raised their 1988 estimate to ${4 + i}.10 dlrs a share.`);
  return { headline: RESULTS_Q4.headline, body: [...RESULTS_Q4.body, ...extra] };
}

describe('versioning table', () => {
  it('v1 new, v2 update of v1, v3 marked correction is a correction of v2', async () => {
    const e = engine();
    expect(await e.decide(v(1), at(0))).toMatchObject({ kind: 'new', of: null });
    expect(await e.decide(v(2), at(0))).toMatchObject({ kind: 'update', of: { uri: v(1).uri, version: 1 } });
    expect(await e.decide(v(3, { correction: true }), at(1))).toMatchObject({ kind: 'correction', of: { uri: v(1).uri, version: 2 } });
  });

  it('an older version arriving after a newer one is stale; the same version with other content too', async () => {
    const e = engine();
    await e.decide(v(2), at(0));
    expect(await e.decide(v(1), at(0))).toMatchObject({ kind: 'stale', of: { version: 2 } });
    const sameVersionOtherText = story({ headline: 'X', body: ['Entirely different words about a shipping strike in Rotterdam and its 14 idle berths.'] }, { guid: 'same-guid', version: 2 });
    expect((await e.decide(sameVersionOtherText, at(0))).kind).toBe('stale');
  });

  it('the same version re-sent with the same content (a new envelope) is a duplicate, even after a newer version', async () => {
    const e = engine();
    await e.decide(v(1), at(0));
    expect(await e.decide(v(1), at(1))).toMatchObject({ kind: 'duplicate', of: { version: 1 } });
    await e.decide(v(2), at(1));
    expect(await e.decide(v(1), at(2))).toMatchObject({ kind: 'duplicate', of: { version: 1 } });
  });

  it('a kill applies to every version: later versions are stale', async () => {
    const e = engine();
    await e.decide(v(1), at(0));
    await e.decide(v(2), at(0));
    expect(await e.decide(v(2, { pubStatus: 'canceled' }), at(1))).toMatchObject({ kind: 'kill', of: { version: 2 } });
    expect((await e.decide(v(3), at(1))).kind).toBe('stale');
    expect((await e.decide(v(1), at(2))).kind).toBe('stale');
  });

  it('a kill of a story never seen is still a kill, under its own version', async () => {
    const d = await engine().decide(v(4, { pubStatus: 'canceled' }), at(0));
    expect(d).toMatchObject({ kind: 'kill', of: null });
    expect(d.version).toBeUndefined();
  });

  it('a kill without a version after v2 is published as v3; a second one has nothing to deliver', async () => {
    const e = engine();
    await e.decide(v(1), at(0));
    await e.decide(v(2), at(0));
    // No version in the feed: normalize gives 1.
    const kill = await e.decide(v(1, { pubStatus: 'canceled' }), at(1));
    expect(kill).toMatchObject({ kind: 'kill', version: 3, of: { uri: v(1).uri, version: 2 } });
    expect(await e.latestOf(v(1).uri)).toEqual({ version: 3, killed: true });
    const again = await e.decide(v(1, { pubStatus: 'canceled' }), at(2));
    expect(again.kind).toBe('stale');
    expect(again.version).toBeUndefined();
    expect(again.reasons.join(' ')).toMatch(/already killed/);
    // Re-using the cancelled version, or the published one, is no better.
    expect((await e.decide(v(3, { pubStatus: 'canceled' }), at(2))).kind).toBe('stale');
    expect((await e.decide(v(2, { pubStatus: 'canceled' }), at(3))).kind).toBe('stale');
    expect(await e.latestOf(v(1).uri)).toEqual({ version: 3, killed: true });
  });

  it('a kill above the latest version keeps its own version', async () => {
    const e = engine();
    await e.decide(v(1), at(0));
    const d = await e.decide(v(5, { pubStatus: 'canceled' }), at(1));
    expect(d).toMatchObject({ kind: 'kill', of: { version: 1 } });
    expect(d.version).toBeUndefined();
    expect(await e.latestOf(v(1).uri)).toEqual({ version: 5, killed: true });
  });

  it('a crash re-run of a renumbered kill publishes the same version again', async () => {
    const store = new MemoryDedupeStore();
    const first = new DedupeEngine({ store });
    await first.decide(v(1), at(0));
    await first.decide(v(2), at(0));
    const kill = v(1, { pubStatus: 'canceled' });
    expect((await first.decide(kill, at(1))).version).toBe(3);
    // A newer version arrives meanwhile (stale after the kill); the re-run still answers 3.
    await first.decide(v(7), at(1));
    const restarted = new DedupeEngine({ store });
    const replay = await restarted.decide(kill, at(1));
    expect(replay).toMatchObject({ kind: 'kill', version: 3, of: { version: 2 } });
    expect(replay.reasons).toEqual(['replayed: this delivery was decided before']);
  });

  it('latestOf: the register of a story, null for one never seen', async () => {
    const e = engine();
    expect(await e.latestOf(v(1).uri)).toBeNull();
    await e.decide(v(1), at(0));
    await e.decide(v(2), at(0));
    await e.decide(v(1), at(1)); // a re-send: the register does not move back
    expect(await e.latestOf(v(1).uri)).toEqual({ version: 2, killed: false });
  });

  it('re-processing the same delivery (crash re-run) repeats the recorded decision', async () => {
    const store = new MemoryDedupeStore();
    const first = new DedupeEngine({ store });
    const a = story(RESULTS_Q4, { guid: 'a' });
    const b = story(RESULTS_Q4, { guid: 'b' });
    const da = await first.decide(a, at(0));
    const db = await first.decide(b, at(0));
    expect(da.kind).toBe('new');
    expect(db).toMatchObject({ kind: 'duplicate', of: { uri: a.uri, version: 1 } });
    const restarted = new DedupeEngine({ store });
    expect((await restarted.decide(a, at(0))).kind).toBe('new');
    expect(await restarted.decide(b, at(0))).toMatchObject({ kind: 'duplicate', of: { uri: a.uri, version: 1 } });
  });
});

describe('content decisions', () => {
  it('a copy under another guid is a duplicate of the earliest story of the cluster', async () => {
    const e = engine();
    const first = story(RESULTS_Q4, { source: 'agency' });
    await e.decide(first, at(0));
    const trimmed = story({ headline: RESULTS_Q4.headline, body: RESULTS_Q4.body.slice(0, 3) }, { source: 'outlet' });
    expect(await e.decide(trimmed, at(0))).toMatchObject({ kind: 'duplicate', of: { uri: first.uri, version: 1 } });
    // A copy of the copy still points at the first story.
    const trimmedAgain = story({ headline: 'Northwind profit', body: RESULTS_Q4.body.slice(0, 3) }, { source: 'other-outlet' });
    expect(await e.decide(trimmedAgain, at(1))).toMatchObject({ kind: 'duplicate', of: { uri: first.uri } });
  });

  it('a templated look-alike is new, with the veto as its reason', async () => {
    const e = engine();
    await e.decide(story(RESULTS_Q4), at(0));
    const d = await e.decide(story(RESULTS_OTHER_COMPANY), at(0));
    expect(d.kind).toBe('new');
    expect(d.reasons.join(' ')).toMatch(/vetoed: figures\/names differ \d+ of \d+/);
  });

  it('a batch decides in order: the second of two copies in one batch is the duplicate', async () => {
    const e = engine();
    const a = story(RESULTS_Q4);
    const b = story(RESULTS_Q4);
    const [da, db] = await e.decideMany([{ story: a, ...at(0) }, { story: b, ...at(0) }]);
    expect(da!.kind).toBe('new');
    expect(db).toMatchObject({ kind: 'duplicate', of: { uri: a.uri } });
  });

  it('thirty copies in one batch: one new, the rest duplicates of it, without running out of rounds', async () => {
    const e = engine();
    const copies = Array.from({ length: 30 }, () => story(RESULTS_Q4));
    const ds = await e.decideMany(copies.map((s) => ({ story: s, ...at(0) })));
    expect(ds[0]!.kind).toBe('new');
    for (const d of ds.slice(1)) expect(d).toMatchObject({ kind: 'duplicate', of: { uri: copies[0]!.uri } });
  });

  it('two engines racing on one store: only one new', async () => {
    const store = new MemoryDedupeStore();
    const e1 = new DedupeEngine({ store });
    const e2 = new DedupeEngine({ store });
    const [d1, d2] = await Promise.all([e1.decide(story(RESULTS_Q4), at(0)), e2.decide(story(RESULTS_Q4), at(0))]);
    expect([d1!.kind, d2!.kind].sort()).toEqual(['duplicate', 'new']);
  });

  it('outside the window a copy is new again', async () => {
    const e = new DedupeEngine({ store: new MemoryDedupeStore({ windowDays: 3 }) });
    await e.decide(story(RESULTS_Q4), at(0));
    expect((await e.decide(story(RESULTS_Q4), at(2))).kind).toBe('duplicate');
    expect((await e.decide(story(RESULTS_Q4), at(10))).kind).toBe('new');
  });
});

/** Templated results of `n` companies (one look-alike family), every third one re-sent by an outlet. */
function templatedBatch(n: number): ReturnType<typeof story>[] {
  const out: ReturnType<typeof story>[] = [];
  for (let i = 0; i < n; i++) {
    const name = `Company${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`;
    const copy = {
      headline: `${name.toUpperCase()} 4TH QTR NET`,
      body: RESULTS_OTHER_COMPANY.body.map((p) =>
        p.replace(/Contoso/g, name).replace(/\d+\.\d+/g, (m) => (Number(m) + i * 1.7).toFixed(1)).replace(/Daniel Whitaker/, `Chief ${name}`),
      ),
    };
    out.push(story(copy, { guid: `t-${i}` }));
    if (i % 3 === 2) out.push(story(copy, { guid: `t-${i}-outlet`, source: 'outlet' }));
  }
  return out;
}

describe('batches', () => {
  it('a batch whose stories all share anchors decides as one by one, without running out of rounds', async () => {
    const batch = templatedBatch(45);
    const oneByOne = engine();
    const expected = [];
    for (const s of batch) expected.push(await oneByOne.decide(s, at(0)));
    const batched = new DedupeEngine({ store: new MemoryDedupeStore(), maxRounds: 3 });
    const got = await batched.decideMany(batch.map((s) => ({ story: s, ...at(0) })));
    expect(got.map((d) => [d.kind, d.of?.uri ?? null])).toEqual(expected.map((d) => [d.kind, d.of?.uri ?? null]));
    expect(got.filter((d) => d.kind === 'duplicate').length).toBe(15);
  });
});
