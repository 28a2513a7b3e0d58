/**
 * `wire bench normalize [--json] [--size N]`
 *
 * Stories per second through `normalize()` over every wire fixture a parser takes, the seed (as
 * plain text and as an HTML page) and a set of HTML pages in four site layouts; and, in the same
 * run on the same HTML pages, Mozilla Readability's own throughput (linkedom DOM +
 * `new Readability(doc).parse()`, the extractor we build on). `ratio` = our HTML pages/s over
 * Readability's pages/s. Ours does more per page: pictures with captions, credits and source
 * URLs, bylines with e-mail, the originating outlet, dateline, language, chrome lines and
 * doubled captions out of the copy, sanitized one-<p>-per-paragraph HTML and a content hash.
 * Rounds alternate between the two so machine noise hits both alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import { normalize } from '@wire/normalize';
import { parseHtmlPage } from '../packages/normalize/src/formats/html';
import type { CommandIO } from '../packages/cli/src/io';
import { flag } from './args';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'schemas' ? [] : walk(p);
    return /\.(xml|json|txt|html?|eml|7901|anpa)$/i.test(name) && name !== 'expected.json' ? [p] : [];
  });
}

interface Corpus {
  /** Every input a parser takes (fixtures, seed, pages), as bytes. */
  all: Array<{ name: string; bytes: Uint8Array; stories: number }>;
  /** The HTML pages, as text. */
  pages: Array<{ name: string; html: string }>;
}

function corpus(): Corpus {
  const root = fileURLToPath(new URL('../tests/fixtures/', import.meta.url));
  const files = [...walk(join(root, 'wire')), ...walk(join(root, 'seed'))];
  const all: Corpus['all'] = [];
  const pages: Corpus['pages'] = [];
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    const r = normalize(bytes);
    if (!r.ok) continue;
    const name = f.slice(root.length);
    all.push({ name, bytes, stories: r.value.length });
    if (r.value[0]?.format === 'html') pages.push({ name, html: Buffer.from(bytes).toString('utf8') });
  }
  return { all, pages };
}

function readabilityOnce(html: string): number {
  const { document } = parseHTML(html);
  const article = new Readability(document as never).parse();
  return article?.content?.length ?? 0;
}

function oursOnce(html: string): number {
  const r = normalize(html);
  return r.ok ? r.value.length : 0;
}

/**
 * Alternates the two extractors page by page (ours first on even passes, Readability first on odd
 * ones) for at least `ms`, timing each call, so load on the machine falls on both alike.
 */
function headToHead(pages: Array<{ html: string }>, ms: number): { ours: number; readability: number } {
  let tOurs = 0;
  let tRead = 0;
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  for (let pass = 0; performance.now() - t0 < ms; pass++) {
    for (const p of pages) {
      for (const which of pass % 2 === 0 ? [0, 1] : [1, 0]) {
        const a = performance.now();
        sink += which === 0 ? oursOnce(p.html) : readabilityOnce(p.html);
        const d = performance.now() - a;
        if (which === 0) tOurs += d;
        else tRead += d;
      }
      n++;
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return { ours: (n * 1000) / tOurs, readability: (n * 1000) / tRead };
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const json = argv.includes('--json');
  const rounds = flag(argv, 'size', 5);
  const log = (s: string): void => {
    io.stderr.write(`${s}\n`);
  };
  const c = corpus();
  const paths = new Map<string, number>();
  for (const p of c.pages) {
    const path = parseHtmlPage(p.html).path;
    paths.set(path, (paths.get(path) ?? 0) + 1);
  }
  const storiesPerPass = c.all.reduce((n, x) => n + x.stories, 0);
  log(`normalize bench: ${c.all.length} inputs (${storiesPerPass} stories) incl. ${c.pages.length} HTML pages; ${rounds} rounds`);

  // Warm up both paths (JIT, lazy module state) before measuring.
  for (let i = 0; i < 3; i++) {
    for (const p of c.pages) {
      readabilityOnce(p.html);
      oursOnce(p.html);
    }
  }

  const ours: number[] = [];
  // CPU time of this process too: on a shared, loaded machine wall-clock rates mostly measure the
  // neighbours, while stories per CPU-second measure the code.
  const cpuRates: number[] = [];
  const oursHtml: number[] = [];
  const readability: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let stories = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const x of c.all) {
      const res = normalize(x.bytes);
      if (res.ok) stories += res.value.length;
    }
    const cpu = process.cpuUsage(cpu0);
    ours.push((stories * 1000) / (performance.now() - t0));
    cpuRates.push((stories * 1e6) / (cpu.user + cpu.system));
    const h = headToHead(c.pages, 1500);
    readability.push(h.readability);
    oursHtml.push(h.ours);
    log(`  round ${r + 1}: all inputs ${ours[r]!.toFixed(0)} stories/s | HTML pages: ours ${h.ours.toFixed(0)}/s, readability ${h.readability.toFixed(0)}/s`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const storiesPerSec = Math.round(median(ours));
  const htmlPerSec = Math.round(median(oursHtml));
  const cpuStoriesPerSec = Math.round(median(cpuRates));
  const readabilityPerSec = Math.round(median(readability));
  // Each round timed both on the same pages under the same load: the median of those ratios.
  const ratio = Number(median(oursHtml.map((o, i) => o / readability[i]!)).toFixed(2));

  // What each extracts from the same pages.
  let images = 0;
  let credits = 0;
  let bylines = 0;
  let rBylines = 0;
  for (const p of c.pages) {
    const r = normalize(p.html);
    if (r.ok) {
      for (const s of r.value) {
        images += s.images.length;
        credits += s.images.filter((i) => i.credit).length;
        bylines += s.bylines.length;
      }
    }
    const { document } = parseHTML(p.html);
    if (new Readability(document as never).parse()?.byline) rBylines++;
  }
  io.stdout.write(`normalize, all inputs (median of ${rounds}):        ${storiesPerSec} stories/s\n`);
  io.stdout.write(`normalize, all inputs, per CPU-second:           ${cpuStoriesPerSec} stories/s\n`);
  io.stdout.write(`normalize, HTML pages only:                     ${htmlPerSec} pages/s\n`);
  io.stdout.write(`baseline: @mozilla/readability on linkedom:     ${readabilityPerSec} pages/s\n`);
  io.stdout.write(`ratio (ours / readability, median per round):  ${ratio}x\n`);
  io.stdout.write(`our article finder per page: ${[...paths].map(([k, v]) => `${k} ${v}`).join(', ')} (readability = Mozilla Readability inside ours)\n`);
  io.stdout.write(`extracted from ${c.pages.length} pages: ours ${images} pictures (${credits} with credit), ${bylines} bylines; readability ${rBylines} byline strings, no pictures/credits\n`);
  if (json) io.stdout.write(`${JSON.stringify({ storiesPerSec, readabilityPerSec, ratio, htmlPerSec, cpuStoriesPerSec, inputs: c.all.length, pages: c.pages.length, rounds })}\n`);
  return 0;
}
