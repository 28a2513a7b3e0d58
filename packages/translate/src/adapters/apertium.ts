import { translateInBatches } from '../chunk';
import { TranslateError, TranslateErrorCodes } from '../errors';
import { toApertiumCode } from '../languages';
import { toSegments, type ProviderLimits, type Segment, type TranslateOptions, type Translator } from '../translator';
import { badResponse, callProvider, createAgent, statusError, type HttpProviderOptions } from './http';

export interface ApertiumOptions extends HttpProviderOptions {
  /**
   * Requests in flight at once. APY runs one pipeline per pair unless started with
   * `--max-pipes-per-pair N`; matching N here lets the pipelines work in parallel.
   */
  concurrency?: number;
  /** Characters per request, default 20 000 (APY's default request timeout is 10 s). */
  maxCharsPerRequest?: number;
}

type ApyReply = { responseData?: { translatedText?: unknown }; responseStatus?: number };

/**
 * Apertium APY (`GET|POST /translate?langpair=eng|spa&q=…&format=txt|html&markUnknown=no`) — the
 * offline engine from Debian. One text per request (APY takes a single `q`); several in flight.
 * Pairs come from `/listPairs`, asked once.
 */
export function createApertiumTranslator(opts: ApertiumOptions): Translator & { close(): Promise<void> } {
  const base = opts.url.replace(/\/+$/, '');
  const concurrency = opts.concurrency ?? 4;
  const agent = createAgent({ ...opts, connections: Math.max(concurrency, opts.connections ?? 0) });
  const limits: ProviderLimits = { maxTextsPerRequest: 1, maxCharsPerRequest: opts.maxCharsPerRequest ?? 20_000 };
  let pairs: Promise<Set<string>> | undefined;

  const listPairs = (): Promise<Set<string>> => {
    pairs ??= (async () => {
      const reply = await callProvider('apertium', agent, `${base}/listPairs`, { method: 'GET' });
      if (reply.status !== 200) throw statusError('apertium', reply, 'GET /listPairs');
      const data = (reply.body as { responseData?: Array<{ sourceLanguage: string; targetLanguage: string }> })?.responseData;
      if (!Array.isArray(data)) throw badResponse('apertium', 'GET /listPairs: no responseData array');
      return new Set(data.map((p) => `${p.sourceLanguage}|${p.targetLanguage}`));
    })();
    // A failed lookup (APY down) must not stick: ask again next time.
    pairs.catch(() => (pairs = undefined));
    return pairs;
  };

  /** The APY langpair for BCP 47 tags, trying the regional variant first (`eng_US`), then the language. */
  const resolvePair = async (from: string, to: string): Promise<string | undefined> => {
    const installed = await listPairs();
    const f = toApertiumCode(from);
    const t = toApertiumCode(to);
    const candidates = [`${f}|${t}`, `${f.split('_')[0]}|${t}`, `${f}|${t.split('_')[0]}`, `${f.split('_')[0]}|${t.split('_')[0]}`];
    return candidates.find((c) => installed.has(c));
  };

  const translateOne = async (text: string, langpair: string, format: 'txt' | 'html', signal?: AbortSignal): Promise<string> => {
    const body = new URLSearchParams({ langpair, q: text, format, markUnknown: 'no' }).toString();
    const reply = await callProvider('apertium', agent, `${base}/translate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal,
    });
    if (reply.status !== 200) throw statusError('apertium', reply, 'POST /translate');
    const out = (reply.body as ApyReply | undefined)?.responseData?.translatedText;
    if (typeof out !== 'string') throw badResponse('apertium', 'POST /translate: no responseData.translatedText');
    // markUnknown=no drops only the `*` marks; `#` (could not generate) and `@` (not in the
    // bilingual dictionary) still prefix words. APY also leaves two spaces where it dropped a word.
    return out.replace(/(^|[\s>(“"‘'«¿¡])[#@](?=\p{L})/gu, '$1').replace(/ {2,}/g, ' ');
  };

  return {
    name: 'apertium',
    limits,
    async supports(from, to) {
      return (await resolvePair(from, to)) !== undefined;
    },
    async translate(texts: readonly string[] | readonly Segment[], from: string, to: string, o: TranslateOptions = {}) {
      const langpair = await resolvePair(from, to);
      if (!langpair) {
        throw new TranslateError(TranslateErrorCodes.UNSUPPORTED_PAIR, `apertium: pair ${from}>${to} is not installed on ${base}`, {
          provider: 'apertium',
          from,
          to,
        });
      }
      return translateInBatches(toSegments(texts, o.format), limits, concurrency, async (batch, format) =>
        Promise.all(batch.map((t) => translateOne(t, langpair, format === 'html' ? 'html' : 'txt', o.signal))),
      );
    },
    close: () => agent.close(),
  };
}
