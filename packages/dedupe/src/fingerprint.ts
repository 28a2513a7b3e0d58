/**
 * The fingerprint of one story: everything the engine compares, computed once, pure.
 *
 * - `contentKey`: the exact-content hash (from the story's sha256) — identical copy.
 * - shingles: hashed runs of `SHINGLE` content words across the whole copy (paragraph breaks
 *   ignored, so re-segmented copies match). The `SKETCH` shingles with the smallest hash form a
 *   bottom-k MinHash sketch: it estimates containment in both directions (an excerpt inside its
 *   source, a source inside a republished page), not only Jaccard. The `ANCHORS` smallest are the
 *   LSH keys: if a story contains a fraction c of another, each of the other's anchors is one of
 *   its own with probability about c, so one shared anchor finds the pair.
 * - figures and names: each figure or proper name with the words around it. A template reused
 *   for another company's results or another day's market keeps the words and changes these, so
 *   the same context holding a different value is evidence of a different story (the veto).
 */
import type { CanonicalStory } from '@wire/schema';
import { combine, fmix32, hashString, hexPrefix32 } from './hash';
import { copyLines, isAllCaps, tokenize, type Token } from './text';

/** Content words per shingle. */
export const SHINGLE = 4;
/** Shingles kept in the stored sketch. */
export const SKETCH = 24;
/** Shingles indexed as LSH anchors (the smallest of the sketch). */
export const ANCHORS = 8;
/** Figure/name entries kept in the stored veto signature. */
export const VETO_ENTRIES = 24;

/** One figure or name in context: 32-bit hashes of the context and the value. */
export interface FigureEntry {
  ctx: number;
  value: number;
  /** The value as written (for reasons). */
  text: string;
}

export interface StoryFingerprint {
  contentKey: number;
  /** All distinct shingles, sorted by `h1` ascending. */
  h1: Uint32Array;
  /** 16-bit check hash of each shingle, parallel to `h1`. */
  h2: Uint16Array;
  /** Number of distinct shingles. */
  size: number;
  /** All figure/name entries of the story (distinct ctx/value pairs). */
  figures: FigureEntry[];
  /** 64-bit SimHash of the shingles, as two 32-bit halves (for scores and diagnostics). */
  simhash: [number, number];
  /** The copy lines the fingerprint was built from (after chrome was dropped). */
  lineCount: number;
}

/** What is kept of a story in the index: compact, fixed size (see record.ts). */
export interface StoredSignature {
  size: number;
  /** h1 of the last sketch entry: sketch entries are exactly the shingles with h1 <= tau. */
  tau: number;
  /** 16-bit check hashes of the sketch shingles. */
  sketch: number[];
  /** 24-bit veto entries: 16 bits of context hash, 8 bits of value hash. */
  veto: number[];
}

const SEED_H2 = 0x5bd1e995;

/** Builds the fingerprint of a canonical story. */
export function fingerprintStory(story: Pick<CanonicalStory, 'headline' | 'body' | 'contentHash'>): StoryFingerprint {
  const { headline, lines } = copyLines(story.headline, story.body);
  const segments: Token[][] = [];
  if (headline) segments.push(tokenize(headline, { allCaps: isAllCaps(headline) }));
  for (const line of lines) segments.push(tokenize(line));

  // Shingles over content words of the whole copy.
  const words: number[] = [];
  for (const seg of segments) for (const t of seg) if (!t.stop) words.push(hashString(t.norm));
  const pairs = new Map<number, number>();
  if (words.length > 0 && words.length < SHINGLE) {
    let h = 0;
    for (const w of words) h = combine(h, w);
    pairs.set(h, fmix32(h ^ SEED_H2) & 0xffff);
  }
  for (let i = 0; i + SHINGLE <= words.length; i++) {
    let h = 0;
    for (let j = 0; j < SHINGLE; j++) h = combine(h, words[i + j]!);
    if (!pairs.has(h)) pairs.set(h, fmix32(h ^ SEED_H2) & 0xffff);
  }
  const h1 = Uint32Array.from(pairs.keys()).sort();
  const h2 = new Uint16Array(h1.length);
  for (let i = 0; i < h1.length; i++) h2[i] = pairs.get(h1[i]!)!;

  return {
    contentKey: story.contentHash ? hexPrefix32(story.contentHash) : 0,
    h1,
    h2,
    size: h1.length,
    figures: figureEntries(segments),
    simhash: simhash64(h1),
    lineCount: lines.length,
  };
}

/** Figures and capitalized name runs, each keyed by two words before and one after. */
export function figureEntries(segments: readonly Token[][]): FigureEntry[] {
  const seen = new Set<string>();
  const out: FigureEntry[] = [];
  for (const seg of segments) {
    let i = 0;
    while (i < seg.length) {
      const t = seg[i]!;
      let end = i + 1;
      let text: string;
      if (t.figure) {
        text = t.norm;
      } else if (t.capital) {
        while (end < seg.length && seg[end]!.capital) end++;
        text = seg.slice(i, end).map((x) => x.norm).join(' ');
      } else {
        i++;
        continue;
      }
      const before2 = seg[i - 2]?.norm ?? '^';
      const before1 = seg[i - 1]?.norm ?? '^';
      const after = seg[end]?.norm ?? '$';
      const ctxText = `${before2} ${before1} _ ${after}`;
      const key = `${ctxText}\u0000${text}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ ctx: hashString(ctxText), value: hashString(text), text });
      }
      i = end;
    }
  }
  return out;
}

/** 64-bit SimHash over shingle hashes (two independent 32-bit halves). */
export function simhash64(shingles: Uint32Array): [number, number] {
  const counts = new Int32Array(64);
  for (const s of shingles) {
    const a = fmix32(s ^ 0x27d4eb2f);
    const b = fmix32(s ^ 0x165667b1);
    for (let bit = 0; bit < 32; bit++) {
      counts[bit]! += (a >>> bit) & 1 ? 1 : -1;
      counts[bit + 32]! += (b >>> bit) & 1 ? 1 : -1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (counts[bit]! > 0) lo |= 1 << bit;
    if (counts[bit + 32]! > 0) hi |= 1 << bit;
  }
  return [lo >>> 0, hi >>> 0];
}

/** Hamming distance between two 64-bit SimHashes. */
export function simhashDistance(a: readonly [number, number], b: readonly [number, number]): number {
  return popcount32((a[0] ^ b[0]) >>> 0) + popcount32((a[1] ^ b[1]) >>> 0);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The LSH anchors of a fingerprint: the `ANCHORS` smallest shingle hashes. */
export function anchorsOf(fp: StoryFingerprint): number[] {
  return Array.from(fp.h1.subarray(0, ANCHORS));
}

/** The compact signature kept in the index for later comparisons. */
export function storedSignature(fp: StoryFingerprint): StoredSignature {
  const k = Math.min(SKETCH, fp.size);
  const sketch = Array.from(fp.h2.subarray(0, k));
  const tau = k > 0 ? fp.h1[k - 1]! : 0;
  const veto = [...fp.figures]
    .sort((a, b) => a.ctx - b.ctx || a.value - b.value)
    .slice(0, VETO_ENTRIES)
    .map((e) => vetoEntry(e.ctx, e.value));
  return { size: fp.size, tau, sketch, veto };
}

/** Packs a context hash and a value hash into 24 bits (context in the high 16). */
export function vetoEntry(ctx: number, value: number): number {
  return (((ctx >>> 16) & 0xffff) << 8) | (value & 0xff);
}
