import { decodeEntities, escapeText } from '@wire/text';
import { translateInBatches } from '../chunk';
import { TranslateError, TranslateErrorCodes } from '../errors';
import { toApertiumCode } from '../languages';
import { toSegments, type ProviderLimits, type Segment, type TextFormat, type TranslateOptions, type Translator } from '../translator';
import { badResponse, callProvider, createAgent, statusError, type HttpProviderOptions } from './http';

export interface ApertiumOptions extends HttpProviderOptions {
  /**
   * Requests in flight at once. APY runs one pipeline per pair unless started with
   * `--max-pipes-per-pair N`; matching N here lets the pipelines work in parallel.
   */
  concurrency?: number;
  /** Characters per request, default 8 000 (well inside APY's default 10 s request timeout). */
  maxCharsPerRequest?: number;
  /**
   * Send several texts in one request (default true): APY has a fixed cost per request, so a story
   * in one or two requests translates much faster than paragraph by paragraph (figures in
   * services/translator/README.md).
   */
  batch?: boolean;
}

const SEG = /<div id="wseg(\d+)">/g;

/**
 * Several texts as one HTML document: each in its own `<div id="wsegN">`. A block element is a
 * sentence boundary for Apertium, so no word moves from one text into another, and tags come
 * back in order, so the markers split the output again. Plain texts are escaped going in and
 * unescaped coming out.
 */
export function packBatch(texts: readonly string[], formats: readonly TextFormat[]): string {
  return texts.map((t, i) => `<div id="wseg${i}">${formats[i] === 'html' ? t : escapeText(t)}</div>`).join('\n');
}

export function unpackBatch(out: string, formats: readonly TextFormat[]): string[] | undefined {
  const marks = [...out.matchAll(SEG)];
  if (marks.length !== formats.length || marks.some((m, i) => Number(m[1]) !== i)) return undefined;
  return marks.map((m, i) => {
    const start = m.index + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index : out.length;
    const inner = out.slice(start, end).replace(/<\/div>\s*$/, '').trim();
    return formats[i] === 'html' ? inner : decodeEntities(inner);
  });
}

type ApyReply = { responseData?: { translatedText?: unknown }; responseStatus?: number };

/**
 * Apertium APY (`GET|POST /translate?langpair=eng|spa&q=…&format=txt|html&markUnknown=no`) — the
 * offline engine from Debian. APY takes a single `q`, so texts are packed into one HTML document
 * per request (see `packBatch`); several requests in flight for APY's parallel pipelines.
 * Pairs come from `/listPairs`, asked once.
 */
export function createApertiumTranslator(opts: ApertiumOptions): Translator & { close(): Promise<void> } {
  const base = opts.url.replace(/\/+$/, '');
  const concurrency = opts.concurrency ?? 4;
  const agent = createAgent({ ...opts, connections: Math.max(concurrency, opts.connections ?? 0) });
  const limits: ProviderLimits = {
    maxTextsPerRequest: opts.batch === false ? 1 : 64,
    maxCharsPerRequest: opts.maxCharsPerRequest ?? 8_000,
    // Every batch travels as HTML, plain texts escaped: headline, paragraphs and captions share one request.
    mixedFormats: true,
  };
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
      const one = (t: string, format: 'text' | 'html') => translateOne(t, langpair, format === 'html' ? 'html' : 'txt', o.signal);
      return translateInBatches(toSegments(texts, o.format), limits, concurrency, async (batch, _format, formats) => {
        if (batch.length === 1) return [await one(batch[0]!, formats[0]!)];
        const out = unpackBatch(await translateOne(packBatch(batch, formats), langpair, 'html', o.signal), formats);
        // Markers not all back (never seen, but APY is not ours): fall back to one text per request.
        return out ?? Promise.all(batch.map((t, i) => one(t, formats[i]!)));
      });
    },
    close: () => agent.close(),
  };
}
