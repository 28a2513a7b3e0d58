import { TranslateError, TranslateErrorCodes, isTranslateError, type TranslateErrorCode } from './errors';
import { pairKey, primaryLanguage } from './languages';
import type { Segment, Translator } from './translator';

/**
 * Which providers to try for a language pair, in order. Keys are `from>to` (`en>es`), `*>to`,
 * `from>*` or `*`; the most specific key wins.
 * @example { 'en>es': ['apertium', 'deepl'], '*': ['deepl', 'amazon'] }
 */
export type TranslationRoutes = Record<string, string[]>;

/**
 * Parse routes from one line of configuration: `en>es=apertium|deepl;*=deepl`.
 * @example parseRoutes('en>es=apertium|libretranslate;*=apertium')
 */
export function parseRoutes(spec: string): TranslationRoutes {
  const routes: TranslationRoutes = {};
  for (const part of spec.split(/[;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const [key, list] = part.split('=');
    if (!key || !list) throw new TranslateError(TranslateErrorCodes.CONFIG, `translation routes: "${part}" is not key=provider|provider`, { part });
    routes[key.trim()] = list.split(/[|,]/).map((s) => s.trim()).filter(Boolean);
  }
  return routes;
}

/** One provider's outcome while routing a request, for logs and the job record. */
export interface Attempt {
  provider: string;
  outcome: 'ok' | 'unsupported' | 'failed';
  code?: string;
  message?: string;
}

export interface RoutedTranslation {
  provider: string;
  texts: string[];
  attempts: Attempt[];
}

/** Picks providers per pair and falls back along the configured order. */
export interface TranslationRouter {
  /** Provider names to try for `from>to`, in order (configured ones only). */
  providersFor(from: string, to: string): string[];
  /**
   * Translate with the first provider that can: an unsupported pair or a failing provider moves
   * on to the next. When none succeeds: `WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR` if no provider offers
   * the pair, else the first retryable failure (so the job is retried), else the first failure.
   */
  translate(segments: readonly Segment[], from: string, to: string, opts?: { signal?: AbortSignal; skip?: string[] }): Promise<RoutedTranslation>;
  readonly providers: ReadonlyMap<string, Translator>;
}

export function createTranslationRouter(opts: { providers: Translator[]; routes: TranslationRoutes }): TranslationRouter {
  const providers = new Map(opts.providers.map((p) => [p.name, p]));
  for (const [key, names] of Object.entries(opts.routes)) {
    for (const n of names) {
      if (!providers.has(n)) {
        throw new TranslateError(TranslateErrorCodes.CONFIG, `translation routes: "${key}" names provider "${n}", which is not configured`, {
          route: key,
          provider: n,
          configured: [...providers.keys()],
        });
      }
    }
  }

  const providersFor = (from: string, to: string): string[] => {
    const f = primaryLanguage(from);
    const t = primaryLanguage(to);
    const keys = [pairKey(f, t), `*>${t}`, `${f}>*`, '*'];
    for (const k of keys) if (opts.routes[k]) return opts.routes[k]!;
    return [];
  };

  return {
    providers,
    providersFor,
    async translate(segments, from, to, o = {}) {
      const attempts: Attempt[] = [];
      const failures: TranslateError[] = [];
      for (const name of providersFor(from, to)) {
        if (o.skip?.includes(name)) continue;
        const provider = providers.get(name)!;
        try {
          if (!(await provider.supports(from, to))) {
            attempts.push({ provider: name, outcome: 'unsupported' });
            continue;
          }
          const texts = await provider.translate(segments, from, to, { signal: o.signal });
          attempts.push({ provider: name, outcome: 'ok' });
          return { provider: name, texts, attempts };
        } catch (e) {
          if (isTranslateError(e, TranslateErrorCodes.UNSUPPORTED_PAIR)) {
            attempts.push({ provider: name, outcome: 'unsupported', code: e.code, message: e.message });
            continue;
          }
          const te = isTranslateError(e)
            ? e
            : new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, `${name}: ${(e as Error)?.message ?? String(e)}`, { provider: name }, { cause: e });
          attempts.push({ provider: name, outcome: 'failed', code: te.code, message: te.message });
          failures.push(te);
        }
      }
      if (failures.length === 0) {
        throw new TranslateError(
          TranslateErrorCodes.UNSUPPORTED_PAIR,
          `no configured provider translates ${from}>${to} (tried: ${attempts.map((a) => a.provider).join(', ') || 'none configured'})`,
          { from, to, attempts },
        );
      }
      const chosen = failures.find((f) => f.retryable) ?? failures[0]!;
      throw new TranslateError(chosen.code as TranslateErrorCode, `${from}>${to}: every provider failed; first: ${chosen.message}`, { ...chosen.details, from, to, attempts }, {
        cause: chosen,
        retryable: chosen.retryable,
      });
    },
  };
}
