import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CommonEnv, ConfigError, envInt, envList, envString, envUrl, loadConfig } from '@wire/config';
import { parseRoutes } from '@wire/translate';

/**
 * The translator service's environment. Providers other than Apertium are configured only when
 * their URL (or AWS region) is set; `TRANSLATE_ROUTES` picks them per language pair.
 */
export const ConfigSchema = z.object({
  ...CommonEnv,
  /** Redis key prefix shared with routing (`wire:`). */
  WIRE_REDIS_PREFIX: envString('wire:'),
  /** BullMQ key prefix (`bull`). */
  WIRE_QUEUE_PREFIX: envString('bull'),
  /** Queue names (tests use unique ones). */
  TRANSLATE_QUEUE: envString('translate'),
  DELIVER_QUEUE: envString('deliver'),
  /** Jobs translated at once by this process (2: one per APY pipeline `wire infra up` starts; see `wire bench translate`). */
  TRANSLATOR_CONCURRENCY: envInt(2, 1, 256),
  /** Port of /healthz, /readyz and /metrics (0 = any free port). */
  TRANSLATOR_PORT: envInt(9103, 0, 65535),
  /** Providers per pair, fallback order left to right: `en>es=apertium|deepl;*=apertium`. */
  TRANSLATE_ROUTES: envString('*=apertium'),
  /**
   * Most pivot languages between a story's language and a target no provider pairs directly
   * (1: `gl>es>en` when only gl>es and es>en exist; 0: direct pairs only).
   */
  TRANSLATE_MAX_PIVOTS: envInt(1, 0, 3),
  /** Pivot languages to try first, most preferred first (`en,es`); every known language follows. */
  TRANSLATE_PIVOTS: envList([]),
  /** Days a skipped translation stays in the delivery log (the webhooks service's `DELIVERY_LOG_DAYS`). */
  DELIVERY_LOG_DAYS: envInt(7, 1, 365),
  /** Language of stories that do not say. */
  TRANSLATE_DEFAULT_SOURCE_LANGUAGE: envString('en'),
  /** Requests in flight to APY (match APY's `--max-pipes-per-pair`). */
  APERTIUM_CONCURRENCY: envInt(2, 1, 64),
  TRANSLATE_TIMEOUT_MS: envInt(30_000, 100, 600_000),
  TRANSLATE_CACHE_TTL_SECONDS: envInt(7 * 86_400, 0, 365 * 86_400),
  /** JSON file: `[{"term": "Yonhap", "translations": {"es": "Yonhap"}}, …]`. */
  TRANSLATE_GLOSSARY_FILE: z.string().optional(),
  LIBRETRANSLATE_URL: z.string().url().optional(),
  LIBRETRANSLATE_API_KEY: z.string().optional(),
  DEEPL_URL: envUrl('https://api-free.deepl.com'),
  DEEPL_AUTH_KEY: z.string().optional(),
  /** Amazon Translate is configured when a region is set; the endpoint is optional. */
  AWS_TRANSLATE_REGION: z.string().optional(),
  AWS_TRANSLATE_ENDPOINT: z.string().url().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Parse the environment; throws `ConfigError` listing every bad variable, including routes that
 * are malformed or name a provider the environment does not configure.
 */
export function loadTranslatorConfig(env: Record<string, string | undefined>): Config {
  const config = loadConfig(ConfigSchema, env);
  const configured = new Set(['apertium']);
  if (config.LIBRETRANSLATE_URL) configured.add('libretranslate');
  if (config.DEEPL_AUTH_KEY) configured.add('deepl');
  if (config.AWS_TRANSLATE_REGION) configured.add('amazon');
  const lines: string[] = [];
  try {
    for (const [pair, names] of Object.entries(parseRoutes(config.TRANSLATE_ROUTES))) {
      for (const n of names) {
        if (!configured.has(n)) lines.push(`TRANSLATE_ROUTES: "${pair}" names provider "${n}", which is not configured (configured: ${[...configured].join(', ')})`);
      }
    }
  } catch (e) {
    lines.push(`TRANSLATE_ROUTES: ${(e as Error).message}`);
  }
  if (lines.length > 0) throw new ConfigError(lines);
  return config;
}

/** Read the glossary file named by the config (none when unset). */
export function readGlossary(path: string | undefined): Array<{ term: string; translations?: Record<string, string> }> {
  if (!path) return [];
  const parsed = z
    .array(z.object({ term: z.string().min(1), translations: z.record(z.string(), z.string()).optional() }))
    .parse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed;
}
