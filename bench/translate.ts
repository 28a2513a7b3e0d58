/**
 * `wire bench translate [--json] [--size N] [--parallel P] [--segments C]`
 *
 * Words per second and p95 per story, translating real English wire stories (the seed page and
 * the English fixtures, normalized) into Spanish with Apertium APY through the whole story
 * translator — segmentation, name protection, batching, P stories and C requests in flight (APY
 * runs `--max-pipes-per-pair` pipelines; `wire infra up` starts it with 2) — beside raw APY
 * `/translate` calls of the same text in the same run: one request per story (the engine at its
 * best, the ratio's baseline) and one per paragraph (what a naive client does).
 * Then the same stories again with a warm Redis cache (a re-send: no provider call).
 * Also tries the story translator with one segment request at a time, to show what parallel
 * pipelines buy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pMap from 'p-map';
import { Agent, request } from 'undici';
import { CommonConfigSchema, loadConfig } from '@wire/config';
import { normalize } from '@wire/normalize';
import type { CanonicalStory } from '@wire/schema';
import { cleanText, escapeText } from '@wire/text';
import {
  createApertiumTranslator,
  createRedisTranslationCache,
  createStoryTranslator,
  createTranslationRouter,
  splitBlocks,
} from '@wire/translate';
import type { CommandIO } from '../packages/cli/src/io';
import { flag, percentile } from './args';

const countWords = (t: string) => t.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;

/** Words the story translator sends: headline, paragraphs, captions. */
function storyWords(s: CanonicalStory): number {
  const body = s.bodyHtml ? splitBlocks(s.bodyHtml).map(cleanText) : s.body;
  return countWords(s.headline) + body.reduce((n, p) => n + countWords(p), 0) + s.images.reduce((n, i) => n + countWords(i.caption ?? ''), 0);
}

/** English stories from the seed and the wire fixtures, normalized. */
function corpus(): CanonicalStory[] {
  const root = fileURLToPath(new URL('../tests/fixtures/', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'schemas') walk(p);
      } else if (/\.(xml|json|txt|html)$/.test(name) && !/SOURCES/.test(name)) files.push(p);
    }
  };
  walk(join(root, 'seed'));
  walk(join(root, 'wire'));
  const stories: CanonicalStory[] = [];
  for (const f of files) {
    const r = normalize(readFileSync(f), { filename: f });
    if (!r.ok) continue;
    for (const s of r.value) if ((s.language ?? 'en').startsWith('en') && s.pubStatus === 'usable' && s.wordCount >= 30) stories.push(s);
  }
  const seen = new Set<string>();
  return stories.filter((s) => !seen.has(s.contentHash) && seen.add(s.contentHash));
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const json = argv.includes('--json');
  const size = flag(argv, 'size', 60);
  const parallel = flag(argv, 'parallel', 2);
  const segments = flag(argv, 'segments', 2);
  const config = loadConfig(CommonConfigSchema, io.env);
  const say = (line: string) => io.stderr.write(`${line}\n`);

  const base = corpus();
  if (base.length === 0) {
    io.stderr.write('error WIRE_ERR_BENCH: no English stories in tests/fixtures\n');
    return 1;
  }
  // Each story is made distinct (a numbered headline) so no run can profit from another's work.
  const stories = Array.from({ length: size }, (_, i) => {
    const s = base[i % base.length]!;
    return { ...s, uri: `${s.uri}:bench${i}`, headline: `${s.headline} (${i})`, contentHash: `${s.contentHash}-${i}-${Date.now()}` };
  });
  const totalWords = stories.reduce((n, s) => n + storyWords(s), 0);
  say(`translate bench: ${stories.length} stories (${base.length} distinct English wire stories), ${totalWords} words, en>es on ${config.APERTIUM_URL}`);
  say(`  ${parallel} stories × ${segments} segment requests in flight`);

  // Raw baseline: the same paragraphs straight to APY, same total concurrency, no protection/assembly.
  const agent = new Agent({ connections: parallel * segments });
  const raw = async (q: string, format: string) => {
    const res = await request(`${config.APERTIUM_URL}/translate`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ langpair: 'eng|spa', q, format, markUnknown: 'no' }).toString(),
    });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`APY ${res.statusCode}: ${body.slice(0, 200)}`);
  };
  const rawPieces = stories.flatMap((s) => [
    { q: s.headline, f: 'txt' },
    ...(s.bodyHtml ? splitBlocks(s.bodyHtml).map((b) => ({ q: b, f: 'html' })) : s.body.map((p) => ({ q: p, f: 'txt' }))),
    ...s.images.filter((i) => i.caption).map((i) => ({ q: i.caption!, f: 'txt' })),
  ]);
  // The engine at its best: each story's text as one HTML document, one request per story.
  const rawDocs = stories.map((s) =>
    [`<p>${escapeText(s.headline)}</p>`, ...(s.bodyHtml ? splitBlocks(s.bodyHtml) : s.body.map((p) => `<p>${escapeText(p)}</p>`)), ...s.images.filter((i) => i.caption).map((i) => `<p>${escapeText(i.caption!)}</p>`)].join('\n'),
  );
  await raw('warm up the pipeline', 'txt');
  say('raw APY /translate, one request per paragraph …');
  let t0 = performance.now();
  await pMap(rawPieces, (p) => raw(p.q, p.f), { concurrency: parallel * segments });
  const rawParaSec = (performance.now() - t0) / 1000;
  say(`  raw per paragraph: ${rawPieces.length} requests in ${rawParaSec.toFixed(2)} s → ${(totalWords / rawParaSec).toFixed(0)} words/s`);
  say('raw APY /translate, one request per story …');
  t0 = performance.now();
  await pMap(rawDocs, (d) => raw(d, 'html'), { concurrency: parallel });
  const rawSec = (performance.now() - t0) / 1000;
  const rawWordsPerSec = totalWords / rawSec;
  say(`  raw per story: ${rawDocs.length} requests in ${rawSec.toFixed(2)} s → ${rawWordsPerSec.toFixed(0)} words/s`);

  const redis = new Redis(config.REDIS_URL);
  const prefix = `bench:translate:${process.pid}:${Date.now().toString(36)}`;
  const measure = async (label: string, conc: number, storyParallel: number, withCache: boolean) => {
    const apertium = createApertiumTranslator({ url: config.APERTIUM_URL, concurrency: conc });
    const st = createStoryTranslator({
      router: createTranslationRouter({ providers: [apertium], routes: { '*': ['apertium'] } }),
      cache: withCache ? createRedisTranslationCache(redis, { ttlSeconds: 3600 }) : undefined,
      cachePrefix: prefix,
    });
    const latencies: number[] = [];
    let cached = 0;
    let lost = 0;
    const start = performance.now();
    await pMap(
      stories,
      async (s) => {
        const t = performance.now();
        const r = await st.translate(s, 'es');
        latencies.push(performance.now() - t);
        if (r.cached) cached++;
        lost += r.missingTerms.length;
      },
      { concurrency: storyParallel },
    );
    const sec = (performance.now() - start) / 1000;
    await apertium.close();
    latencies.sort((a, b) => a - b);
    const out = { wordsPerSec: totalWords / sec, p95Ms: percentile(latencies, 95), p50Ms: percentile(latencies, 50), cached, lost, sec };
    say(
      `  ${label}: ${sec.toFixed(2)} s → ${out.wordsPerSec.toFixed(0)} words/s, p50 ${out.p50Ms.toFixed(0)} ms, p95 ${out.p95Ms.toFixed(0)} ms per story` +
        `${cached ? `, ${cached} cache hits` : ''}${lost ? `, ${lost} protected terms lost` : ''}`,
    );
    return out;
  };

  try {
    say('story translator, one story and one request at a time …');
    const serial = await measure('1 request in flight', 1, 1, false);
    say('story translator, parallel pipelines (cold: fills the cache) …');
    const cold = await measure(`${parallel}×${segments} in flight`, segments, parallel, true);
    say('story translator, warm cache (re-send) …');
    const warm = await measure('warm cache', segments, parallel, true);

    const result = {
      wordsPerSec: Math.round(cold.wordsPerSec),
      p95Ms: Math.round(cold.p95Ms),
      rawWordsPerSec: Math.round(rawWordsPerSec),
      rawPerParagraphWordsPerSec: Math.round(totalWords / rawParaSec),
      ratio: Number((cold.wordsPerSec / rawWordsPerSec).toFixed(3)),
      serialWordsPerSec: Math.round(serial.wordsPerSec),
      serialP95Ms: Math.round(serial.p95Ms),
      warmWordsPerSec: Math.round(warm.wordsPerSec),
      warmP95Ms: Number(warm.p95Ms.toFixed(2)),
      warmCacheHits: warm.cached,
      stories: stories.length,
      words: totalWords,
      inFlight: parallel * segments,
    };
    io.stdout.write(
      [
        '',
        `translate en>es (Apertium)   ${result.wordsPerSec} words/s   p95 ${result.p95Ms} ms/story   (${result.inFlight} requests in flight)`,
        `raw APY, story per request   ${result.rawWordsPerSec} words/s   ratio ${result.ratio}`,
        `raw APY, paragraph/request   ${result.rawPerParagraphWordsPerSec} words/s`,
        `one request at a time        ${result.serialWordsPerSec} words/s   p95 ${result.serialP95Ms} ms/story`,
        `warm cache (re-send)         ${result.warmWordsPerSec} words/s   p95 ${result.warmP95Ms} ms/story   ${result.warmCacheHits}/${result.stories} hits`,
        '',
      ].join('\n'),
    );
    if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    await redis.quit();
    await agent.close();
  }
}
