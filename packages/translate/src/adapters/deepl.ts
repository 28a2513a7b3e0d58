import { translateInBatches } from '../chunk';
import { TranslateError, TranslateErrorCodes } from '../errors';
import { normalizeLanguage, primaryLanguage } from '../languages';
import { toSegments, type ProviderLimits, type Segment, type TranslateOptions, type Translator } from '../translator';
import { badResponse, callProvider, createAgent, statusError, type HttpProviderOptions } from './http';

export interface DeepLOptions extends HttpProviderOptions {
  /** `https://api-free.deepl.com` for free keys (ending `:fx`), `https://api.deepl.com` otherwise. */
  url: string;
  authKey: string;
  concurrency?: number;
}

type DeepLLanguage = { language: string; name?: string };

/**
 * DeepL API v2: `POST /v2/translate` with `Authorization: DeepL-Auth-Key …`, JSON
 * `{text: [...], source_lang: "EN", target_lang: "ES", tag_handling: "html"}` →
 * `{translations: [{detected_source_language, text}]}`. At most 50 texts and 128 KiB per request.
 * Pairs from `GET /v2/languages?type=source|target`. Errors: 400, 403 (key), 413, 429, 456 (quota), 5xx.
 */
export function createDeepLTranslator(opts: DeepLOptions): Translator & { close(): Promise<void> } {
  const base = opts.url.replace(/\/+$/, '');
  const agent = createAgent(opts);
  // 128 KiB per request including JSON framing; leave room for it.
  const limits: ProviderLimits = { maxTextsPerRequest: 50, maxCharsPerRequest: 100_000, maxBytesPerRequest: 120_000 };
  const auth = { authorization: `DeepL-Auth-Key ${opts.authKey}` };
  let languages: Promise<{ source: Set<string>; target: Set<string> }> | undefined;

  const list = async (type: 'source' | 'target') => {
    const reply = await callProvider('deepl', agent, `${base}/v2/languages?type=${type}`, { method: 'GET', headers: auth });
    if (reply.status !== 200) throw statusError('deepl', reply, `GET /v2/languages?type=${type}`);
    if (!Array.isArray(reply.body)) throw badResponse('deepl', `GET /v2/languages?type=${type}: not an array`);
    return new Set((reply.body as DeepLLanguage[]).map((l) => l.language.toUpperCase()));
  };
  const listLanguages = () => {
    languages ??= Promise.all([list('source'), list('target')]).then(([source, target]) => ({ source, target }));
    languages.catch(() => (languages = undefined));
    return languages;
  };

  /** DeepL codes: `EN` as a source; targets may need a variant (`EN-US`, `PT-BR`), chosen when the tag has none. */
  const resolve = async (from: string, to: string) => {
    const { source, target } = await listLanguages();
    const src = primaryLanguage(from).toUpperCase();
    const full = normalizeLanguage(to).toUpperCase();
    const prim = primaryLanguage(to).toUpperCase();
    const tgt = target.has(full) ? full : target.has(prim) ? prim : [...target].find((t) => t.startsWith(`${prim}-`));
    return source.has(src) && tgt ? { source: src, target: tgt } : undefined;
  };

  return {
    name: 'deepl',
    limits,
    async supports(from, to) {
      return (await resolve(from, to)) !== undefined;
    },
    async translate(texts: readonly string[] | readonly Segment[], from: string, to: string, o: TranslateOptions = {}) {
      const pair = await resolve(from, to);
      if (!pair) {
        throw new TranslateError(TranslateErrorCodes.UNSUPPORTED_PAIR, `deepl: ${from}>${to} is not offered`, { provider: 'deepl', from, to });
      }
      return translateInBatches(toSegments(texts, o.format), limits, opts.concurrency ?? 2, async (batch, format) => {
        const reply = await callProvider('deepl', agent, `${base}/v2/translate`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            text: batch,
            source_lang: pair.source,
            target_lang: pair.target,
            ...(format === 'html' ? { tag_handling: 'html' } : {}),
          }),
          signal: o.signal,
        });
        if (reply.status !== 200) throw statusError('deepl', reply, 'POST /v2/translate');
        const out = (reply.body as { translations?: Array<{ text?: unknown }> } | undefined)?.translations;
        if (!Array.isArray(out) || out.length !== batch.length || out.some((t) => typeof t?.text !== 'string')) {
          throw badResponse('deepl', `POST /v2/translate: expected ${batch.length} translations`);
        }
        return out.map((t) => t.text as string);
      });
    },
    close: () => agent.close(),
  };
}
