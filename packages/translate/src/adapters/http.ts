import { Agent, request } from 'undici';
import { TranslateError, TranslateErrorCodes, type TranslateErrorCode } from '../errors';

/** What an HTTP adapter needs to reach its provider. */
export interface HttpProviderOptions {
  /** Base URL, e.g. `http://127.0.0.1:2737` or `https://api-free.deepl.com`. */
  url: string;
  /** Per-request timeout (headers and body), default 30 s. */
  timeoutMs?: number;
  /** Parallel connections to the provider, default 4. */
  connections?: number;
}

export interface HttpReply {
  status: number;
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A keep-alive connection pool for one provider, shared by every request of an adapter. */
export function createAgent(opts: HttpProviderOptions): Agent {
  const timeout = opts.timeoutMs ?? 30_000;
  return new Agent({ connections: opts.connections ?? 4, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 10_000 });
}

/**
 * One HTTP call to a provider. Network failures and timeouts become a retryable
 * `WIRE_ERR_TRANSLATE_PROVIDER_DOWN`; the status is left to the caller (`statusError`).
 */
export async function callProvider(
  provider: string,
  agent: Agent,
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
): Promise<HttpReply> {
  try {
    const res = await request(url, { method: init.method, headers: init.headers, body: init.body, dispatcher: agent, signal: init.signal });
    const text = await res.body.text();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (an HTML error page from a proxy, say): callers see `text` and `body` undefined.
        body = undefined;
      }
    }
    return { status: res.statusCode, body, text, headers: res.headers };
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : 'Error';
    const code = (cause as { code?: string }).code;
    throw new TranslateError(
      TranslateErrorCodes.PROVIDER_DOWN,
      `${provider}: no answer from ${new URL(url).origin} (${code ?? name})`,
      { provider, url: new URL(url).origin, cause: code ?? name },
      { cause },
    );
  }
}

/** The error code a provider's HTTP status means, by the common conventions. */
function codeForStatus(status: number): TranslateErrorCode {
  if (status === 429) return TranslateErrorCodes.RATE_LIMITED;
  if (status === 456) return TranslateErrorCodes.QUOTA_EXCEEDED;
  if (status === 401 || status === 403) return TranslateErrorCodes.AUTH;
  if (status >= 500) return TranslateErrorCodes.PROVIDER_DOWN;
  return TranslateErrorCodes.BAD_REQUEST;
}

/** A typed error for a non-2xx reply, naming the provider, status and the provider's own message. */
export function statusError(provider: string, reply: HttpReply, what: string, code = codeForStatus(reply.status)): TranslateError {
  const providerMessage = extractMessage(reply);
  return new TranslateError(
    code,
    `${provider}: ${what} answered HTTP ${reply.status}${providerMessage ? ` (${providerMessage})` : ''}`,
    { provider, status: reply.status, providerMessage },
  );
}

function extractMessage(reply: HttpReply): string | undefined {
  const b = reply.body as Record<string, unknown> | undefined;
  const candidates = [b?.error, b?.message, b?.responseDetails, b?.explanation];
  for (const c of candidates) if (typeof c === 'string' && c.length > 0) return c.slice(0, 300);
  return reply.text ? reply.text.slice(0, 200) : undefined;
}

/** A retryable error for a 2xx reply whose body has the wrong shape. */
export function badResponse(provider: string, what: string): TranslateError {
  return new TranslateError(TranslateErrorCodes.BAD_RESPONSE, `${provider}: ${what}`, { provider });
}
