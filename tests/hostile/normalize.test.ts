import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFetcher, createMediaProcessor, S3MediaStore, type ImageFetcher } from '@wire/media';
import { NormalizeErrors, toNinjs } from '@wire/normalize';
import type { CanonicalStory } from '@wire/schema';
import { loadIngestConfig } from '@wire/svc-ingest';
import { run as normalizeCommand } from '../../packages/cli/src/commands/normalize';
import { wire } from '../foundation/wire-cli';
import { testConfig, testEnv, testS3Client, uniqueName } from '../helpers/env';
import { deleteS3Prefix, listS3 } from '../ingest/helpers';
import { errorProblems, storiesProblems } from './check';
import { buildCorpus, countByFamily, FAMILIES, type Family, type HostileCase } from './corpus';
import { buildImages, startImageServers, type BombName, type ImageServers, type ImageSet } from './images';

/**
 * The hostile corpus through `wire normalize`: every case through the command's own code, in this
 * process (`run` of packages/cli/src/commands/normalize.ts, stdin in, stdout and stderr out), and
 * one case per family through the `wire` process itself. Each case must end as the command's
 * contract says — exit 2 with one `error WIRE_ERR_*: reason` line and nothing on stdout, or exit 0
 * with clean stories (tests/hostile/check.ts) — within the time and heap a normalize thread of the
 * ingest service is given (the time as CPU time: on a loaded machine wall time says little). The stories' pictures then go through the real media step (the network
 * guard, S3): a server on loopback that the guard must keep every download away from sees no
 * connection, and no picture over the pixel limit is stored.
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const cfg = testConfig();
/** The budgets of one document in the ingest service (its defaults): time, and old-space heap of its thread. */
const budgets = loadIngestConfig(testEnv());
const BUDGET_MS = budgets.INGEST_NORMALIZE_TIMEOUT_MS;
const BUDGET_HEAP_MB = budgets.INGEST_NORMALIZE_MAX_HEAP_MB;
const CATALOGUE = new Set(Object.values(NormalizeErrors.codes));
/** Inputs from this size get a full garbage collection before them (smaller ones once 32 MB of heap built up). */
const GC_BEFORE_BYTES = 64 * 1024;
const GC_AFTER_GROWTH = 32 * 1024 * 1024;

interface Outcome {
  c: HostileCase;
  exit: number;
  code?: string;
  stories: number;
  ms: number;
  /** CPU time of the case: what the time budget is held against, so a loaded machine does not fail it. */
  cpuMs: number;
  heapMb: number;
  problems: string[];
}

let images: ImageSet;
let servers: ImageServers;
let corpus: HostileCase[];
let s3: S3Client;
let fetcher: ImageFetcher;
const prefix = `test/${uniqueName('hostile-normalize')}/`;
const outcomes: Outcome[] = [];

beforeAll(async () => {
  images = await buildImages();
  servers = await startImageServers(images);
  corpus = buildCorpus({ forbiddenPort: servers.forbiddenPort, allowedOrigin: servers.allowedOrigin, images });
  s3 = testS3Client(cfg);
  // Only the image server on its own address is allowed: the loopback one must stay out of reach.
  fetcher = createImageFetcher({ allowPrivateHosts: [servers.allowedHost], limits: { maxBytes: budgets.INGEST_IMAGE_MAX_BYTES } });
}, 300_000);

afterAll(async () => {
  await fetcher?.close();
  await servers?.close();
  if (s3) {
    await deleteS3Prefix(s3, cfg.S3_BUCKET, prefix);
    s3.destroy();
  }
});

/** `wire normalize --source hostile -` in this process, with `bytes` on stdin. */
async function normalizeCli(bytes: Buffer): Promise<{ exit: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => err.push(d));
  stdin.end(bytes);
  const exit = await normalizeCommand(['--source', 'hostile', '-'], { stdout, stderr, stdin, env: {} });
  return { exit, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') };
}

/** The command's contract for one run, and the problems of what it printed. */
function judge(c: HostileCase, r: { exit: number; out: string; err: string }): { code?: string; stories: CanonicalStory[]; problems: string[] } {
  if (r.exit === 2) {
    const line = /^error (\S+): (.+)\n$/.exec(r.err);
    const problems = [...(r.out === '' ? [] : ['stdout not empty on error']), ...(line ? errorProblems(c, line[1] ?? '', line[2] ?? '', CATALOGUE) : [`stderr is not one error line: ${JSON.stringify(r.err.slice(0, 200))}`])];
    return { code: line?.[1], stories: [], problems };
  }
  if (r.exit !== 0) return { stories: [], problems: [`exit ${r.exit}: ${r.err.slice(0, 200)}`] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.out);
  } catch (e) {
    return { stories: [], problems: [`stdout is not JSON: ${(e as Error).message}`] };
  }
  const stories = (Array.isArray(parsed) ? parsed : [parsed]) as CanonicalStory[];
  const problems = [...(r.err === '' ? [] : [`stderr on success: ${r.err.slice(0, 200)}`]), ...storiesProblems(c, stories as unknown as Array<Record<string, unknown>>, stories.map((s) => toNinjs(s)))];
  return { stories, problems };
}

const mb = (bytes: number) => bytes / (1024 * 1024);

describe('the hostile corpus through wire normalize', () => {
  it('every case: a typed error or clean stories, within the time and heap of a normalize thread; pictures never reach a private address', async () => {
    const media = (family: Family) =>
      createMediaProcessor({
        store: new S3MediaStore(s3, { bucket: cfg.S3_BUCKET }),
        fetcher,
        keyPrefix: `${prefix}${family}/`,
        maxEmbeddedBytes: budgets.INGEST_IMAGE_MAX_BYTES,
        maxInputPixels: budgets.INGEST_IMAGE_MAX_PIXELS,
        maxImages: budgets.INGEST_STORY_MAX_IMAGES,
        maxStoryBytes: budgets.INGEST_STORY_MAX_IMAGE_BYTES,
      });
    const processors = new Map(FAMILIES.map((f) => [f, media(f)]));
    // Each distinct picture goes through the media step once (a feed of 1,000 items shows the same one 1,000 times).
    const seen = new Set<string>();
    const spent = { gc: 0, normalize: 0, cpu: 0, judge: 0, media: 0 };
    const lap = (step: Exclude<keyof typeof spent, 'cpu'>, since: number) => {
      const now = performance.now();
      spent[step] += now - since;
      return now;
    };
    let sinceGc = 0;
    for (const c of corpus) {
      let t = performance.now();
      // A full collection first, so the heap a case takes is its own: before every input of some
      // size, and once the small ones before have left enough behind (one per case costs minutes).
      if (c.bytes.length >= GC_BEFORE_BYTES || v8.getHeapStatistics().used_heap_size - sinceGc > GC_AFTER_GROWTH) {
        gc();
        sinceGc = v8.getHeapStatistics().used_heap_size;
      }
      t = lap('gc', t);
      const before = v8.getHeapStatistics();
      const cpu = process.cpuUsage();
      const r = await normalizeCli(c.bytes);
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      spent.cpu += cpuMs;
      const after = v8.getHeapStatistics();
      t = lap('normalize', t);
      const heapMb = mb(Math.max(after.used_heap_size - before.used_heap_size, after.total_heap_size - before.total_heap_size, 0));
      const judged = judge(c, r);
      t = lap('judge', t);
      // The pictures of what came out, through the media step as ingest runs it (guard, caps, S3).
      for (const story of judged.stories) {
        const fresh = story.images.filter((i) => {
          const id = `${c.family} ${i.sourceUrl ?? ''} ${i.embedded ? createHash('sha256').update(i.embedded.base64).digest('hex') : ''}`;
          return !seen.has(id) && seen.add(id);
        });
        if (fresh.length > 0) await processors.get(c.family)?.processImages(fresh);
      }
      lap('media', t);
      outcomes.push({ c, exit: r.exit, code: judged.code, stories: judged.stories.length, ms, cpuMs, heapMb, problems: judged.problems });
    }

    // The summary, and the figures it prints checked against the corpus.
    const rows = FAMILIES.map((family) => {
      const mine = outcomes.filter((o) => o.c.family === family);
      const slowest = mine.reduce((a, b) => (b.ms > a.ms ? b : a));
      const largest = mine.reduce((a, b) => (b.heapMb > a.heapMb ? b : a));
      return { family, cases: mine.length, refused: mine.filter((o) => o.exit === 2).length, clean: mine.filter((o) => o.exit === 0).length, slowestMs: Math.round(slowest.ms), slowestCpuMs: Math.round(slowest.cpuMs), slowest: slowest.c.id, heapMb: Math.round(largest.heapMb), largest: largest.c.id };
    });
    const slowest = outcomes.reduce((a, b) => (b.ms > a.ms ? b : a));
    const largest = outcomes.reduce((a, b) => (b.heapMb > a.heapMb ? b : a));
    const codes = new Map<string, number>();
    for (const o of outcomes) if (o.code) codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
    console.log(
      [
        `hostile corpus through wire normalize: ${outcomes.length} cases, ${outcomes.filter((o) => o.exit === 2).length} refused with a typed error, ${outcomes.filter((o) => o.exit === 0).length} clean stories (budget per case ${BUDGET_MS} ms of CPU, ${BUDGET_HEAP_MB} MB heap)`,
        ...rows.map((r) => `  ${r.family.padEnd(11)} ${String(r.cases).padStart(4)} cases  ${String(r.refused).padStart(4)} refused  ${String(r.clean).padStart(4)} clean  slowest ${String(r.slowestMs).padStart(6)} ms, ${String(r.slowestCpuMs).padStart(6)} ms CPU (${r.slowest})  heap ${String(r.heapMb).padStart(4)} MB (${r.largest})`),
        `  codes: ${[...codes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `  slowest case: ${slowest.c.id}, ${Math.round(slowest.ms)} ms (${Math.round(slowest.cpuMs)} ms of CPU), ${(slowest.c.bytes.length / 1e6).toFixed(2)} MB in`,
        `  largest heap growth: ${largest.c.id}, ${Math.round(largest.heapMb)} MB, ${(largest.c.bytes.length / 1e6).toFixed(2)} MB in`,
        `  time spent: normalize ${(spent.normalize / 1000).toFixed(1)} s (${(spent.cpu / 1000).toFixed(1)} s of CPU), checking the output ${(spent.judge / 1000).toFixed(1)} s, media ${(spent.media / 1000).toFixed(1)} s, gc ${(spent.gc / 1000).toFixed(1)} s; load average ${loadavg()[0]?.toFixed(1)}`,
      ].join('\n'),
    );
    const counts = countByFamily(corpus);
    for (const r of rows) {
      expect(r.cases, r.family).toBe(counts[r.family]);
      expect(r.refused + r.clean, r.family).toBe(r.cases);
    }
    expect(rows.reduce((n, r) => n + r.cases, 0)).toBe(corpus.length);
    expect(Math.max(...rows.map((r) => r.slowestMs))).toBe(Math.round(slowest.ms));
    expect(Math.max(...rows.map((r) => r.heapMb))).toBe(Math.round(largest.heapMb));

    const failed = outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.c.id}: ${o.problems.slice(0, 3).join('; ')}`);
    expect(failed, failed.slice(0, 20).join('\n')).toEqual([]);
    const overBudget = outcomes.filter((o) => o.cpuMs > BUDGET_MS || o.heapMb > BUDGET_HEAP_MB).map((o) => `${o.c.id}: ${Math.round(o.cpuMs)} ms of CPU, ${Math.round(o.heapMb)} MB`);
    expect(overBudget).toEqual([]);

    // Seen from the outside: no connection ever reached the loopback server (SSRF spellings,
    // redirects to it, XXE and DTD references), nothing of the SSRF cases was stored, and no
    // picture over the pixel limit was stored.
    expect(servers.forbiddenHits()).toEqual([]);
    expect(servers.allowedRequests().some((p) => p.startsWith('/bomb/'))).toBe(true);
    const storedUnder = async (family: Family) => new Set((await listS3(s3, cfg.S3_BUCKET, `${prefix}${family}/media/`)).map((k) => /media\/([0-9a-f]{64})\.\w+$/.exec(k)?.[1]).filter(Boolean));
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    // The loopback server answers with the good picture: had any SSRF download got through, it would be stored.
    expect((await storedUnder('ssrf')).has(sha256(images.good))).toBe(false);
    expect((await storedUnder('link')).has(sha256(images.good))).toBe(true);
    const stored = await storedUnder('image-bomb');
    // (The GIF with a 65,535² screen decodes as its 1×1 frame: no bomb for the decoder, and stored.)
    const overLimit: BombName[] = ['png-pixel-flood', 'jpeg-65500x65500'];
    for (const bomb of overLimit) expect(stored.has(sha256(images.bombs[bomb])), bomb).toBe(false);
  }, 1_800_000);

  it('the wire process itself, one case per family: the same outcome as in process, one error line or clean JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hostile-'));
    try {
      for (const family of FAMILIES) {
        const c = corpus.find((x) => x.family === family) as HostileCase;
        const inProcess = judge(c, await normalizeCli(c.bytes));
        const file = join(dir, `${family}.doc`);
        await writeFile(file, c.bytes);
        const r = await wire(['normalize', '--source', 'hostile', file], {}, 120_000);
        const judged = judge(c, { exit: r.code ?? -1, out: r.stdout, err: r.stderr });
        expect(judged.problems, c.id).toEqual([]);
        expect([judged.code, judged.stories.length], c.id).toEqual([inProcess.code, inProcess.stories.length]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
