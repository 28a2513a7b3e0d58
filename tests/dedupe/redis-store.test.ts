import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DedupeEngine, MemoryDedupeStore, RedisDedupeStore, basicStory, normalizedStory, parseJsonl, runStream, score, type LabelledItem, type StreamItem } from '@wire/dedupe';
import { testEnv, uniqueName } from '../helpers/env';

const COPY = {
  headline: 'NORTHWIND TRADERS <NWT> 4TH QTR NET',
  body: [
    'Northwind Traders Inc said fourth-quarter net income rose 18 pct to 42.6 mln dlrs, or 1.12 dlrs a share, from 36.1 mln dlrs a year earlier.',
    'Revenues for the quarter increased to 512.3 mln dlrs from 468.9 mln dlrs, the Chicago-based distributor said.',
    'Chief executive Margaret Ellison said demand from grocery chains in the Midwest offset weaker sales in Canada.',
  ],
};

let n = 0;
function item(over: Partial<StreamItem> = {}, copy: { headline: string; body: string[] } = COPY): StreamItem {
  n++;
  return { id: `i${n}`, source: 'agency', guid: `g${n}`, version: 1, headline: copy.headline, body: copy.body.join('\n\n'), ...over };
}
const day = (d: number) => new Date(Date.UTC(2026, 2, 1 + d, 9)).toISOString();
/** A story of its own, with `k` in its words so rounds do not match each other. */
function distinct(k: number): { headline: string; body: string[] } {
  const w = ['harbor', 'copper', 'railway', 'orchard', 'turbine', 'glacier', 'lantern', 'meadow', 'quarry', 'vessel'];
  const words = (s: number) => Array.from({ length: 40 }, (_, i) => w[(s * 7 + i * (k + 3)) % w.length]! + ((s + i * k) % 13)).join(' ');
  return { headline: `STORY ${k}`, body: [`${words(1)}.`, `${words(2)}.`, `${words(3)}.`] };
}

const clients: Redis[] = [];
const stores: RedisDedupeStore[] = [];
function redisStore(prefix: string, windowDays = 30, maxCatchUp?: number): RedisDedupeStore {
  const redis = new Redis(testEnv().REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
  clients.push(redis);
  const store = new RedisDedupeStore({ redis, prefix, windowDays, ...(maxCatchUp !== undefined ? { maxCatchUp } : {}) });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.deleteAll();
  for (const c of clients.splice(0)) c.disconnect();
});

describe('RedisDedupeStore against a real Redis', () => {
  it('two engines on two connections racing on the same copy: exactly one new, every round', async () => {
    const prefix = uniqueName('dedupe-race');
    const e1 = new DedupeEngine({ store: redisStore(prefix) });
    const e2 = new DedupeEngine({ store: redisStore(prefix) });
    for (let k = 0; k < 12; k++) {
      const copy = distinct(k);
      const a = basicStory(item({ source: 'agency-a', receivedAt: day(0) }, copy));
      const b = basicStory(item({ source: 'agency-b', receivedAt: day(0) }, copy));
      const [da, db] = await Promise.all([e1.decide(a, { receivedAt: day(0) }), e2.decide(b, { receivedAt: day(0) })]);
      const kinds = [da.kind, db.kind].sort();
      expect(kinds, `round ${k}`).toEqual(['duplicate', 'new']);
      const dup = da.kind === 'duplicate' ? da : db;
      const first = da.kind === 'new' ? a : b;
      expect(dup.of).toEqual({ uri: first.uri, version: 1 });
    }
  });

  it('three writers deciding interleaved batches of the same clusters at once: one new per cluster, the rest its duplicates', async () => {
    const prefix = uniqueName('dedupe-stress');
    const writers = [0, 1, 2].map(() => new DedupeEngine({ store: redisStore(prefix) }));
    // Made-up copy: 60 clusters of 120 words from a vocabulary of 3,000, seeded.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const vocab = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}${'bcdfgklmnprstvz'[i % 15]}`);
    const clusters = Array.from({ length: 60 }, (_, c) => ({
      headline: `CLUSTER ${c}`,
      body: [0, 1, 2].map(() => `${Array.from({ length: 40 }, () => vocab[Math.floor(rand() * vocab.length)]).join(' ')}.`),
    }));
    const runs = writers.map(async (engine, w) => {
      const order = clusters.map((_, c) => c).sort(() => rand() - 0.5);
      const out: Array<{ cluster: number; uri: string; kind: string; of: string | null }> = [];
      for (let i = 0; i < order.length; i += 10) {
        const batch = order.slice(i, i + 10).map((c) => ({ c, story: basicStory(item({ source: `writer-${w}`, guid: `c${c}` }, clusters[c]!)) }));
        const ds = await engine.decideMany(batch.map((b) => ({ story: b.story, receivedAt: day(0) })));
        ds.forEach((d, k) => out.push({ cluster: batch[k]!.c, uri: batch[k]!.story.uri, kind: d.kind, of: d.of?.uri ?? null }));
      }
      return out;
    });
    const all = (await Promise.all(runs)).flat();
    for (let c = 0; c < clusters.length; c++) {
      const mine = all.filter((o) => o.cluster === c);
      const fresh = mine.filter((o) => o.kind === 'new');
      expect(fresh, `cluster ${c}`).toHaveLength(1);
      for (const o of mine.filter((x) => x !== fresh[0])) expect(o, `cluster ${c}`).toMatchObject({ kind: 'duplicate', of: fresh[0]!.uri });
    }
  });

  it('racing on the same uri and version (two deliveries): one new, the other a duplicate of it', async () => {
    const prefix = uniqueName('dedupe-race-uri');
    const e1 = new DedupeEngine({ store: redisStore(prefix) });
    const e2 = new DedupeEngine({ store: redisStore(prefix) });
    const s = basicStory(item({ guid: 'same' }, distinct(99)));
    const [d1, d2] = await Promise.all([e1.decide(s, { receivedAt: day(0) }), e2.decide(s, { receivedAt: day(0).replace('09:', '10:') })]);
    expect([d1.kind, d2.kind].sort()).toEqual(['duplicate', 'new']);
  });

  it('a crash re-run of the same deliveries repeats every decision', async () => {
    const prefix = uniqueName('dedupe-replay');
    const before = new DedupeEngine({ store: redisStore(prefix) });
    const v1 = basicStory(item({ guid: 'w', version: 1 }));
    const copy = basicStory(item({ source: 'outlet' }));
    const v2 = basicStory(item({ guid: 'w', version: 2 }, { ...COPY, body: [...COPY.body, 'The company also named a new finance chief, Omar Haddad, effective April 1.'] }));
    const first = [await before.decide(v1, { receivedAt: day(0) }), await before.decide(copy, { receivedAt: day(0) }), await before.decide(v2, { receivedAt: day(1) })];
    expect(first.map((d) => d.kind)).toEqual(['new', 'duplicate', 'update']);
    // A new process (new connection, new engine) re-processing the same deliveries.
    const after = new DedupeEngine({ store: redisStore(prefix) });
    const again = [await after.decide(v1, { receivedAt: day(0) }), await after.decide(copy, { receivedAt: day(0) }), await after.decide(v2, { receivedAt: day(1) })];
    expect(again.map((d) => [d.kind, d.of])).toEqual(first.map((d) => [d.kind, d.of]));
    // A new delivery of v1 (another envelope) after v2 is a re-send: a duplicate, not a replay.
    expect((await after.decide(v1, { receivedAt: day(2) })).kind).toBe('duplicate');
  });

  it('latestOf reads what other writers appended; a renumbered kill replays on another process with its published version', async () => {
    const prefix = uniqueName('dedupe-latest');
    const writer = new DedupeEngine({ store: redisStore(prefix) });
    const reader = new DedupeEngine({ store: redisStore(prefix) });
    const v1 = basicStory(item({ guid: 'lk', version: 1 }));
    const v2 = basicStory(item({ guid: 'lk', version: 2 }, { ...COPY, body: [...COPY.body, 'Shares rose 2 pct to 31.40 dlrs in early trading.'] }));
    expect(await reader.latestOf(v1.uri)).toBeNull();
    await writer.decide(v1, { receivedAt: day(0) });
    expect(await reader.latestOf(v1.uri)).toEqual({ version: 1, killed: false });
    await writer.decide(v2, { receivedAt: day(1) });
    // A kill without a version (normalized as 1).
    const kill = basicStory(item({ guid: 'lk', version: 1, pubStatus: 'canceled' }));
    expect(await writer.decide(kill, { receivedAt: day(2) })).toMatchObject({ kind: 'kill', version: 3 });
    expect(await reader.latestOf(v1.uri)).toEqual({ version: 3, killed: true });
    // Another process re-running the kill's delivery after a crash: the same version.
    const restarted = new DedupeEngine({ store: redisStore(prefix) });
    expect(await restarted.decide(kill, { receivedAt: day(2) })).toMatchObject({ kind: 'kill', version: 3, of: { uri: v1.uri, version: 2 } });
    expect((await restarted.decide(kill, { receivedAt: day(3) })).kind).toBe('stale');
  });

  it('the window: a copy inside it is a duplicate, after it new again; every key carries an expiry', async () => {
    const prefix = uniqueName('dedupe-window');
    const store = redisStore(prefix, 3);
    const e = new DedupeEngine({ store });
    const copy = distinct(7);
    expect((await e.decide(basicStory(item({}, copy)), { receivedAt: day(0) })).kind).toBe('new');
    expect((await e.decide(basicStory(item({}, copy)), { receivedAt: day(2) })).kind).toBe('duplicate');
    expect((await e.decide(basicStory(item({}, copy)), { receivedAt: day(9) })).kind).toBe('new');
    const redis = clients[clients.length - 1]!;
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      if (k.endsWith(':seq')) continue;
      const ttl = await redis.ttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      expect(ttl, k).toBeLessThanOrEqual((3 + 1 + 1) * 86_400);
    }
  });

  it('the dev stream decides the same on Redis as in memory, batched, and meets the targets', async () => {
    const path = fileURLToPath(new URL('../fixtures/datasets/dedupe-dev.jsonl', import.meta.url));
    const items = parseJsonl<LabelledItem>(readFileSync(path, 'utf8'));
    const build = (i: StreamItem) => normalizedStory(i);
    const onRedis = await runStream(items, new DedupeEngine({ store: redisStore(uniqueName('dedupe-dev')) }), { build, batch: 50 });
    const inMemory = await runStream(items, new DedupeEngine({ store: new MemoryDedupeStore() }), { build });
    expect(onRedis).toEqual(inMemory);
    const r = score(items, onRedis);
    expect(r.f1).toBeGreaterThanOrEqual(0.98);
    expect(r.precision).toBeGreaterThanOrEqual(0.99);
  });

  it('a batch of look-alikes that all share anchors decides on Redis as one by one, in few rounds', async () => {
    // One template, 45 companies and their figures; every third story re-sent by an outlet.
    const items: StreamItem[] = [];
    for (let i = 0; i < 45; i++) {
      const name = `Company${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`;
      const copy = {
        headline: `${name.toUpperCase()} 4TH QTR NET`,
        body: COPY.body.map((p) => p.replace(/Northwind Traders/g, name).replace(/\d+\.\d+/g, (m) => (Number(m) + i * 1.7).toFixed(1)).replace(/Margaret Ellison/, `Chief ${name}`)),
      };
      items.push(item({ receivedAt: day(0) }, copy));
      if (i % 3 === 2) items.push(item({ receivedAt: day(0), source: 'outlet' }, copy));
    }
    const build = (i: StreamItem) => basicStory(i);
    const batched = await runStream(items, new DedupeEngine({ store: redisStore(uniqueName('dedupe-batch')), maxRounds: 3 }), { build, batch: items.length });
    const oneByOne = await runStream(items, new DedupeEngine({ store: new MemoryDedupeStore() }), { build, batch: 1 });
    expect(batched).toEqual(oneByOne);
    expect(batched.filter((o) => o.decision === 'duplicate')).toHaveLength(15);
  });

  it('late stories: written into an earlier day, found from the days after it, gone outside the window', async () => {
    const e = new DedupeEngine({ store: redisStore(uniqueName('dedupe-late'), 3) });
    expect((await e.decide(basicStory(item({}, distinct(41))), { receivedAt: day(1) })).kind).toBe('new');
    expect((await e.decide(basicStory(item({}, distinct(42))), { receivedAt: day(5) })).kind).toBe('new');
    expect((await e.decide(basicStory(item({}, distinct(41))), { receivedAt: day(2) })).kind).toBe('duplicate');
    // A late write into day 1 now, and a copy of it the next day.
    expect((await e.decide(basicStory(item({}, distinct(43))), { receivedAt: day(1) })).kind).toBe('new');
    expect((await e.decide(basicStory(item({}, distinct(43))), { receivedAt: day(2) })).kind).toBe('duplicate');
    expect((await e.decide(basicStory(item({}, distinct(42))), { receivedAt: day(5) })).kind).toBe('duplicate');
    // Day 1 is outside day 5's 3-day window.
    expect((await e.decide(basicStory(item({}, distinct(41))), { receivedAt: day(5) })).kind).toBe('new');
  });

  it('an append racing with an unrelated write lands after it; its references to its own records follow', async () => {
    const prefix = uniqueName('dedupe-rebase');
    const a = new DedupeEngine({ store: redisStore(prefix) });
    const b = new DedupeEngine({ store: redisStore(prefix) });
    // Both replicas load (empty), then A appends while B's replica does not know.
    await b.decide(basicStory(item({}, distinct(60))), { receivedAt: day(0) });
    await a.decide(basicStory(item({}, distinct(61))), { receivedAt: day(0) });
    // B: an unrelated story and a copy of it in one batch (the copy points at the first by id).
    const first = basicStory(item({ source: 'agency-b' }, distinct(62)));
    const copy = basicStory(item({ source: 'outlet' }, distinct(62)));
    const [d1, d2] = await b.decideMany([{ story: first, receivedAt: day(0) }, { story: copy, receivedAt: day(0) }]);
    expect([d1!.kind, d2!.kind]).toEqual(['new', 'duplicate']);
    expect(d2!.of).toEqual({ uri: first.uri, version: 1 });
    // A fresh process reads the log: the copy still points at the right record, and A's story is there.
    const c = new DedupeEngine({ store: redisStore(prefix) });
    expect(await c.decide(basicStory(item({ source: 'third' }, distinct(62))), { receivedAt: day(0) })).toMatchObject({ kind: 'duplicate', of: { uri: first.uri } });
    expect((await c.decide(basicStory(item({ source: 'third' }, distinct(61))), { receivedAt: day(0) })).kind).toBe('duplicate');
    expect(await c.decide(copy, { receivedAt: day(0) })).toMatchObject({ kind: 'duplicate', of: { uri: first.uri }, reasons: ['replayed: this delivery was decided before'] });
  });

  it('a replica further behind than one append reads catches up first and decides again', async () => {
    const prefix = uniqueName('dedupe-behind');
    const behind = new DedupeEngine({ store: redisStore(prefix, 30, 2) });
    const writer = new DedupeEngine({ store: redisStore(prefix) });
    await behind.decide(basicStory(item({}, distinct(70))), { receivedAt: day(0) });
    const originals = [71, 72, 73, 74, 75].map((k) => basicStory(item({ source: 'agency' }, distinct(k))));
    for (const s of originals) await writer.decide(s, { receivedAt: day(0) });
    const d = await behind.decide(basicStory(item({ source: 'outlet' }, distinct(73))), { receivedAt: day(0) });
    expect(d).toMatchObject({ kind: 'duplicate', of: { uri: originals[2]!.uri } });
  });

  it('when Redis loses the log, a replica starts over from what Redis has — before and after new writes pass its snapshot', async () => {
    const prefix = uniqueName('dedupe-lost');
    const early = new DedupeEngine({ store: redisStore(prefix) });
    const late = new DedupeEngine({ store: redisStore(prefix) });
    for (const k of [80, 81, 82]) await early.decide(basicStory(item({ source: 'agency' }, distinct(k))), { receivedAt: day(0) });
    await late.decide(basicStory(item({ source: 'agency' }, distinct(83))), { receivedAt: day(0) });
    // Redis restarted without persistence: the log is gone.
    await stores[0]!.deleteAll();
    // A replica with a snapshot ahead of Redis starts over: a copy of a lost story is new.
    expect((await early.decide(basicStory(item({ source: 'outlet' }, distinct(80))), { receivedAt: day(0) })).kind).toBe('new');
    for (const k of [84, 85, 86, 87, 88]) await early.decide(basicStory(item({ source: 'agency' }, distinct(k))), { receivedAt: day(0) });
    // The other replica's snapshot (4) is behind the new log (6 records) but of the lost one.
    expect((await late.decide(basicStory(item({ source: 'outlet' }, distinct(83))), { receivedAt: day(0) })).kind).toBe('new');
    expect((await late.decide(basicStory(item({ source: 'outlet-2' }, distinct(84))), { receivedAt: day(0) })).kind).toBe('duplicate');
    // Both now decide as a fresh process does.
    const fresh = new DedupeEngine({ store: redisStore(prefix) });
    expect((await fresh.decide(basicStory(item({ source: 'third' }, distinct(81))), { receivedAt: day(0) })).kind).toBe('new');
    expect((await fresh.decide(basicStory(item({ source: 'third' }, distinct(83))), { receivedAt: day(0) })).kind).toBe('duplicate');
  });

  it('names the earlier story by its exact uri, whatever its form', async () => {
    const e = new DedupeEngine({ store: redisStore(uniqueName('dedupe-uri')) });
    const first = { ...basicStory(item({}, distinct(31))), uri: 'tag:example.org,2026:story/é 1' };
    await e.decide(first, { receivedAt: day(0) });
    const d = await e.decide(basicStory(item({ source: 'outlet' }, distinct(31))), { receivedAt: day(0) });
    expect(d).toMatchObject({ kind: 'duplicate', of: { uri: 'tag:example.org,2026:story/é 1', version: 1 } });
  });

  it('deleteAll leaves no key of the prefix behind', async () => {
    const prefix = uniqueName('dedupe-clean');
    const store = redisStore(prefix);
    await new DedupeEngine({ store }).decide(basicStory(item()), { receivedAt: day(0) });
    const redis = clients[clients.length - 1]!;
    expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
    await store.deleteAll();
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});
