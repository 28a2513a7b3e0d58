/**
 * `wire bench dedupe [--json] [--size N] [--checks M] [--batch B] [--no-overlap] [--redis-url URL]`
 *
 * The dedupe index at scale. Indexes N wire stories (default 1,000,000, spread over the 30-day
 * window; text from the ingest bench's generator, decided by the engine, so the index holds real
 * fingerprints), then measures, beside raw pipelined Redis operations in the same run:
 * - check+insert throughput: M items of a stream that refers back to the index
 *   (`dedupe-corpus.ts`: new stories, re-sends, updates, corrections, kills, other agencies'
 *   near-duplicates and look-alikes of indexed stories) through `DedupeEngine.decideMany` in
 *   batches of B — fingerprinting included (the next batch is fingerprinted while the current
 *   one is at Redis; `--no-overlap` waits instead);
 * - p50/p99 latency of one check by decision kind: `decide()` one story at a time, after 3,000
 *   untimed ones (the steady state of single checks, not the transient right after the batches);
 * - how many stream items got the decision they were built to get (`decidedAsBuilt`);
 * - Redis memory per indexed story (used_memory before/after the index, / N).
 *
 * By default it starts its own `redis-server` on a free loopback port (so the memory figure is
 * not mixed with other users of the shared Redis) and stops it by PID at the end; with
 * `--redis-url` it uses that server under a unique prefix and deletes its keys afterwards.
 * JSON keys: indexSize, checksPerSec, p99Ms, p99SettlingMs (the untimed first single checks),
 * bytesPerStory, rawRedisOpsPerSec, rawHgetP99Ms, indexPerSec, replicaBytesPerStory and
 * replicaLoadSecs (the index replica in process), fingerprintsPerSec, decisions (counts by kind),
 * p50ByKind, p99ByKind, decidedAsBuilt, nodeUsPerCheck,
 * redisUsPerCheck (script wall time per check+insert), redisCpuUsPerCheck (the server's CPU per
 * check+insert; null with --redis-url).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { DedupeEngine, RedisDedupeStore, fingerprintStory } from '@wire/dedupe';
import { freePort } from '@wire/infra';
import type { CommandIO } from '../packages/cli/src/io';
import { flag, option, percentile, redisCpuMicros } from './args';
import { checkedItem, indexedStory, type CheckedItem } from './dedupe-corpus';

/** Single checks made untimed before `--latency` more are timed (see the latency phase). */
const LATENCY_WARMUP = 3000;

async function startRedis(): Promise<{ url: string; child: ChildProcess } | null> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: 'ignore',
  });
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  if (failed) return null;
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  for (let i = 0; i < 50; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { url, child };
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGTERM');
  return null;
}

/** Microseconds Redis has spent in scripts (EVAL/EVALSHA) since start. */
async function scriptMicros(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let us = 0;
  for (const m of info.matchAll(/cmdstat_(?:evalsha|eval):calls=\d+,usec=(\d+)/g)) us += Number(m[1]);
  return us;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const json = argv.includes('--json');
  const size = flag(argv, 'size', 1_000_000, { whole: true });
  const checks = flag(argv, 'checks', Math.min(20_000, Math.max(1000, Math.floor(size / 20))), { whole: true });
  const batch = flag(argv, 'batch', 500, { whole: true });
  const overlap = !argv.includes('--no-overlap');
  const latencyN = flag(argv, 'latency', 2000, { whole: true });
  const say = (s: string) => io.stderr.write(`${s}\n`);

  let url = option(argv, 'redis-url');
  let own: { url: string; child: ChildProcess } | null = null;
  if (!url) {
    own = await startRedis();
    url = own?.url ?? io.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    say(own ? `started redis-server (pid ${own.child.pid}) at ${url}` : `no redis-server binary: using ${url}`);
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const prefix = `wire:bench-dedupe:${process.pid}-${Date.now().toString(36)}`;
  const windowDays = 30;
  const store = new RedisDedupeStore({ redis, prefix, windowDays });
  const today = Math.floor(Date.now() / 86_400_000);
  try {
    // 1. Index: N wire stories, oldest first, spread over the window, decided by the engine in
    //    batches (each is `new`: nothing indexed shares its text), so the index holds the
    //    fingerprints of copy that the checked stream below can match.
    const before = await usedMemory(redis);
    const heapBefore = process.memoryUsage();
    const indexer = new DedupeEngine({ store, windowDays });
    const t0 = performance.now();
    const chunk = 2000;
    const indexCounts: Record<string, number> = {};
    for (let i = 0; i < size; i += chunk) {
      const items = [];
      for (let j = i; j < Math.min(size, i + chunk); j++) {
        const day = today - windowDays + 1 + Math.floor((j * windowDays) / size);
        items.push({ story: indexedStory(j), receivedAt: new Date(day * 86_400_000 + 3_600_000).toISOString() });
      }
      for (const d of await indexer.decideMany(items)) indexCounts[d.kind] = (indexCounts[d.kind] ?? 0) + 1;
      if ((i / chunk) % 50 === 0) say(`indexed ${i.toLocaleString('en')} / ${size.toLocaleString('en')} (${Math.round(i / ((performance.now() - t0) / 1000) || 0)}/s)`);
    }
    const indexSecs = (performance.now() - t0) / 1000;
    const after = await usedMemory(redis);
    const bytesPerStory = (after - before) / size;
    const heapAfter = process.memoryUsage();
    const replicaBytesPerStory = (heapAfter.arrayBuffers - heapBefore.arrayBuffers) / size;
    say(`index: ${size.toLocaleString('en')} stories in ${indexSecs.toFixed(1)} s (${Math.round(size / indexSecs)}/s, ${JSON.stringify(indexCounts)}); Redis memory ${(after - before) / 1e6} MB = ${bytesPerStory.toFixed(1)} bytes/story; replica in this process ${replicaBytesPerStory.toFixed(1)} bytes/story`);

    // A second process's view: a new store on the same prefix loads the replica at first use.
    const loadRedis = new Redis(url, { maxRetriesPerRequest: 3 });
    const tl = performance.now();
    const loader = new RedisDedupeStore({ redis: loadRedis, prefix, windowDays });
    await loader.exclusive(async () => undefined);
    const replicaLoadSecs = (performance.now() - tl) / 1000;
    loadRedis.disconnect();
    say(`replica load: ${size.toLocaleString('en')} records in ${replicaLoadSecs.toFixed(2)} s`);

    // 2. Check+insert throughput through the engine, batched.
    const engine = new DedupeEngine({ store, windowDays });
    const stream: CheckedItem[] = Array.from({ length: checks + LATENCY_WARMUP + latencyN }, (_, k) => checkedItem(k, size, 7));
    const stories = stream.map((item) => item.story);
    const receivedAt = new Date().toISOString();
    const tf = performance.now();
    for (const s of stories.slice(0, Math.min(2000, checks))) fingerprintStory(s);
    const fingerprintsPerSec = Math.min(2000, checks) / ((performance.now() - tf) / 1000);
    say(`fingerprint only (pure, no Redis): ${Math.round(fingerprintsPerSec)}/s`);
    /** Decisions by kind, and by variant of the stream: how many got the decision they should. */
    const counts: Record<string, number> = {};
    const byVariant = new Map<string, { items: number; expected: number; got: Record<string, number> }>();
    const tally = (item: CheckedItem, kind: string) => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      const v = byVariant.get(item.variant) ?? { items: 0, expected: 0, got: {} };
      v.items++;
      if (kind === item.expect) v.expected++;
      v.got[kind] = (v.got[kind] ?? 0) + 1;
      byVariant.set(item.variant, v);
    };
    const redisBefore = await scriptMicros(redis);
    const redisCpuBefore = await redisCpuMicros(redis);
    const cpuBefore = process.cpuUsage();
    const t1 = performance.now();
    // Pipelined like a consumer: the next batch is fingerprinted (pure CPU) while the current
    // one is at Redis, so this process's CPU and Redis's overlap instead of taking turns.
    const fingerprints = (from: number) => stories.slice(from, Math.min(checks, from + batch)).map((s) => fingerprintStory(s));
    let ahead = fingerprints(0);
    for (let i = 0; i < checks; i += batch) {
      const fps = ahead;
      const deciding = engine.decideMany(stories.slice(i, Math.min(checks, i + batch)).map((story, k) => ({ story, receivedAt, fingerprint: fps[k] })));
      if (!overlap) await deciding;
      else await new Promise((resolve) => setImmediate(resolve)); // the lookups are on the wire
      ahead = fingerprints(i + batch);
      const ds = await deciding;
      ds.forEach((d, k) => tally(stream[i + k]!, d.kind));
    }
    const checksPerSec = checks / ((performance.now() - t1) / 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const nodeUsPerCheck = (cpu.user + cpu.system) / checks;
    const redisUsPerCheck = ((await scriptMicros(redis)) - redisBefore) / checks;
    // Script time is wall time inside Redis: on a loaded machine it includes waiting for a core.
    // The server's CPU time (its own redis-server only) does not, but includes reading requests.
    const redisCpuUsPerCheck = ((await redisCpuMicros(redis)) - redisCpuBefore) / checks;
    say(
      `cost per check+insert: ${nodeUsPerCheck.toFixed(1)} µs of this process's CPU, ${redisUsPerCheck.toFixed(1)} µs of Redis script time, ${redisCpuUsPerCheck.toFixed(1)} µs of Redis CPU`,
    );
    say(`check+insert: ${checks} stories in batches of ${batch}: ${Math.round(checksPerSec)}/s (${JSON.stringify(counts)})`);

    // 3. Latency of one check (one story per call), in the steady state of single checks: the
    //    first LATENCY_WARMUP are not timed (right after the batches above, V8 is still collecting
    //    and re-optimizing for a while, and a check then took 2-3 ms at p99 instead of ~0.5).
    const settling: number[] = [];
    for (let i = checks; i < checks + LATENCY_WARMUP; i++) {
      const s = performance.now();
      tally(stream[i]!, (await engine.decide(stories[i]!, { receivedAt })).kind);
      settling.push(performance.now() - s);
    }
    settling.sort((a, b) => a - b);
    const p99SettlingMs = percentile(settling, 99);
    say(`one check, the first ${LATENCY_WARMUP} right after the batches (untimed for p99Ms): p50 ${percentile(settling, 50).toFixed(3)} ms, p99 ${p99SettlingMs.toFixed(3)} ms`);
    const lat: number[] = [];
    const latByKind = new Map<string, number[]>();
    for (let i = checks + LATENCY_WARMUP; i < checks + LATENCY_WARMUP + latencyN; i++) {
      const s = performance.now();
      const d = await engine.decide(stories[i]!, { receivedAt });
      const ms = performance.now() - s;
      lat.push(ms);
      tally(stream[i]!, d.kind);
      // In place: a copy per check was megabytes of garbage, and its scavenges were timed too.
      const list = latByKind.get(d.kind);
      if (list) list.push(ms);
      else latByKind.set(d.kind, [ms]);
    }
    lat.sort((a, b) => a - b);
    const p99Ms = percentile(lat, 99);
    say(`one check: p50 ${percentile(lat, 50).toFixed(3)} ms, p99 ${p99Ms.toFixed(3)} ms over ${latencyN}`);
    const p99ByKind: Record<string, number> = {};
    const p50ByKind: Record<string, number> = {};
    for (const [kind, ms] of latByKind) {
      ms.sort((a, b) => a - b);
      p99ByKind[kind] = Number(percentile(ms, 99).toFixed(3));
      p50ByKind[kind] = Number(percentile(ms, 50).toFixed(3));
      say(`  ${kind} (${ms.length}): p50 ${percentile(ms, 50).toFixed(3)} ms, p90 ${percentile(ms, 90).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms, max ${ms.at(-1)!.toFixed(3)} ms`);
    }
    let expected = 0;
    for (const [variant, v] of byVariant) {
      expected += v.expected;
      say(`  stream ${variant}: ${v.items} items, ${v.expected} decided as built (${JSON.stringify(v.got)})`);
    }
    const decidedAsBuilt = expected / stream.length;

    // 4. Raw baseline in the same run: pipelined HGET+HSET on small hashes, same batch size.
    const rawKey = `${prefix}:raw`;
    const rawOps = Math.max(20_000, checks * 4);
    const t2 = performance.now();
    for (let i = 0; i < rawOps; i += batch * 2) {
      const pipe = redis.pipeline();
      for (let j = 0; j < batch; j++) {
        const f = String((i + j * 2) % 100_000);
        pipe.hget(`${rawKey}:${f.length}:${Number(f) & 1023}`, f);
        pipe.hset(`${rawKey}:${f.length}:${Number(f) & 1023}`, f, '123456');
      }
      await pipe.exec();
    }
    const rawRedisOpsPerSec = rawOps / ((performance.now() - t2) / 1000);
    const rawLat: number[] = [];
    for (let i = 0; i < latencyN; i++) {
      const s = performance.now();
      await redis.hget(`${rawKey}:5:${i & 1023}`, String(i));
      rawLat.push(performance.now() - s);
    }
    rawLat.sort((a, b) => a - b);
    say(`raw Redis: ${Math.round(rawRedisOpsPerSec)} pipelined ops/s; one HGET p99 ${percentile(rawLat, 99).toFixed(3)} ms`);
    say(`ratio: one check+insert costs ${(rawRedisOpsPerSec / checksPerSec).toFixed(1)} raw pipelined ops`);

    const result = {
      indexSize: size,
      checksPerSec: Math.round(checksPerSec),
      p99Ms: Number(p99Ms.toFixed(3)),
      p99SettlingMs: Number(p99SettlingMs.toFixed(3)),
      bytesPerStory: Number(bytesPerStory.toFixed(1)),
      rawRedisOpsPerSec: Math.round(rawRedisOpsPerSec),
      rawHgetP99Ms: Number(percentile(rawLat, 99).toFixed(3)),
      indexPerSec: Math.round(size / indexSecs),
      replicaBytesPerStory: Number(replicaBytesPerStory.toFixed(1)),
      replicaLoadSecs: Number(replicaLoadSecs.toFixed(2)),
      fingerprintsPerSec: Math.round(fingerprintsPerSec),
      decisions: counts,
      p50ByKind,
      p99ByKind,
      decidedAsBuilt: Number(decidedAsBuilt.toFixed(4)),
      nodeUsPerCheck: Number(nodeUsPerCheck.toFixed(1)),
      redisUsPerCheck: Number(redisUsPerCheck.toFixed(1)),
      // Only meaningful on the bench's own redis-server (not with --redis-url).
      redisCpuUsPerCheck: own ? Number(redisCpuUsPerCheck.toFixed(1)) : null,
    };
    if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else io.stdout.write(`${Object.entries(result).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`).join('\n')}\n`);
    return 0;
  } finally {
    if (own) {
      redis.disconnect();
      own.child.kill('SIGTERM');
    } else {
      await store.deleteAll();
      redis.disconnect();
    }
  }
}
