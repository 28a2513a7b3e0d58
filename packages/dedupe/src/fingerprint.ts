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
import { combine, fmix32, hexPrefix32 } from './hash';
import { CopyScanner, TOKEN_CAPITAL, TOKEN_FIGURE, type Token } from './text';

/** Content words per shingle. */
export const SHINGLE = 4;
/** Shingles kept in the stored sketch. */
export const SKETCH = 20;
/** Shingles indexed as LSH anchors per story: the smallest of the whole copy … */
export const ANCHORS = 6;
/** … of which this many are instead the smallest of the lede (trims and excerpts keep the top). */
export const LEDE_ANCHORS = 2;
/** Shingles of the lede, for lede anchors. */
export const LEDE = 24;
/** Anchors a lookup queries: more than are indexed, so a story inside a larger page is found. */
export const QUERY_ANCHORS = 12;
export const QUERY_LEDE_ANCHORS = 4;
/** Lookups take lede anchors from a longer opening, to allow for an outlet's intro. */
export const QUERY_LEDE = 48;
/** Figure/name entries kept in the stored veto signature. */
export const VETO_ENTRIES = 24;

/** One figure or name in context: 32-bit hashes of the context and the value. */
export interface FigureEntry {
  ctx: number;
  value: number;
}

/**
 * `h1`, `h2` and `lede` are views of one `ArrayBuffer` (one allocation per story instead of
 * three): copy one (`slice()`) before transferring its buffer to another thread.
 */
export interface StoryFingerprint {
  contentKey: number;
  /** All distinct shingles, sorted by `h1` ascending. */
  h1: Uint32Array;
  /** 16-bit check hash of each shingle, parallel to `h1`. */
  h2: Uint16Array;
  /** Number of distinct shingles. */
  size: number;
  /** Shingle hashes of the opening, in text order (the first `QUERY_LEDE`). */
  lede: Uint32Array;
  /** All figure/name entries of the story (distinct ctx/value pairs). */
  figures: FigureEntry[];
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
  /** 20-bit veto entries: 14 bits of context hash, 6 bits of value hash. */
  veto: number[];
}

const SEED_H2 = 0x5bd1e995;

/**
 * Scratch space reused story after story: the shingles of the story being fingerprinted and the
 * scanner of its copy. `fingerprintStory` is synchronous and reads both before it returns, so
 * one call never sees another's.
 */
let shingles = new Uint32Array(1024);
const scanner = new CopyScanner();

/** Builds the fingerprint of a canonical story. */
export function fingerprintStory(story: Pick<CanonicalStory, 'headline' | 'body' | 'contentHash'>): StoryFingerprint {
  const t = scanner.scanCopy(story.headline, story.body);

  // Shingles over content words of the whole copy.
  const { wordHash, wordFirst } = t;
  const m = t.words;
  const n = m < SHINGLE ? (m > 0 ? 1 : 0) : m - SHINGLE + 1;
  if (shingles.length < n) shingles = new Uint32Array(Math.max(n, shingles.length * 2));
  const all = shingles;
  for (let i = 0; i < n; i++) {
    // `combine(0, first word)` comes with the word.
    let h = wordFirst[i]!;
    const end = Math.min(m, i + SHINGLE);
    for (let j = i + 1; j < end; j++) h = combine(h, wordHash[j]!);
    all[i] = h;
  }
  // The three arrays of the result share one buffer: lede, then h1 and h2 (sized for n).
  const ledeLength = Math.min(n, QUERY_LEDE);
  const buf = new ArrayBuffer(ledeLength * 4 + n * 6);
  const lede = new Uint32Array(buf, 0, ledeLength);
  lede.set(all.subarray(0, ledeLength));
  all.subarray(0, n).sort();
  let size = 0;
  for (let i = 0; i < n; i++) if (i === 0 || all[i] !== all[i - 1]) all[size++] = all[i]!;
  const h1 = new Uint32Array(buf, ledeLength * 4, size);
  h1.set(all.subarray(0, size));
  const h2 = new Uint16Array(buf, (ledeLength + n) * 4, size);
  for (let i = 0; i < size; i++) h2[i] = fmix32(h1[i]! ^ SEED_H2) & 0xffff;

  return {
    contentKey: story.contentHash ? hexPrefix32(story.contentHash) : 0,
    h1,
    h2,
    size,
    lede,
    figures: entriesOf(t.hash, t.flags, t.segmentEnd, t.segments),
    lineCount: t.lineCount,
  };
}

/**
 * Figures and capitalized name runs, each keyed by the two words before it and the one after it
 * (normalized: `told reporters` reads as `said`, `mln` as `million`).
 */
export function figureEntries(segments: readonly Token[][]): FigureEntry[] {
  let count = 0;
  for (const seg of segments) count += seg.length;
  const hash = new Uint32Array(count);
  const flags = new Uint8Array(count);
  const ends = new Int32Array(segments.length);
  let k = 0;
  segments.forEach((seg, s) => {
    for (const t of seg) {
      hash[k] = t.hash;
      flags[k++] = (t.figure ? TOKEN_FIGURE : 0) | (t.capital ? TOKEN_CAPITAL : 0);
    }
    ends[s] = k;
  });
  return entriesOf(hash, flags, ends, segments.length);
}

/** `figureEntries` over flat tokens: hashes, `TOKEN_*` flags, and where each segment ends. */
function entriesOf(hash: Uint32Array, flags: Uint8Array, segmentEnd: Int32Array, segments: number): FigureEntry[] {
  const out: FigureEntry[] = [];
  const pairs = new PairSet(segments > 0 ? segmentEnd[segments - 1]! : 0);
  const START = 0x2f1b3c4d;
  const END = 0x6a09e667;
  let first = 0;
  for (let s = 0; s < segments; s++) {
    const last = segmentEnd[s]!;
    let i = first;
    while (i < last) {
      const f = flags[i]!;
      let end = i + 1;
      let value: number;
      if (f & TOKEN_FIGURE) {
        value = hash[i]!;
      } else if (f & TOKEN_CAPITAL) {
        value = hash[i]!;
        while (end < last && flags[end]! & TOKEN_CAPITAL) value = combine(value, hash[end++]!);
      } else {
        i++;
        continue;
      }
      const before2 = i - 2 >= first ? hash[i - 2]! : START;
      const before1 = i - 1 >= first ? hash[i - 1]! : START;
      const after = end < last ? hash[end]! : END;
      const ctx = combine(combine(combine(before2, before1), after), 0x51ed270b);
      if (pairs.add(ctx, value)) out.push({ ctx, value });
      i = end;
    }
    first = last;
  }
  return out;
}

/** Scratch of `PairSet`, reused by every story (one at a time: fingerprinting never awaits). */
let pairSlots = new Int32Array(256);
let pairCtx = new Uint32Array(128);
let pairValue = new Uint32Array(128);

/**
 * The (ctx, value) pairs seen in one story: open addressing over at most `capacity` pairs, in
 * scratch arrays shared by every call, instead of a Map of arrays per story.
 */
class PairSet {
  private readonly mask: number;
  private count = 0;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    if (pairSlots.length < size) pairSlots = new Int32Array(size);
    pairSlots.fill(0, 0, size);
    if (pairCtx.length < capacity) {
      pairCtx = new Uint32Array(capacity);
      pairValue = new Uint32Array(capacity);
    }
    this.mask = size - 1;
  }

  /** Adds the pair; false when it was there already. */
  add(ctx: number, value: number): boolean {
    // Both halves are already well mixed hashes.
    let slot = (ctx ^ Math.imul(value, 0x9e3779b1)) & this.mask;
    for (let e = pairSlots[slot]!; e !== 0; e = pairSlots[slot]!) {
      if (pairCtx[e - 1] === ctx && pairValue[e - 1] === value) return false;
      slot = (slot + 1) & this.mask;
    }
    pairCtx[this.count] = ctx;
    pairValue[this.count] = value;
    pairSlots[slot] = ++this.count;
    return true;
  }
}

/**
 * 64-bit SimHash over shingle hashes (two independent 32-bit halves). Not used for decisions (the
 * bottom-k sketch estimates containment, which SimHash cannot); kept for diagnostics and tools.
 */
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

/**
 * The lede's `k` smallest distinct shingles among its first `length`, ascending (what sorting a
 * copy and taking the first `k` distinct would give): an insertion into at most `k` values.
 */
function smallestOfLede(lede: Uint32Array, length: number, k: number): number[] {
  const out: number[] = [];
  const n = Math.min(length, lede.length);
  for (let i = 0; i < n; i++) {
    const x = lede[i]!;
    let j = out.length;
    if (j === k && x >= out[k - 1]!) continue;
    while (j > 0 && out[j - 1]! > x) j--;
    if (j > 0 && out[j - 1] === x) continue;
    if (out.length < k) out.push(0);
    for (let m = out.length - 1; m > j; m--) out[m] = out[m - 1]!;
    out[j] = x;
  }
  return out;
}

function anchors(fp: StoryFingerprint, total: number, ledeCount: number, ledeLength: number): number[] {
  const fromLede = smallestOfLede(fp.lede, ledeLength, ledeCount);
  // h1 is sorted ascending and distinct already: its smallest values not taken from the lede.
  const out: number[] = [];
  const want = total - fromLede.length;
  const { h1 } = fp;
  for (let i = 0; i < h1.length && out.length < want; i++) {
    const x = h1[i]!;
    if (!fromLede.includes(x)) out.push(x);
  }
  // At most a dozen values: an insertion sort in place, no comparator call or copy.
  for (const x of fromLede) {
    let i = out.length;
    out.push(x);
    while (i > 0 && out[i - 1]! > x) {
      out[i] = out[i - 1]!;
      i--;
    }
    out[i] = x;
  }
  return out;
}

/** The LSH anchors a story is indexed under: the smallest shingles of the copy and of its lede. */
export function anchorsOf(fp: StoryFingerprint): number[] {
  return anchors(fp, ANCHORS, LEDE_ANCHORS, LEDE);
}

/**
 * The anchors a lookup reads: a superset of what a copy of the story would be indexed under
 * (more of the smallest, and lede anchors over a longer opening), so that the source is found
 * from an excerpt with an intro, and the excerpt from a page that contains it.
 */
export function queryAnchorsOf(fp: StoryFingerprint): number[] {
  return anchors(fp, QUERY_ANCHORS, QUERY_LEDE_ANCHORS, QUERY_LEDE);
}

/** The compact signature kept in the index for later comparisons. */
export function storedSignature(fp: StoryFingerprint): StoredSignature {
  const k = Math.min(SKETCH, fp.size);
  const sketch: number[] = [];
  for (let i = 0; i < k; i++) sketch.push(fp.h2[i]!);
  const tau = k > 0 ? fp.h1[k - 1]! : 0;
  return { size: fp.size, tau, sketch, veto: vetoEntries(fp.figures) };
}

/** Packed sort keys of `vetoEntries`: context hash × 2^21 + entry index (exact in a double). */
let vetoKeys = new Float64Array(64);
const INDEX_SPAN = 2 ** 21;

/**
 * The veto entries of the `VETO_ENTRIES` figures smallest by (ctx, value), in that order. The
 * figures are sorted as packed numbers (context, then the index to find the value) instead of
 * as objects with a comparator; figures sharing a context are then put in value order.
 */
function vetoEntries(figures: readonly FigureEntry[]): number[] {
  const n = figures.length;
  const out: number[] = [];
  if (n === 0) return out;
  if (n >= INDEX_SPAN) {
    return [...figures]
      .sort((a, b) => a.ctx - b.ctx || a.value - b.value)
      .slice(0, VETO_ENTRIES)
      .map((e) => vetoEntry(e.ctx, e.value));
  }
  if (vetoKeys.length < n) vetoKeys = new Float64Array(Math.max(n, vetoKeys.length * 2));
  for (let i = 0; i < n; i++) vetoKeys[i] = figures[i]!.ctx * INDEX_SPAN + i;
  const keys = n === vetoKeys.length ? vetoKeys.sort() : vetoKeys.subarray(0, n).sort();
  let r = 0;
  while (r < n && out.length < VETO_ENTRIES) {
    const ctx = Math.floor(keys[r]! / INDEX_SPAN);
    let e = r + 1;
    while (e < n && Math.floor(keys[e]! / INDEX_SPAN) === ctx) e++;
    if (e === r + 1) {
      out.push(vetoEntry(ctx, figures[keys[r]! - ctx * INDEX_SPAN]!.value));
    } else {
      // One context with several values (rare): those values in ascending order.
      const values: number[] = [];
      for (let j = r; j < e; j++) values.push(figures[keys[j]! - ctx * INDEX_SPAN]!.value);
      values.sort((a, b) => a - b);
      for (let j = 0; j < values.length && out.length < VETO_ENTRIES; j++) out.push(vetoEntry(ctx, values[j]!));
    }
    r = e;
  }
  return out;
}

/** Bits of a veto entry: context hash, then value hash. */
export const VETO_CTX_BITS = 14;
export const VETO_VALUE_BITS = 6;

/** Packs a context hash and a value hash into 20 bits (context in the high 14). */
export function vetoEntry(ctx: number, value: number): number {
  return ((ctx >>> (32 - VETO_CTX_BITS)) << VETO_VALUE_BITS) | (value & ((1 << VETO_VALUE_BITS) - 1));
}
