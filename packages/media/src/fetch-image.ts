import { Agent, request } from 'undici';
import { findNetGuardError, NetGuard, NetGuardErrorCodes, type NetGuardError } from '@wire/netguard';
import { MediaError } from './errors';
import { sniffImageType, type SniffedType } from './sniff';

export interface FetchLimits {
  /** Time to establish the TCP/TLS connection. */
  connectTimeoutMs: number;
  /** Time to the response headers, and the longest pause between body chunks. */
  readTimeoutMs: number;
  /** Whole download, headers to last byte. */
  totalTimeoutMs: number;
  /** Largest accepted body. */
  maxBytes: number;
  /** Redirects followed; each target is checked again. */
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  connectTimeoutMs: 3_000,
  readTimeoutMs: 5_000,
  totalTimeoutMs: 15_000,
  maxBytes: 20 * 1024 * 1024,
  maxRedirects: 3,
};

export interface FetchedImage {
  bytes: Buffer;
  type: SniffedType;
  /** The URL the bytes came from after redirects. */
  finalUrl: string;
}

/** Downloads images by URL; `close()` releases pooled connections. */
export interface ImageFetcher {
  fetch(url: string): Promise<FetchedImage>;
  close(): Promise<void>;
}

export interface ImageFetcherOptions {
  /** Hosts, addresses and CIDRs image downloads may reach although private (`WIRE_IMAGE_ALLOW_PRIVATE_HOSTS`). */
  allowPrivateHosts?: readonly string[];
  /** The network guard itself, in place of one built from `allowPrivateHosts` (tests pass one with their own resolver). */
  guard?: NetGuard;
  limits?: Partial<FetchLimits>;
  userAgent?: string;
}

/**
 * An undici-based fetcher behind the network guard (`@wire/netguard`: checked before each
 * request and again on the address each socket connects to), following at most `maxRedirects`
 * redirects re-checking each, capping bytes and time, typing the body by its magic bytes.
 *
 * @example
 * const fetcher = createImageFetcher({ allowPrivateHosts: ['127.0.0.1', 'localhost'] });
 * const img = await fetcher.fetch('http://127.0.0.1:8081/a.jpg');
 */
export function createImageFetcher(opts: ImageFetcherOptions = {}): ImageFetcher {
  const limits: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...opts.limits };
  const guard = opts.guard ?? new NetGuard({ allow: opts.allowPrivateHosts ?? [] });
  const agent = new Agent({
    connect: { timeout: limits.connectTimeoutMs, lookup: guard.lookup },
    headersTimeout: limits.readTimeoutMs,
    bodyTimeout: limits.readTimeoutMs,
    connections: 32,
  });
  const userAgent = opts.userAgent ?? 'wire-ingest/0.1 (+image fetcher)';

  async function fetchOnce(target: URL, signal: AbortSignal) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new MediaError('WIRE_ERR_MEDIA_BAD_URL', `image URL ${target.href}: protocol ${target.protocol} not allowed (http/https only)`, { url: target.href });
    }
    // Checked here for a clear error, and for IP literals, which sockets connect to without a lookup.
    const verdict = await guard.check(target.hostname);
    if (!verdict.ok) throw guardError(verdict.error, target.href);
    try {
      return await request(target, { method: 'GET', dispatcher: agent, signal, headers: { 'user-agent': userAgent, accept: 'image/*' } });
    } catch (err) {
      throw classify(err, target.href);
    }
  }

  return {
    async fetch(url: string): Promise<FetchedImage> {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        throw new MediaError('WIRE_ERR_MEDIA_BAD_URL', `image URL "${url.slice(0, 200)}" is not an absolute URL`, { url });
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new MediaError('WIRE_ERR_MEDIA_TIMEOUT', `image ${url}: download exceeded ${limits.totalTimeoutMs} ms`, { url })), limits.totalTimeoutMs);
      try {
        for (let hop = 0; ; hop++) {
          const res = await fetchOnce(target, controller.signal);
          if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
            await res.body.dump().catch(() => undefined);
            if (hop >= limits.maxRedirects) {
              throw new MediaError('WIRE_ERR_MEDIA_TOO_MANY_REDIRECTS', `image ${url}: more than ${limits.maxRedirects} redirects`, { url });
            }
            const location = Array.isArray(res.headers.location) ? res.headers.location[0] : res.headers.location;
            target = new URL(location ?? '', target);
            continue;
          }
          if (res.statusCode < 200 || res.statusCode >= 300) {
            await res.body.dump().catch(() => undefined);
            const retryable = res.statusCode >= 500 || res.statusCode === 429 || res.statusCode === 408;
            throw new MediaError('WIRE_ERR_MEDIA_HTTP_STATUS', `image ${target.href}: HTTP ${res.statusCode}`, { url: target.href, status: res.statusCode }, { retryable });
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > limits.maxBytes) {
            res.body.destroy();
            throw new MediaError('WIRE_ERR_MEDIA_TOO_LARGE', `image ${target.href}: content-length ${declared} exceeds the ${limits.maxBytes}-byte cap`, { url: target.href });
          }
          const chunks: Buffer[] = [];
          let size = 0;
          try {
            for await (const chunk of res.body) {
              size += (chunk as Buffer).length;
              if (size > limits.maxBytes) {
                res.body.destroy();
                throw new MediaError('WIRE_ERR_MEDIA_TOO_LARGE', `image ${target.href}: body exceeds the ${limits.maxBytes}-byte cap`, { url: target.href });
              }
              chunks.push(chunk as Buffer);
            }
          } catch (err) {
            throw classify(err, target.href);
          }
          const bytes = Buffer.concat(chunks, size);
          const type = sniffImageType(bytes);
          if (!type) {
            throw new MediaError('WIRE_ERR_MEDIA_UNSUPPORTED_TYPE', `image ${target.href}: bytes are not a supported image (declared ${String(res.headers['content-type'] ?? 'none')})`, { url: target.href });
          }
          return { bytes, type, finalUrl: target.href };
        }
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof MediaError) throw controller.signal.reason;
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}

/** A guard refusal is permanent for the URL (never retried); a name that did not resolve may resolve later. */
function guardError(e: NetGuardError, url: string): MediaError {
  return e.code === NetGuardErrorCodes.BLOCKED
    ? new MediaError('WIRE_ERR_MEDIA_BLOCKED_HOST', `image ${url}: ${e.message}`, { url, ...e.details }, { cause: e })
    : new MediaError('WIRE_ERR_MEDIA_DNS', `image ${url}: ${e.message}`, { url, ...e.details }, { cause: e });
}

/** Turn an undici/network failure into a typed, retryable-or-not media error. */
function classify(err: unknown, url: string): MediaError {
  if (err instanceof MediaError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown };
  if (e.cause instanceof MediaError) return e.cause;
  // Refused by the connect-time lookup (DNS changed since the check): the same verdict as before the request.
  const refused = findNetGuardError(err);
  if (refused) return guardError(refused, url);
  const code = e.code ?? '';
  if (/TIMEOUT/i.test(code) || e.name === 'AbortError') {
    return new MediaError('WIRE_ERR_MEDIA_TIMEOUT', `image ${url}: timed out (${code || e.name})`, { url }, { cause: err });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MediaError('WIRE_ERR_MEDIA_DNS', `image ${url}: DNS lookup failed (${code})`, { url }, { cause: err });
  }
  return new MediaError('WIRE_ERR_MEDIA_NETWORK', `image ${url}: ${code || e.message || 'network error'}`, { url }, { cause: err });
}
