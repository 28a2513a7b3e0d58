/** The translation cache: a re-sent story (same content, language, provider) is not translated again. */

/** What is kept per (source content hash, language, provider). */
export interface CachedTranslation {
  provider: string;
  /** Hash of the exact segments and protected terms sent; a mismatch (e.g. a changed caption or glossary) is a miss. */
  segmentsHash: string;
  texts: string[];
  missingTerms: string[];
  at: string;
}

export interface TranslationCache {
  /** Look several keys up at once; `undefined` where absent or unreadable. */
  getMany(keys: readonly string[]): Promise<Array<CachedTranslation | undefined>>;
  set(key: string, value: CachedTranslation): Promise<void>;
}

/** The cache key of a translation: `{prefix}:{contentHash}:{language}:{provider}`. */
export function translationCacheKey(prefix: string, contentHash: string, language: string, provider: string): string {
  return `${prefix}:${contentHash}:${language}:${provider}`;
}

/** The two Redis calls the cache needs; an ioredis client fits. */
export interface RedisCacheClient {
  mget(keys: string[]): Promise<Array<string | null>>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
}

/**
 * A cache in Redis, shared by every translator worker. Entries expire after `ttlSeconds`
 * (default 7 days): long enough for re-sends and corrections, short enough to bound memory.
 */
export function createRedisTranslationCache(redis: RedisCacheClient, opts: { ttlSeconds?: number } = {}): TranslationCache {
  const ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
  return {
    async getMany(keys) {
      if (keys.length === 0) return [];
      const raw = await redis.mget([...keys]);
      return raw.map((r) => {
        if (!r) return undefined;
        try {
          return JSON.parse(r) as CachedTranslation;
        } catch {
          // A corrupt entry is a miss; the fresh translation overwrites it.
          return undefined;
        }
      });
    },
    async set(key, value) {
      await redis.set(key, JSON.stringify(value), 'EX', ttl);
    },
  };
}

/** An in-process cache, for tests and one-off tools. */
export function createMemoryTranslationCache(): TranslationCache & { size(): number } {
  const map = new Map<string, CachedTranslation>();
  return {
    async getMany(keys) {
      return keys.map((k) => map.get(k));
    },
    async set(key, value) {
      map.set(key, value);
    },
    size: () => map.size,
  };
}
