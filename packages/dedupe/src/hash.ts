/**
 * Small, fast, non-cryptographic 32-bit hashes for fingerprints. Deterministic across processes
 * and machines (the index in Redis is shared), so never seeded at random.
 */

/** FNV-1a over the UTF-16 code units of `s`, 32-bit unsigned. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** MurmurHash3's finalizer: spreads every input bit over the whole word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two 32-bit hashes (order matters). */
export function combine(a: number, b: number): number {
  return fmix32((Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + b) >>> 0);
}

/** 32-bit hash of a hex digest prefix, e.g. the first 8 hex chars of a sha256. */
export function hexPrefix32(hex: string): number {
  const n = Number.parseInt(hex.slice(0, 8), 16);
  return Number.isFinite(n) ? n >>> 0 : hashString(hex);
}
