/** Synthetic wire copy for benchmarks: deterministic per seed, shaped like real wire text. */

// Wire-like text. Words are drawn by Zipf's law (rank r with probability ∝ 1/r) from 50,000
// words: the 40 commonest words of the Reuters dev set (tests/fixtures/datasets/dedupe-dev.jsonl) first,
// then made-up words of two or three syllables. That gives the dev set's shape: there the 10, 100
// and 1,000 commonest words make 20%, 45% and 78% of the tokens; here 26%, 46% and 66%. (A uniform
// draw from made-up words has no function words at all, which sends every story through the slow
// trigram language detector that real copy never needs, and no frequent words to cache.)
const COMMON = 'the to of in and said a for mln it on dlrs pct by is from that be with will vs at its year was he an billion company has this would not as loss share which were'.split(' ');
const SYLLABLES = 'ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu'.split(' ');
const VOCABULARY = 50_000;
const ZIPF_CDF = (() => {
  const cdf = new Float64Array(VOCABULARY);
  let sum = 0;
  for (let r = 0; r < VOCABULARY; r++) cdf[r] = sum += 1 / (r + 1);
  for (let r = 0; r < VOCABULARY; r++) cdf[r]! /= sum;
  return cdf;
})();

/** The word of rank `r` (0-based): distinct for every rank. */
function wordAt(r: number): string {
  if (r < COMMON.length) return COMMON[r]!;
  let k = r - COMMON.length;
  const n = k < SYLLABLES.length ** 2 ? 2 : 3;
  if (n === 3) k -= SYLLABLES.length ** 2;
  let w = '';
  for (let i = 0; i < n; i++, k = Math.floor(k / SYLLABLES.length)) w += SYLLABLES[k % SYLLABLES.length];
  return w;
}

/** The rank whose cumulative probability first reaches `u` in [0, 1). */
function zipfRank(u: number): number {
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ZIPF_CDF[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** 32-bit mix (murmur3 finalizer): unrelated seeds give unrelated sequences. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `n` words of wire-like text, different for every seed (stories must not look like near-duplicates). */
export function wireText(seed: number, n: number): string {
  let s = mix(seed * 0x9e3779b1 + 12345);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = mix(s + i + 1);
    const w = wordAt(zipfRank(s / 2 ** 32));
    out.push(i % 9 === 4 ? `${w} ${mix(s) % 90000}` : w);
  }
  return out.join(' ');
}
