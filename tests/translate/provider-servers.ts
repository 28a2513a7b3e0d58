/**
 * Local HTTP servers that implement the documented request and response formats of
 * LibreTranslate, DeepL API v2 and Amazon Translate (AWS JSON 1.1), including their error
 * responses, so the adapters are tested over real HTTP. They "translate" with a tiny dictionary.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

const DICT: Record<string, string> = { the: 'el', dog: 'perro', cat: 'gato', barks: 'ladra', sleeps: 'duerme', and: 'y', big: 'grande', house: 'casa' };

/** Dictionary translation of text content; tags (when `html`) pass through untouched. */
function fakeTranslate(text: string, html: boolean): string {
  const tr = (s: string) => s.replace(/\p{L}+/gu, (w) => DICT[w.toLowerCase()] ?? w);
  return html ? text.split(/(<[^>]*>)/).map((p, i) => (i % 2 ? p : tr(p))).join('') : tr(text);
}

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeServer {
  url: string;
  requests: Recorded[];
  /** Error to answer the next translate calls with (cleared with `undefined`). */
  fail: string | undefined;
  /** How many of the next translate calls fail (Infinity = all). */
  failTimes: number;
  close(): Promise<void>;
}

async function start(handler: (req: Recorded, res: ServerResponse, state: FakeServer) => void): Promise<FakeServer> {
  const state = { url: '', requests: [] as Recorded[], fail: undefined as string | undefined, failTimes: Infinity } as FakeServer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.requests.push(rec);
      handler(rec, res, state);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () =>
    new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return state;
}

/** Consume one injected failure, if any. */
function takeFailure(state: FakeServer): string | undefined {
  if (!state.fail || state.failTimes <= 0) return undefined;
  state.failTimes--;
  return state.fail;
}

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') =>
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));

/**
 * LibreTranslate (https://libretranslate.com/docs): `GET /languages`, `POST /translate` with
 * `{q, source, target, format, api_key}`; errors `{"error": "..."}` with 400, 403, 429, 500.
 */
export function startLibreTranslate(
  opts: {
    apiKey?: string;
    charLimit?: number;
    /** What the engine does to each translation before it answers (a hostile or broken engine). */
    tamper?: (translated: string, format: 'text' | 'html') => string;
  } = {},
): Promise<FakeServer & { maxChars: number }> {
  const languages = [
    { code: 'en', name: 'English', targets: ['es', 'fr'] },
    { code: 'es', name: 'Spanish', targets: ['en'] },
  ];
  let maxChars = 0;
  return start((req, res, state) => {
    if (req.method === 'GET' && req.path === '/languages') return json(res, 200, languages);
    if (req.method !== 'POST' || req.path !== '/translate') return json(res, 404, { error: 'Not Found' });
    let b: { q?: string | string[]; source?: string; target?: string; format?: string; api_key?: string };
    try {
      b = JSON.parse(req.body);
    } catch {
      return json(res, 400, { error: 'Invalid request: body is not JSON' });
    }
    if (b.q === undefined) return json(res, 400, { error: 'Invalid request: missing q parameter' });
    if (!b.source) return json(res, 400, { error: 'Invalid request: missing source parameter' });
    if (!b.target) return json(res, 400, { error: 'Invalid request: missing target parameter' });
    if (opts.apiKey && b.api_key !== opts.apiKey) return json(res, 403, { error: 'Invalid API key' });
    const src = languages.find((l) => l.code === b.source);
    if (!src) return json(res, 400, { error: `${b.source} is not supported` });
    if (!src.targets.includes(b.target)) return json(res, 400, { error: `${b.target} is not supported` });
    if (b.format && b.format !== 'text' && b.format !== 'html') return json(res, 400, { error: `${b.format} format is not supported` });
    const qs = Array.isArray(b.q) ? b.q : [b.q];
    const chars = qs.reduce((n, q) => n + q.length, 0);
    maxChars = Math.max(maxChars, chars);
    if (opts.charLimit !== undefined && chars > opts.charLimit) {
      return json(res, 400, { error: `Invalid request: request (${chars}) exceeds text limit (${opts.charLimit})` });
    }
    const f = takeFailure(state);
    if (f === '429') return json(res, 429, { error: 'Slowdown: 10 per 1 minute' });
    if (f === '500') return json(res, 500, { error: 'Cannot translate text: model crashed' });
    const format = b.format === 'html' ? 'html' : 'text';
    const out = qs.map((q) => fakeTranslate(q, format === 'html')).map((t) => (opts.tamper ? opts.tamper(t, format) : t));
    return json(res, 200, { translatedText: Array.isArray(b.q) ? out : out[0] });
  }).then((s) => Object.defineProperty(s, 'maxChars', { get: () => maxChars }) as FakeServer & { maxChars: number });
}

/**
 * DeepL API v2 (https://developers.deepl.com/docs/api-reference/translate): `Authorization:
 * DeepL-Auth-Key`, `POST /v2/translate` JSON `{text[], source_lang, target_lang, tag_handling}`,
 * `GET /v2/languages?type=`; 400, 403, 413, 429, 456 (quota), 5xx with `{"message": "..."}`.
 */
export function startDeepL(opts: { authKey: string }): Promise<FakeServer> {
  const source = [{ language: 'EN', name: 'English' }, { language: 'DE', name: 'German' }];
  const target = [
    { language: 'ES', name: 'Spanish', supports_formality: true },
    { language: 'EN-US', name: 'English (American)', supports_formality: false },
    { language: 'EN-GB', name: 'English (British)', supports_formality: false },
  ];
  return start((req, res, state) => {
    if (req.headers.authorization !== `DeepL-Auth-Key ${opts.authKey}`) return json(res, 403, { message: 'Authorization failure, check auth_key' });
    if (req.method === 'GET' && req.path.startsWith('/v2/languages')) {
      const type = new URL(req.path, 'http://x').searchParams.get('type') ?? 'source';
      return json(res, 200, type === 'target' ? target : source);
    }
    if (req.method !== 'POST' || req.path !== '/v2/translate') return json(res, 404, { message: 'Not found' });
    if (Buffer.byteLength(req.body) > 128 * 1024) return json(res, 413, { message: 'Request Entity Too Large' });
    if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { message: 'Unsupported Media Type' });
    const b = JSON.parse(req.body) as { text?: string[]; source_lang?: string; target_lang?: string; tag_handling?: string };
    if (!Array.isArray(b.text) || b.text.length === 0) return json(res, 400, { message: "Parameter 'text' not specified." });
    if (b.text.length > 50) return json(res, 413, { message: 'Too many texts in request (max 50)' });
    if (!b.target_lang || !target.some((t) => t.language === b.target_lang)) return json(res, 400, { message: "Value for 'target_lang' not supported." });
    if (b.source_lang && !source.some((s) => s.language === b.source_lang)) return json(res, 400, { message: "Value for 'source_lang' not supported." });
    if (b.tag_handling && b.tag_handling !== 'html' && b.tag_handling !== 'xml') return json(res, 400, { message: "Value for 'tag_handling' not supported." });
    const f = takeFailure(state);
    if (f === '456') return json(res, 456, { message: 'Quota exceeded' });
    if (f === '429') return json(res, 429, { message: 'Too many requests' });
    if (f === '503') return json(res, 503, { message: 'Service unavailable' });
    return json(res, 200, {
      translations: b.text.map((t) => ({ detected_source_language: 'EN', text: fakeTranslate(t, b.tag_handling === 'html') })),
    });
  });
}

/**
 * Amazon Translate over AWS JSON 1.1 (`POST /`, `X-Amz-Target: AWSShineFrontendService_20170701.<Op>`,
 * SigV4 `Authorization`): `TranslateText` (≤ 10 000 bytes) and `TranslateDocument` (base64
 * content, `text/html`). Errors are JSON `{"__type": "<Exception>", "message": ...}` with HTTP 400
 * (client, throttling) or 500/503 (server), as the service sends them.
 */
export function startAmazonTranslate(opts: { languages?: string[] } = {}): Promise<FakeServer> {
  const langs = new Set(opts.languages ?? ['en', 'es', 'fr', 'de']);
  const amzJson = 'application/x-amz-json-1.1';
  const error = (res: ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}) =>
    res.writeHead(status, { 'content-type': amzJson, 'x-amzn-requestid': 'req-1' }).end(JSON.stringify({ __type: type, message, ...extra }));
  return start((req, res, state) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || req.path !== '/') return error(res, 404, 'UnknownOperationException', 'not found');
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
      return error(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    if (req.headers['content-type'] !== amzJson) return error(res, 400, 'SerializationException', 'wrong content type');
    const op = target.replace('AWSShineFrontendService_20170701.', '');
    const b = JSON.parse(req.body) as {
      Text?: string;
      Document?: { Content?: string; ContentType?: string };
      SourceLanguageCode?: string;
      TargetLanguageCode?: string;
    };
    const src = b.SourceLanguageCode ?? '';
    const tgt = b.TargetLanguageCode ?? '';
    if (!langs.has(src) || !langs.has(tgt)) {
      return error(res, 400, 'UnsupportedLanguagePairException', `Unsupported language pair: ${src} to ${tgt}.`, { SourceLanguageCode: src, TargetLanguageCode: tgt });
    }
    const f = takeFailure(state);
    if (f === 'throttle') return error(res, 400, 'ThrottlingException', 'Rate exceeded');
    if (f === 'unavailable') return error(res, 503, 'ServiceUnavailableException', 'Service unavailable');
    if (op === 'TranslateText') {
      const bytes = Buffer.byteLength(b.Text ?? '');
      if (bytes > 10_000) {
        return error(res, 400, 'TextSizeLimitExceededException', `Input text size exceeds limit. Max length of request text allowed is 10000 bytes while in this request the text size is ${bytes} bytes`);
      }
      return res
        .writeHead(200, { 'content-type': amzJson })
        .end(JSON.stringify({ TranslatedText: fakeTranslate(b.Text ?? '', false), SourceLanguageCode: src, TargetLanguageCode: tgt }));
    }
    if (op === 'TranslateDocument') {
      if (b.Document?.ContentType !== 'text/html' && b.Document?.ContentType !== 'text/plain') {
        return error(res, 400, 'InvalidRequestException', 'unsupported document content type');
      }
      const html = Buffer.from(b.Document.Content ?? '', 'base64').toString('utf8');
      const out = Buffer.from(fakeTranslate(html, b.Document.ContentType === 'text/html'), 'utf8').toString('base64');
      return res
        .writeHead(200, { 'content-type': amzJson })
        .end(JSON.stringify({ TranslatedDocument: { Content: out }, SourceLanguageCode: src, TargetLanguageCode: tgt }));
    }
    return error(res, 400, 'UnknownOperationException', `unknown operation ${op}`);
  });
}
