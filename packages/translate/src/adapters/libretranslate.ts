import { translateInBatches } from '../chunk';
import { TranslateError, TranslateErrorCodes } from '../errors';
import { normalizeLanguage, primaryLanguage } from '../languages';
import { toSegments, type ProviderLimits, type Segment, type TranslateOptions, type Translator } from '../translator';
import { badResponse, callProvider, createAgent, statusError, type HttpProviderOptions } from './http';

export interface LibreTranslateOptions extends HttpProviderOptions {
  apiKey?: string;
  /** The server's `--char-limit` (default 5 000 here; LibreTranslate's own default is unlimited). */
  maxCharsPerRequest?: number;
  /** Texts per request (`q` as an array), default 50. */
  maxTextsPerRequest?: number;
  concurrency?: number;
}

/**
 * LibreTranslate: `POST /translate` `{q: [...], source, target, format: "text"|"html", api_key}` →
 * `{translatedText: [...]}`; pairs from `GET /languages` (`[{code, name, targets}]`).
 * Errors: 400 bad request, 403 bad/banned key, 429 slow down, 500 translation failed.
 */
export function createLibreTranslateTranslator(opts: LibreTranslateOptions): Translator & { close(): Promise<void> } {
  const base = opts.url.replace(/\/+$/, '');
  const agent = createAgent(opts);
  const limits: ProviderLimits = { maxTextsPerRequest: opts.maxTextsPerRequest ?? 50, maxCharsPerRequest: opts.maxCharsPerRequest ?? 5_000 };
  let languages: Promise<Map<string, Set<string>>> | undefined;

  const listLanguages = () => {
    languages ??= (async () => {
      const reply = await callProvider('libretranslate', agent, `${base}/languages`, { method: 'GET' });
      if (reply.status !== 200) throw statusError('libretranslate', reply, 'GET /languages');
      if (!Array.isArray(reply.body)) throw badResponse('libretranslate', 'GET /languages: not an array');
      return new Map((reply.body as Array<{ code: string; targets?: string[] }>).map((l) => [l.code, new Set(l.targets ?? [])]));
    })();
    languages.catch(() => (languages = undefined));
    return languages;
  };

  /** LibreTranslate codes are mostly ISO 639-1 (`en`), some with a script (`zh-Hans`). */
  const code = (tag: string, known: Iterable<string>) => {
    const full = normalizeLanguage(tag);
    const set = new Set(known);
    return set.has(full) ? full : primaryLanguage(tag);
  };

  const resolve = async (from: string, to: string) => {
    const langs = await listLanguages();
    const source = code(from, langs.keys());
    const targets = langs.get(source);
    const target = code(to, targets ?? []);
    return targets?.has(target) ? { source, target } : undefined;
  };

  return {
    name: 'libretranslate',
    limits,
    async supports(from, to) {
      return (await resolve(from, to)) !== undefined;
    },
    async translate(texts: readonly string[] | readonly Segment[], from: string, to: string, o: TranslateOptions = {}) {
      const pair = await resolve(from, to);
      if (!pair) {
        throw new TranslateError(TranslateErrorCodes.UNSUPPORTED_PAIR, `libretranslate: ${from}>${to} is not offered by ${base}`, {
          provider: 'libretranslate',
          from,
          to,
        });
      }
      return translateInBatches(toSegments(texts, o.format), limits, opts.concurrency ?? 2, async (batch, format) => {
        const reply = await callProvider('libretranslate', agent, `${base}/translate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ q: batch, source: pair.source, target: pair.target, format, ...(opts.apiKey ? { api_key: opts.apiKey } : {}) }),
          signal: o.signal,
        });
        if (reply.status !== 200) throw statusError('libretranslate', reply, 'POST /translate');
        const out = (reply.body as { translatedText?: unknown } | undefined)?.translatedText;
        if (!Array.isArray(out) || out.length !== batch.length || out.some((t) => typeof t !== 'string')) {
          throw badResponse('libretranslate', `POST /translate: expected translatedText with ${batch.length} strings`);
        }
        return out as string[];
      });
    },
    close: () => agent.close(),
  };
}
