import { describe, expect, it } from 'vitest';
import { createImageFetcher, createMediaProcessor, MemoryMediaStore } from '@wire/media';
import { createLogger } from '@wire/observability';
import type { DeadLetter, StoryEvent } from '@wire/queues';
import { DedupeEngine, MemoryDedupeStore } from '@wire/dedupe';
import { CanonicalStory, err, ok, WireError, type Decision } from '@wire/schema';
import { readRawSegmentIndex, sliceRange } from './packs';
import { createIngestPipeline, type InboundMessage } from './pipeline';
import type { NormalizeFn, RouteItem } from './ports';

const log = createLogger({ name: 'test', level: 'silent' });

function story(guid: string, version: number, text: string): CanonicalStory {
  const pubStatus = text.startsWith('KILL') ? 'canceled' : 'usable';
  return CanonicalStory.parse({ uri: `urn:wire:ap:${guid}`, source: 'ap', guid, version, pubStatus, headline: text, body: [text], contentHash: `h-${text}`, wordCount: 1 });
}

/** A normalizer for unit tests: the payload is `guid|version|text` lines (text `KILL…`: a kill), or `FAIL`. */
const normalize: NormalizeFn = (input) => {
  const text = Buffer.from(input as Uint8Array).toString('utf8');
  if (text === 'FAIL') return err(new WireError('WIRE_ERR_UNSUPPORTED_FORMAT', 'input: not a wire format'));
  return ok(text.split('\n').map((line) => {
    const [guid, version, body] = line.split('|');
    return story(guid as string, Number(version), body as string);
  }));
};

type Deps = Parameters<typeof createIngestPipeline>[0];

function setup(decide: (s: CanonicalStory) => Decision['kind'] = () => 'new', decider?: Deps['decider'], maxDecideBatch?: number, limits?: Deps['limits'], normalizePool?: Deps['normalizePool']) {
  const store = new MemoryMediaStore();
  const claims = new Map<string, string>();
  const routed: RouteItem[][] = [];
  const pipeline = createIngestPipeline({
    log,
    store,
    media: createMediaProcessor({ store, fetcher: createImageFetcher() }),
    normalize,
    normalizePool,
    limits,
    decider: decider ?? { decideMany: async (items) => items.map((i) => ({ kind: decide(i.story), of: null, scores: {}, reasons: [] })) },
    maxDecideBatch,
    claims: {
      key: (uri, version, hash) => `${uri}|${version}|${hash}`,
      claim: async (items) => items.map((i) => {
        if (!claims.has(i.key)) claims.set(i.key, i.owner);
        return claims.get(i.key) as string;
      }),
    },
    router: { route: async (items) => (routed.push(items), { jobIds: items.map((i) => `job-${i.story.uri}-${i.story.version}`) }) },
    mediaRetry: { enqueue: async () => undefined },
    topics: { canonical: 'c', events: 'e', dlq: 'd' },
    now: () => new Date('2026-03-02T09:00:00Z'),
  });
  return { pipeline, store, routed };
}

const msg = (offset: number, value: string | null): InboundMessage => ({ topic: 'raw', partition: 1, offset: String(offset), key: Buffer.from('k'), value: value === null ? null : Buffer.from(value) });
const env = (payload: string, receivedAt = '2026-03-02T08:00:00Z') => JSON.stringify({ source: 'ap', receivedAt, payload });

describe('ingest pipeline (in memory)', () => {
  it('publishes accepted versions, keeps events per decision, dead-letters what can never succeed', async () => {
    const { pipeline, store, routed } = setup();
    const out = await pipeline.processChunk([
      msg(10, env('a|1|first\nb|1|second')),
      msg(11, 'not json'),
      msg(12, env('FAIL')),
      msg(13, env('a|1|first', '2026-03-02T08:05:00Z')),
      msg(14, null),
    ]);
    expect(out.records.map((r) => `${r.topic}:${r.key}`)).toEqual([
      'c:urn:wire:ap:a',
      'e:urn:wire:ap:a',
      'c:urn:wire:ap:b',
      'e:urn:wire:ap:b',
      expect.stringMatching(/^d:dl_/),
      expect.stringMatching(/^d:dl_/),
      'e:urn:wire:ap:a',
      expect.stringMatching(/^d:dl_/),
    ]);
    const resend = JSON.parse(out.records[6]?.value ?? '{}') as StoryEvent;
    expect(resend.decision).toMatchObject({ kind: 'duplicate', of: { uri: 'urn:wire:ap:a', version: 1 } });
    expect(resend.decision.reasons[0]).toContain('raw:1:10:0');
    const dead = out.records.filter((r) => r.topic === 'd').map((r) => JSON.parse(r.value) as DeadLetter);
    expect(dead.map((d) => [d.origin.offset, d.code])).toEqual([
      ['11', 'WIRE_ERR_INGEST_BAD_ENVELOPE'],
      ['12', 'WIRE_ERR_UNSUPPORTED_FORMAT'],
      ['14', 'WIRE_ERR_INGEST_BAD_ENVELOPE'],
    ]);
    // Each dead letter names its message's Kafka value in one dead-letter segment, byte for byte.
    expect(dead.map((d) => [d.value, d.attempts, d.bytes])).toEqual([[undefined, 1, 8], [undefined, 1, env('FAIL').length], [undefined, 1, 0]]);
    const deadKeys = [...store.objects.keys()].filter((k) => k.startsWith('dead/'));
    expect(deadKeys).toEqual([expect.stringMatching(/^dead\/2026\/03\/02\/[0-9a-f]{64}\.seg$/)]);
    expect(dead.map((d) => d.raw?.key)).toEqual([deadKeys[0], deadKeys[0], deadKeys[0]]);
    const deadSegment = (await store.get(deadKeys[0] as string)) as Buffer;
    expect(dead.map((d) => sliceRange(deadSegment, d.raw as { offset: number; length: number }).toString())).toEqual(['not json', env('FAIL'), '']);
    expect(readRawSegmentIndex(deadSegment).map((e) => [e.kafkaOffset, e.source, e.contentType])).toEqual([
      ['11', '', 'application/vnd.wire.kafka-value'],
      ['12', 'ap', 'application/vnd.wire.kafka-value'],
      ['14', '', 'application/vnd.wire.kafka-value'],
    ]);
    // One canonical pack for the chunk; each event points at its version's bytes in it.
    const events = out.records.filter((r) => r.topic === 'e').map((r) => JSON.parse(r.value) as StoryEvent);
    const b = events.find((e) => e.uri === 'urn:wire:ap:b') as StoryEvent;
    expect(b.canonicalKey).toMatch(/^canonical\/packs\/2026\/03\/02\/[0-9a-f]{64}\.ndjson$/);
    expect(events[0]?.canonicalKey).toBe(b.canonicalKey);
    const pack = (await store.get(b.canonicalKey as string)) as Buffer;
    expect(JSON.parse(sliceRange(pack, b.canonicalRange as { offset: number; length: number }).toString())).toMatchObject({ uri: 'urn:wire:ap:b', version: 1 });
    expect(resend.canonicalKey).toBeUndefined();
    // One raw segment for the chunk: every message whose envelope decoded, with its Kafka position.
    const segments = [...store.objects.keys()].filter((k) => k.startsWith('raw/'));
    expect(segments).toEqual([expect.stringMatching(/^raw\/2026\/03\/02\/[0-9a-f]{64}\.seg$/)]);
    const segment = (await store.get(segments[0] as string)) as Buffer;
    const index = readRawSegmentIndex(segment);
    expect(index.map((e) => e.kafkaOffset)).toEqual(['10', '12', '13']);
    expect(sliceRange(segment, index[1] as { offset: number; length: number }).toString()).toBe('FAIL');
    expect(store.puts).toBe(3);
    expect(routed.flat().map((r) => r.story.uri)).toEqual(['urn:wire:ap:a', 'urn:wire:ap:b']);
    expect(out.jobIds).toHaveLength(2);
  });

  it('a replay of the same messages repeats the same outcome (claims are its own)', async () => {
    const { pipeline } = setup();
    const chunk = [msg(1, env('a|1|one')), msg(2, env('a|2|two'))];
    const first = await pipeline.processChunk(chunk);
    const again = await pipeline.processChunk(chunk);
    const strip = (o: typeof first) => o.records.map((r) => (r.topic === 'e' ? { ...JSON.parse(r.value), at: 0 } : r));
    expect(strip(again)).toEqual(strip(first));
  });

  it('a kill at or below the latest version goes out as latest + 1: pack, routes, records and event; a replay repeats it', async () => {
    const engine = new DedupeEngine({ store: new MemoryDedupeStore() });
    const { pipeline, store, routed } = setup(undefined, { decideMany: (items) => engine.decideMany(items) });
    // v1, v2, then a kill without a version (normalized as 1).
    const chunk = [msg(1, env('k|1|one')), msg(2, env('k|2|two', '2026-03-02T08:01:00Z')), msg(3, env('k|1|KILL one', '2026-03-02T08:02:00Z'))];
    const out = await pipeline.processChunk(chunk);
    const canonical = out.records.filter((r) => r.topic === 'c');
    expect(canonical.map((r) => [r.headers?.['wire-version'], r.headers?.['wire-decision'], (JSON.parse(r.value) as CanonicalStory).version])).toEqual([
      ['1', 'new', 1],
      ['2', 'update', 2],
      ['3', 'kill', 3],
    ]);
    const kill = JSON.parse(out.records.filter((r) => r.topic === 'e')[2]?.value ?? '{}') as StoryEvent;
    expect(kill).toMatchObject({ type: 'story.killed', version: 3, decision: { kind: 'kill', version: 3, of: { version: 2 } } });
    const line = JSON.parse(sliceRange((await store.get(kill.canonicalKey as string)) as Buffer, kill.canonicalRange as { offset: number; length: number }).toString()) as CanonicalStory;
    expect(line).toMatchObject({ version: 3, pubStatus: 'canceled' });
    expect(routed.flat().map((r) => `${r.story.version} ${r.decision.kind}`)).toEqual(['1 new', '2 update', '3 kill']);
    expect(out.decisions.map((d) => `${d.version} ${d.kind}`)).toEqual(['1 new', '2 update', '3 kill']);
    // A crash re-run of the chunk: the same versions, the same records.
    const again = await pipeline.processChunk(chunk);
    const strip = (o: typeof out) => o.records.map((r) => (r.topic === 'e' ? { ...JSON.parse(r.value), at: 0, decision: { ...JSON.parse(r.value).decision, reasons: [] } } : r));
    expect(strip(again)).toEqual(strip(out));
  });

  it('a renumbered kill whose canonical record grows over the limit convicts its message (named by offset)', async () => {
    const engine = new DedupeEngine({ store: new MemoryDedupeStore() });
    const kill = story('n', 1, 'KILL nine');
    // Fits as version 1, not as version 10 (one more digit).
    const limit = Buffer.byteLength(JSON.stringify(kill)) + Buffer.byteLength(kill.uri) + 4096;
    const { pipeline } = setup(undefined, { decideMany: (items) => engine.decideMany(items) }, undefined, { maxRecordBytes: limit });
    await pipeline.processChunk(Array.from({ length: 9 }, (_, i) => msg(i, env(`n|${i + 1}|v${i + 1}`, `2026-03-02T08:0${i}:00Z`))));
    await expect(pipeline.processChunk([msg(9, env('n|1|KILL nine', '2026-03-02T08:10:00Z'))])).rejects.toMatchObject({ code: 'WIRE_ERR_INGEST_RECORD_TOO_LARGE', details: { offset: '9' } });
  });

  it('stale and duplicate-of-self decisions go to events only', async () => {
    const { pipeline, routed } = setup(() => 'stale');
    const out = await pipeline.processChunk([msg(1, env('a|1|one'))]);
    expect(out.records.map((r) => r.topic)).toEqual(['e']);
    expect(routed.flat()).toEqual([]);
  });

  it('decides in order in slices, halving a slice the engine keeps failing with contention', async () => {
    const calls: string[][] = [];
    const decider = {
      decideMany: async (items: Array<{ story: CanonicalStory }>) => {
        calls.push(items.map((i) => i.story.guid));
        if (items.length > 2) throw new WireError('WIRE_ERR_DEDUPE_CONTENTION', `${items.length} stories still conflicting`);
        return items.map((i) => ({ kind: i.story.version > 1 ? ('update' as const) : ('new' as const), of: null, scores: {}, reasons: [] }));
      },
    };
    const { pipeline } = setup(undefined, decider, 4);
    const out = await pipeline.processChunk(['a|1|x', 'b|1|x', 'c|1|x', 'a|2|y', 'd|1|x', 'e|1|x'].map((p, i) => msg(i, env(p))));
    expect(calls).toEqual([['a', 'b', 'c', 'a'], ['a', 'b'], ['c', 'a'], ['d', 'e']]);
    expect(out.decisions.map((d) => `${d.uri.slice(-1)}${d.version}:${d.kind}`)).toEqual(['a1:new', 'b1:new', 'c1:new', 'a2:update', 'd1:new', 'e1:new']);
    const failing = setup(undefined, { decideMany: async () => Promise.reject(new WireError('WIRE_ERR_DEDUPE_CONTENTION', 'always')) });
    await expect(failing.pipeline.processChunk([msg(1, env('a|1|x'))])).rejects.toThrow('always');
  });

  it('refuses on sight a message over the raw size limit and a story whose record would be over the record limit, before routing', async () => {
    const { pipeline, routed } = setup(undefined, undefined, undefined, { maxRawBytes: 400, maxRecordBytes: 4096 + 600 });
    const out = await pipeline.processChunk([msg(1, env('a|1|short')), msg(2, env(`b|1|${'x'.repeat(500)}`)), msg(3, env(`c|1|${'y'.repeat(300)}`)), msg(4, env('d|1|after'))]);
    const dead = out.records.filter((r) => r.topic === 'd').map((r) => JSON.parse(r.value) as DeadLetter);
    expect(dead.map((d) => [d.origin.offset, d.code])).toEqual([
      ['2', 'WIRE_ERR_INGEST_RAW_TOO_LARGE'],
      ['3', 'WIRE_ERR_INGEST_RECORD_TOO_LARGE'],
    ]);
    expect(dead[1]?.reason).toMatch(/canonical record of \d+ bytes, over INGEST_MAX_RECORD_BYTES \(4696\)/);
    expect(routed.flat().map((r) => r.story.uri)).toEqual(['urn:wire:ap:a', 'urn:wire:ap:d']);
    expect(out.records.filter((r) => r.topic === 'c').map((r) => r.key)).toEqual(['urn:wire:ap:a', 'urn:wire:ap:d']);
  });

  it('dead-letters messages with a verdict without working on them, with the verdict\'s reason and attempts', async () => {
    const { pipeline, routed } = setup();
    const verdicts = new Map([['2', { code: 'WIRE_ERR_INGEST_POISON', reason: 'fails on its own', attempts: 9 }]]);
    const out = await pipeline.processChunk([msg(1, env('a|1|one')), msg(2, env('b|1|two')), msg(3, env('c|1|three'))], { verdicts });
    const dead = out.records.filter((r) => r.topic === 'd').map((r) => JSON.parse(r.value) as DeadLetter);
    expect(dead.map((d) => [d.origin.offset, d.code, d.reason, d.attempts])).toEqual([['2', 'WIRE_ERR_INGEST_POISON', 'fails on its own', 9]]);
    expect(routed.flat().map((r) => r.story.uri)).toEqual(['urn:wire:ap:a', 'urn:wire:ap:c']);
  });

  it('dead-letters a document that exceeded a normalize budget with a typed reason; the others go on', async () => {
    const { pipeline } = setup(undefined, undefined, undefined, undefined, {
      normalizeMany: async (jobs) =>
        jobs.map((j) => {
          const text = Buffer.from(j.bytes).toString();
          if (text.startsWith('big')) return { budget: 'memory' as const, detail: 'ran out of its 64 MB heap', ms: 900 };
          if (text.startsWith('slow')) return { budget: 'time' as const, detail: 'still running after 1000 ms', ms: 1000 };
          return { ok: true as const, value: normalize(j.bytes).ok ? (normalize(j.bytes) as { value: CanonicalStory[] }).value : [], ms: 1 };
        }),
    });
    const out = await pipeline.processChunk([msg(1, env('big')), msg(2, env('a|1|one')), msg(3, env('slow'))]);
    const dead = out.records.filter((r) => r.topic === 'd').map((r) => JSON.parse(r.value) as DeadLetter);
    expect(dead.map((d) => [d.origin.offset, d.code])).toEqual([
      ['1', 'WIRE_ERR_INGEST_NORMALIZE_MEMORY'],
      ['3', 'WIRE_ERR_INGEST_NORMALIZE_TIMEOUT'],
    ]);
    expect(dead[0]?.reason).toContain('ran out of its 64 MB heap');
    expect(out.records.filter((r) => r.topic === 'c').map((r) => r.key)).toEqual(['urn:wire:ap:a']);
  });

  it('throws on a store failure (infrastructure), so the consumer retries the chunk', async () => {
    const { pipeline, store } = setup();
    store.put = async () => {
      throw new Error('S3 down');
    };
    await expect(pipeline.processChunk([msg(1, env('a|1|one'))])).rejects.toThrow('S3 down');
  });
});
