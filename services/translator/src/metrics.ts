import { Counter, Histogram, type Registry } from '@wire/observability';

/** The translator's Prometheus metrics, registered on `registry`. */
export function createTranslatorMetrics(registry: Registry) {
  return {
    latency: new Histogram({
      name: 'wire_translate_duration_seconds',
      help: 'Time to translate one story into one language (cache hits included, labelled)',
      labelNames: ['provider', 'pair', 'cached'] as const,
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    words: new Counter({
      name: 'wire_translate_words_total',
      help: 'Source words translated by a provider (cache hits not counted)',
      labelNames: ['provider', 'pair'] as const,
      registers: [registry],
    }),
    cacheHits: new Counter({
      name: 'wire_translate_cache_hits_total',
      help: 'Story translations served from the cache',
      labelNames: ['provider', 'pair'] as const,
      registers: [registry],
    }),
    cacheMisses: new Counter({
      name: 'wire_translate_cache_misses_total',
      help: 'Story translations that went to a provider',
      labelNames: ['pair'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'wire_translate_failures_total',
      help: 'Failed translate jobs by error code and whether they will be retried',
      labelNames: ['code', 'pair', 'retryable'] as const,
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'wire_translate_skipped_total',
      help: 'Translate jobs settled without a translation: no configured provider translates the pair, directly or through a pivot',
      labelNames: ['pair'] as const,
      registers: [registry],
    }),
    lostTerms: new Counter({
      name: 'wire_translate_protected_terms_lost_total',
      help: 'Protected names or glossary terms a provider did not give back',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    variants: new Counter({
      name: 'wire_translate_variants_total',
      help: 'Language variants produced and handed to routing',
      labelNames: ['pair', 'event'] as const,
      registers: [registry],
    }),
  };
}
export type TranslatorMetrics = ReturnType<typeof createTranslatorMetrics>;
