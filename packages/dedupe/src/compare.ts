/**
 * Comparing an incoming story's full fingerprint with a stored signature: containment both ways
 * from the bottom-k sketch, and the figure/name veto. Pure.
 */
import type { StoredSignature, StoryFingerprint } from './fingerprint';
import { VETO_CTX_BITS, VETO_VALUE_BITS } from './fingerprint';

const VALUE_MASK = (1 << VETO_VALUE_BITS) - 1;

/** Thresholds of the near-duplicate decision (defaults in `DEFAULT_MATCH`). */
export interface MatchThresholds {
  /** Containment (either direction) at or above which two stories are the same copy. */
  minContainment: number;
  /** Sketch entries that must be shared, at least. */
  minSharedSketch: number;
  /** The veto fires when at least this many figure/name contexts disagree … */
  vetoMinConflicts: number;
  /** … and they are at least this share of the contexts both stories have. */
  vetoMinShare: number;
  /** A single disagreeing context vetoes when it is at least this share of those compared. */
  vetoSingleShare: number;
}

export const DEFAULT_MATCH: MatchThresholds = {
  minContainment: 0.5,
  minSharedSketch: 3,
  vetoMinConflicts: 2,
  vetoMinShare: 0.1,
  vetoSingleShare: 0.34,
};

export interface Comparison {
  /** Share of the stored story's sketch found in the incoming story (≈ stored ⊂ incoming). */
  storedInIncoming: number;
  /** Estimated share of the incoming story found in the stored one (≈ incoming ⊂ stored). */
  incomingInStored: number;
  containment: number;
  jaccard: number;
  shared: number;
  /** Figure/name contexts present in both. */
  figuresCompared: number;
  /** Of those, contexts whose value differs. */
  figuresDiffer: number;
  vetoed: boolean;
  match: boolean;
}

/** Per-incoming-story lookup tables, built once and reused for every candidate. */
export interface IncomingIndex {
  fp: StoryFingerprint;
  /** Packed context → set of packed values (see `vetoEntry`). */
  figures: Map<number, Set<number>>;
}

export function indexIncoming(fp: StoryFingerprint): IncomingIndex {
  const figures = new Map<number, Set<number>>();
  for (const e of fp.figures) {
    // The two halves of `vetoEntry(e.ctx, e.value)`, without packing them first.
    const ctx = e.ctx >>> (32 - VETO_CTX_BITS);
    let set = figures.get(ctx);
    if (!set) figures.set(ctx, (set = new Set()));
    set.add(e.value & VALUE_MASK);
  }
  return { fp, figures };
}

/** Scratch space of `compare` (one comparison at a time: it never awaits). */
let used = new Uint8Array(64);
let ctxSeen = new Int32Array(64);
let ctxAgree = new Uint8Array(64);

/** Compares an incoming story with one stored signature. */
export function compare(incoming: IncomingIndex, stored: StoredSignature, t: MatchThresholds = DEFAULT_MATCH): Comparison {
  const { fp } = incoming;
  // Incoming shingles with h1 <= tau: the only ones that can be in the stored sketch.
  let hi = 0;
  {
    let lo = 0;
    let top = fp.h1.length;
    while (lo < top) {
      const mid = (lo + top) >>> 1;
      if (fp.h1[mid]! <= stored.tau) lo = mid + 1;
      else top = mid;
    }
    hi = lo;
  }
  // Shared entries, counted as a multiset: each incoming shingle answers one sketch entry. Both
  // sides are a few dozen hashes, so a scan beats building a map per comparison.
  if (used.length < hi) used = new Uint8Array(Math.max(hi, used.length * 2));
  used.fill(0, 0, hi);
  let shared = 0;
  for (const s of stored.sketch) {
    for (let i = 0; i < hi; i++) {
      if (used[i] === 0 && fp.h2[i] === s) {
        used[i] = 1;
        shared++;
        break;
      }
    }
  }
  const k = stored.sketch.length;
  const storedInIncoming = k > 0 ? shared / k : 0;
  // Incoming shingles inside the sketch's hash range are a uniform sample of the incoming story,
  // and the stored sketch holds every stored shingle of that range: the share of them found is
  // a direct estimate of incoming ⊂ stored, better than scaling by set sizes when the incoming
  // story is much smaller (an excerpt, a trim).
  const inter = storedInIncoming * stored.size;
  const incomingInStored = hi >= t.minSharedSketch ? Math.min(1, shared / hi) : fp.size > 0 ? Math.min(1, inter / fp.size) : 0;
  const union = stored.size + fp.size - inter;
  const jaccard = union > 0 ? inter / union : 0;
  const containment = Math.max(storedInIncoming, incomingInStored);

  // Grouped by context: a stored story may hold several values in one context (a quarter and
  // a year in a results table); an excerpt holding any one of them agrees.
  // Contexts both stories have, each with whether any stored value agrees.
  if (ctxSeen.length < stored.veto.length) {
    ctxSeen = new Int32Array(stored.veto.length);
    ctxAgree = new Uint8Array(stored.veto.length);
  }
  let contexts = 0;
  for (const e of stored.veto) {
    const ctx = e >>> VETO_VALUE_BITS;
    const values = incoming.figures.get(ctx);
    if (!values) continue;
    const agree = values.has(e & VALUE_MASK);
    let c = 0;
    while (c < contexts && ctxSeen[c] !== ctx) c++;
    if (c === contexts) {
      ctxSeen[contexts] = ctx;
      ctxAgree[contexts++] = agree ? 1 : 0;
    } else if (agree) {
      ctxAgree[c] = 1;
    }
  }
  const figuresCompared = contexts;
  let figuresDiffer = 0;
  for (let c = 0; c < contexts; c++) if (ctxAgree[c] === 0) figuresDiffer++;
  // Two or more disagreeing contexts veto; so does a single one when few are compared (a short
  // item whose one figure or name is the news: another day's rate, another winner).
  const vetoed =
    (figuresDiffer >= t.vetoMinConflicts && figuresDiffer >= t.vetoMinShare * figuresCompared) ||
    (figuresDiffer >= 1 && figuresDiffer >= t.vetoSingleShare * figuresCompared);
  const enough = shared >= Math.min(t.minSharedSketch, k);
  const match = enough && containment >= t.minContainment && !vetoed;
  return { storedInIncoming, incomingInStored, containment, jaccard, shared, figuresCompared, figuresDiffer, vetoed, match };
}
