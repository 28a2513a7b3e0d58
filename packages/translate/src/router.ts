import { TranslateError, TranslateErrorCodes, isTranslateError, type TranslateErrorCode } from './errors';
import { knownLanguages, pairKey, primaryLanguage } from './languages';
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

/** One provider's outcome on one hop of a request, for logs and the job record. */
export interface Attempt {
  provider: string;
  outcome: 'ok' | 'unsupported' | 'failed';
  /** The hop this attempt was for (`gl>es`): the whole pair unless the request went through a pivot. */
  pair?: string;
  code?: string;
  message?: string;
}

export interface RoutedTranslation {
  /** The provider that translated; `a+b` when the hops of a pivot path used different ones. */
  provider: string;
  texts: string[];
  attempts: Attempt[];
  /** The languages the text went through, source first: `['gl', 'en']` direct, `['gl', 'es', 'en']` through Spanish. */
  path: string[];
}

/** Picks providers per pair, falls back along the configured order, and pivots when no pair is direct. */
export interface TranslationRouter {
  /** Provider names to try for `from>to`, in order (configured ones only). */
  providersFor(from: string, to: string): string[];
  /**
   * The shortest chain of languages from `from` to `to` that configured providers translate:
   * `['gl', 'en']` when a provider offers the pair, else through at most `maxPivots` pivot
   * languages (`['gl', 'es', 'en']`), preferring pivots in the configured order; undefined when
   * there is none. Throws a retryable `TranslateError` when a provider could not say what it
   * offers (it is down) and no path was found without it.
   */
  pathFor(from: string, to: string, opts?: { skip?: string[] }): Promise<string[] | undefined>;
  /**
   * Translate with the first provider that can: an unsupported pair or a failing provider moves
   * on to the next; when every provider answers that it lacks the pair, along the shortest pivot
   * path (`pathFor`). When none succeeds: `WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR` ("no translator
   * for sv→es", not retryable) if there is no path, else the first retryable failure (so the job
   * is retried), else the first failure.
   */
  translate(segments: readonly Segment[], from: string, to: string, opts?: { signal?: AbortSignal; skip?: string[] }): Promise<RoutedTranslation>;
  readonly providers: ReadonlyMap<string, Translator>;
}

export interface TranslationRouterOptions {
  providers: Translator[];
  routes: TranslationRoutes;
  /**
   * Most intermediate languages on a path (default 1: two pairs make a path; 0: direct pairs
   * only). Each hop costs a translation and loses some meaning, so longer chains are opt-in.
   */
  maxPivots?: number;
  /** Languages tried as pivots, most preferred first (default `DEFAULT_PIVOTS`). */
  pivots?: readonly string[];
}

/**
 * Pivot languages by default, most preferred first: Spanish, the hub of Apertium's largest family
 * of pairs (Catalan, Galician, Portuguese, Italian, French, English — shallow transfer works best
 * between close languages, so `gl>es>ca` beats `gl>en>ca`), then English, then every other
 * language `knownLanguages` maps. Among paths of one length the first pivot in this order wins.
 */
export const DEFAULT_PIVOTS: readonly string[] = [...new Set(['es', 'en', ...knownLanguages()])];

/** What a story whose pair nobody translates records, for partners, ops and the demo: `no translator for sv→es`. */
export function noTranslatorReason(from: string, to: string): string {
  return `no translator for ${primaryLanguage(from)}→${primaryLanguage(to)}`;
}

/** Every failure of one hop, folded into the one error the router throws (retryable first). */
function hopFailure(failures: TranslateError[], from: string, to: string, attempts: Attempt[]): TranslateError {
  const chosen = failures.find((f) => f.retryable) ?? failures[0]!;
  return new TranslateError(chosen.code as TranslateErrorCode, `${from}>${to}: every provider failed; first: ${chosen.message}`, { ...chosen.details, from, to, attempts }, {
    cause: chosen,
    retryable: chosen.retryable,
  });
}

const asTranslateError = (name: string, e: unknown): TranslateError =>
  isTranslateError(e) ? e : new TranslateError(TranslateErrorCodes.PROVIDER_DOWN, `${name}: ${(e as Error)?.message ?? String(e)}`, { provider: name }, { cause: e });

export function createTranslationRouter(opts: TranslationRouterOptions): TranslationRouter {
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
  const maxPivots = opts.maxPivots ?? 1;
  const pivots = [...new Set((opts.pivots ?? DEFAULT_PIVOTS).map(primaryLanguage).filter(Boolean))];

  const providersFor = (from: string, to: string): string[] => {
    const f = primaryLanguage(from);
    const t = primaryLanguage(to);
    const keys = [pairKey(f, t), `*>${t}`, `${f}>*`, '*'];
    for (const k of keys) if (opts.routes[k]) return opts.routes[k]!;
    return [];
  };

  /**
   * One hop through the configured providers in order. Undefined when every provider answered
   * that it lacks the pair; throws when none translated and at least one failed.
   */
  const hop = async (segments: readonly Segment[], from: string, to: string, attempts: Attempt[], o: { signal?: AbortSignal; skip?: string[] }) => {
    const pair = pairKey(from, to);
    const failures: TranslateError[] = [];
    for (const name of providersFor(from, to)) {
      if (o.skip?.includes(name)) continue;
      const provider = providers.get(name)!;
      try {
        if (!(await provider.supports(from, to))) {
          attempts.push({ provider: name, outcome: 'unsupported', pair });
          continue;
        }
        const texts = await provider.translate(segments, from, to, { signal: o.signal });
        attempts.push({ provider: name, outcome: 'ok', pair });
        return { provider: name, texts };
      } catch (e) {
        if (isTranslateError(e, TranslateErrorCodes.UNSUPPORTED_PAIR)) {
          attempts.push({ provider: name, outcome: 'unsupported', pair, code: e.code, message: e.message });
          continue;
        }
        const te = asTranslateError(name, e);
        attempts.push({ provider: name, outcome: 'failed', pair, code: te.code, message: te.message });
        failures.push(te);
      }
    }
    if (failures.length > 0) throw hopFailure(failures, from, to, attempts);
    return undefined;
  };

  const pathFor = async (from: string, to: string, o: { skip?: string[] } = {}): Promise<string[] | undefined> => {
    let unanswered: TranslateError | undefined;
    const known = new Map<string, Promise<boolean>>();
    // Whether some configured provider offers a → b; a provider that cannot say is remembered.
    const offered = (a: string, b: string): Promise<boolean> => {
      const key = `${a}>${b}`;
      let answer = known.get(key);
      if (!answer) {
        answer = (async () => {
          for (const name of providersFor(a, b)) {
            if (o.skip?.includes(name)) continue;
            try {
              if (await providers.get(name)!.supports(a, b)) return true;
            } catch (e) {
              unanswered ??= asTranslateError(name, e);
            }
          }
          return false;
        })();
        known.set(key, answer);
      }
      return answer;
    };
    const f = primaryLanguage(from);
    const t = primaryLanguage(to);
    if (await offered(from, to)) return [f, t];
    // Breadth first, one pivot more per round; the source and target tags as given (a provider
    // may offer a regional variant), pivots by their primary language.
    const parent = new Map<string, string>();
    const seen = new Set([f, t]);
    let frontier = [from];
    for (let round = 0; round < maxPivots && frontier.length > 0; round++) {
      const next: string[] = [];
      for (const u of frontier) {
        for (const c of pivots) {
          if (seen.has(c) || !(await offered(u, c))) continue;
          seen.add(c);
          parent.set(c, u);
          next.push(c);
        }
      }
      for (const c of next) {
        if (!(await offered(c, to))) continue;
        const path = [t];
        for (let n: string | undefined = c; n !== undefined; n = parent.get(n)) path.unshift(primaryLanguage(n));
        return path;
      }
      frontier = next;
    }
    if (unanswered) {
      throw new TranslateError(unanswered.code as TranslateErrorCode, `${pairKey(from, to)}: cannot tell whether a path exists: ${unanswered.message}`, { ...unanswered.details, from, to }, {
        cause: unanswered,
        retryable: true,
      });
    }
    return undefined;
  };

  return {
    providers,
    providersFor,
    pathFor,
    async translate(segments, from, to, o = {}) {
      const attempts: Attempt[] = [];
      const direct = await hop(segments, from, to, attempts, o);
      if (direct) return { ...direct, attempts, path: [primaryLanguage(from), primaryLanguage(to)] };
      const path = await pathFor(from, to, o);
      if (!path) {
        const asked = [...new Set(attempts.map((a) => a.provider))].join(', ') || 'none configured';
        throw new TranslateError(
          TranslateErrorCodes.UNSUPPORTED_PAIR,
          `${noTranslatorReason(from, to)} (providers asked: ${asked}; no path through ${maxPivots} pivot language${maxPivots === 1 ? '' : 's'} or fewer)`,
          { from, to, attempts, maxPivots },
        );
      }
      // The source and target keep their tags (regional variants); pivots are plain languages.
      const langs = [from, ...path.slice(1, -1), to];
      let texts: readonly Segment[] = segments;
      const used: string[] = [];
      for (let i = 0; i + 1 < langs.length; i++) {
        const out = await hop(texts, langs[i]!, langs[i + 1]!, attempts, o);
        if (!out) {
          throw new TranslateError(TranslateErrorCodes.UNSUPPORTED_PAIR, `${pairKey(langs[i]!, langs[i + 1]!)}: no longer offered on the pivot path ${path.join('>')}`, {
            from,
            to,
            attempts,
            path,
          });
        }
        used.push(out.provider);
        // Each hop keeps the segments' formats; only the text moves on.
        texts = out.texts.map((text, n) => ({ text, format: segments[n]!.format }));
      }
      return { provider: [...new Set(used)].join('+'), texts: texts.map((s) => s.text), attempts, path };
    },
  };
}
