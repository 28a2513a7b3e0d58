/**
 * The HTTP side of delivery: one undici Pool per partner origin (keep-alive), the network guard
 * (@wire/netguard) applied at send time and again on the address each socket connects to, so DNS
 * rebinding cannot slip past it; redirects never followed, a hard deadline per attempt and a
 * capped response excerpt.
 */
import { Pool } from 'undici';
import { findNetGuardError, NetGuard, NetGuardErrorCodes, type NetGuardError } from '@wire/netguard';
import { err, ok, type Result } from '@wire/schema';
import { WebhookError, WebhookErrorCodes } from './errors';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Overrides the client's timeout for this attempt, ms. */
  timeoutMs?: number;
}

/** A partner answered (any status). */
export interface SendResponse {
  ok: true;
  status: number;
  /** `retry-after` header as sent, when present. */
  retryAfter?: string;
  /** The start of the response body, at most `excerptBytes`, utf-8. */
  excerpt: string;
  latencyMs: number;
}

/** No answer: timeout, connection failure, refused by the SSRF guard, bad URL. */
export interface SendFailure {
  ok: false;
  error: WebhookError;
  latencyMs: number;
}

export type SendOutcome = SendResponse | SendFailure;

export interface DeliveryClientOptions {
  /** The network guard with the partners' allow list (`WIRE_WEBHOOK_ALLOW_PRIVATE_HOSTS`); default: nothing private allowed. */
  guard?: NetGuard;
  /** Per-attempt deadline covering connect, headers and the excerpt, ms (default 15 000). */
  timeoutMs?: number;
  /** Connections per partner origin (default 16). */
  connectionsPerOrigin?: number;
  /** Bytes of the response body kept for the delivery log (default 1024). */
  excerptBytes?: number;
  /** Idle keep-alive sockets are closed after this, ms (default 30 000). */
  keepAliveMs?: number;
  userAgent?: string;
}

const elapsedSince = (started: number) => Math.round((performance.now() - started) * 10) / 10;
const failure = (error: WebhookError, started: number): SendFailure => ({ ok: false, error, latencyMs: elapsedSince(started) });

/**
 * One POST in flight, as an undici dispatch handler (the legacy callback interface undici calls
 * directly). A class rather than closures: one object per attempt instead of a dozen functions.
 */
class Attempt {
  private settled = false;
  private abort: ((err: Error) => void) | undefined;
  private abortReason: Error | undefined;
  private status = 0;
  private retryAfter: string | undefined;
  private gotHeaders = false;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (outcome: SendOutcome) => void,
    private readonly origin: string,
    private readonly timeoutMs: number,
    private readonly excerptBytes: number,
    private readonly started: number,
  ) {
    // The hard deadline: the attempt ends then, whether or not the request left the pool's queue.
    this.timer = setTimeout(() => this.deadline(), timeoutMs);
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
    if (this.abortReason) abort(this.abortReason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the final answer follows
    this.status = statusCode;
    this.gotHeaders = true;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      if (name.length === 11 && name.toString('latin1').toLowerCase() === 'retry-after') {
        this.retryAfter = rawHeaders[i + 1]!.toString('latin1');
        break;
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Read at most excerptBytes; a partner dripping a huge or endless body is cut off at the cap
    // or the deadline, whichever comes first — the status is what decides the outcome.
    if (this.size >= this.excerptBytes) {
      this.finish(this.answered());
      this.stop(new Error('response excerpt complete'));
    }
    return true;
  }

  onComplete(): void {
    this.finish(this.answered());
  }

  onError(err: Error): void {
    this.failed(err, false);
  }

  private deadline(): void {
    const reason = new Error(`deadline of ${this.timeoutMs} ms`);
    reason.name = 'AbortError';
    this.failed(reason, true);
    this.stop(reason);
  }

  private stop(reason: Error): void {
    if (this.abort) this.abort(reason);
    else this.abortReason ??= reason;
  }

  private answered(): SendResponse {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    return {
      ok: true,
      status: this.status,
      retryAfter: this.retryAfter,
      excerpt: body.subarray(0, this.excerptBytes).toString('utf8'),
      latencyMs: elapsedSince(this.started),
    };
  }

  private finish(outcome: SendOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(outcome);
  }

  private failed(cause: unknown, timedOut: boolean): void {
    // The body was cut by the deadline or the partner closed mid-body: the status stands.
    if (this.gotHeaders) return this.finish(this.answered());
    const origin = this.origin;
    const e = cause as { code?: string; name?: string; message?: string };
    const refused = findNetGuardError(cause);
    let error: WebhookError;
    if (timedOut || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'AbortError') {
      error = new WebhookError(WebhookErrorCodes.TIMEOUT, `partner ${origin}: no response within ${this.timeoutMs} ms`, { origin, timeoutMs: this.timeoutMs }, { cause });
    } else if (refused) {
      // Refused by the connect-time lookup: the DNS answer changed since the check.
      error = guardError(refused);
    } else {
      error = new WebhookError(WebhookErrorCodes.NETWORK, `partner ${origin}: ${e.code ?? 'connection failed'} (${e.message ?? 'no message'})`, { origin, errorCode: e.code }, { cause });
    }
    this.finish(failure(error, this.started));
  }
}

/** Where a partner URL sends: the pool's origin, the request path, the host the guard checks. */
interface Target {
  origin: string;
  path: string;
  hostname: string;
}

/** A guard refusal is permanent for the partner URL (dead letter); a name that did not resolve is retried. */
function guardError(e: NetGuardError): WebhookError {
  const code = e.code === NetGuardErrorCodes.BLOCKED ? WebhookErrorCodes.SSRF_BLOCKED : WebhookErrorCodes.DNS;
  return new WebhookError(code, `partner ${e.message}`, e.details, { cause: e });
}

/**
 * Sends signed webhook requests.
 *
 * @example
 * const client = new DeliveryClient({ guard: new NetGuard({ allow: ['127.0.0.1'], cacheMs: 5_000 }) });
 * const out = await client.send({ url, headers, body });
 * if (out.ok && out.status >= 200 && out.status < 300) { … }
 * await client.close();
 */
export class DeliveryClient {
  private readonly pools = new Map<string, Pool>();
  private readonly targets = new Map<string, Result<Target, WebhookError>>();
  private readonly guard: NetGuard;
  private readonly timeoutMs: number;
  private readonly connections: number;
  private readonly excerptBytes: number;
  private readonly keepAliveMs: number;
  private readonly userAgent: string;
  private closed = false;

  constructor(options: DeliveryClientOptions = {}) {
    this.guard = options.guard ?? new NetGuard({ cacheMs: 5_000 });
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.connections = options.connectionsPerOrigin ?? 16;
    this.excerptBytes = options.excerptBytes ?? 1024;
    this.keepAliveMs = options.keepAliveMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'wire-webhooks/1';
  }

  /** POST once. Never throws for partner behaviour; the outcome says what happened. */
  async send(req: SendRequest): Promise<SendOutcome> {
    const started = performance.now();
    const target = this.target(req.url);
    if (!target.ok) return failure(target.error, started);
    const { origin, path, hostname } = target.value;
    // The guard's cached verdict needs no promise; a host not seen lately is resolved first.
    const allowed = this.guard.cached(hostname) ?? (await this.guard.check(hostname));
    if (!allowed.ok) return failure(guardError(allowed.error), started);

    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    // undici's dispatch with a handler of our own rather than `request`: no response stream, no
    // async iterator, no AbortSignal per attempt — the excerpt is gathered from the chunks as they
    // come (a measurable share of the CPU per delivery at thousands per second).
    return new Promise<SendOutcome>((resolve) => {
      const attempt = new Attempt(resolve, origin, timeoutMs, this.excerptBytes, started);
      try {
        this.pool(origin).dispatch(
          {
            origin,
            method: 'POST',
            path,
            headers: { 'user-agent': this.userAgent, ...req.headers },
            body: req.body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          attempt as unknown as Parameters<Pool['dispatch']>[1],
        );
      } catch (cause) {
        attempt.onError(cause as Error);
      }
    });
  }

  /** A partner URL parsed and checked once (every delivery to a partner sends to the same URL). */
  private target(raw: string): Result<Target, WebhookError> {
    let hit = this.targets.get(raw);
    if (hit) return hit;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch (cause) {
      hit = err(new WebhookError(WebhookErrorCodes.URL, `partner url "${raw}": not a URL`, { url: raw }, { cause }));
    }
    if (url) {
      hit =
        url.protocol !== 'http:' && url.protocol !== 'https:'
          ? err(new WebhookError(WebhookErrorCodes.URL, `partner url "${raw}": protocol ${url.protocol} is not http(s)`))
          : ok({ origin: url.origin, path: `${url.pathname}${url.search}`, hostname: url.hostname });
    }
    if (this.targets.size >= 10_000) this.targets.clear();
    this.targets.set(raw, hit!);
    return hit!;
  }

  /** Close every pool; in-flight requests finish first. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  /** Drop pools at once, aborting in-flight requests (forced shutdown). */
  async destroy(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.destroy()));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: this.keepAliveMs,
        keepAliveMaxTimeout: this.keepAliveMs,
        connect: { lookup: this.guard.lookup },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
