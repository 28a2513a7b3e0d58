import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OpsErrors } from './errors';

/**
 * The default Content-Security-Policy: scripts, styles and connections from this origin only (no
 * inline script or style), no plugins, no framing. The dashboard lives within it.
 */
const DEFAULT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * For bytes the ops service passes through (images from S3): a sandbox, so an SVG or a mislabelled
 * file opened on its own cannot run script on the ops origin.
 */
export const MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

/**
 * The queue UI (bull-board) as shipped: its scripts are files, but it sets inline styles and a
 * `<base href>`, so styles may be inline and the base this origin. Scripts stay files only.
 */
export const QUEUE_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface BrowserGuardOptions {
  /**
   * `Host` values accepted (name or name:port, e.g. `ops.newsroom.example`), besides
   * `127.0.0.1:<port>` and `localhost:<port>` of the port the request arrived on.
   */
  allowedHosts: readonly string[];
}

function refuse(reply: FastifyReply, code: 'WIRE_ERR_OPS_HOST' | 'WIRE_ERR_OPS_ORIGIN', message: string) {
  return reply.code(OpsErrors.spec(code).status).send({ error: { code, message } });
}

/**
 * What a browser needs kept from the ops service, as hooks on `app` (install before any route):
 * - a request whose `Host` is not one of ours is refused (421): a DNS-rebinding page that
 *   resolves its own name to 127.0.0.1 cannot read or drive the API from a victim's browser;
 * - a state-changing request (anything but GET/HEAD/OPTIONS) from a foreign `Origin`, or marked
 *   cross-site by `Sec-Fetch-Site`, is refused (403): no cross-site request forgery. A request
 *   with neither header (curl, the CLI, Node's fetch) is not a browser's and passes to the token check;
 * - every response carries a CSP (`DEFAULT_CSP` unless the route set its own), `nosniff`,
 *   `Referrer-Policy: no-referrer` and `X-Frame-Options: DENY`.
 */
export function installBrowserGuard(app: FastifyInstance, opts: BrowserGuardOptions): void {
  const configured = new Set(opts.allowedHosts.map((h) => h.toLowerCase()));
  const hostAllowed = (host: string | undefined, req: FastifyRequest): boolean => {
    if (!host) return false;
    const h = host.toLowerCase();
    if (configured.has(h)) return true;
    // The loopback names at the port this connection actually reached (PORT=0 included).
    const port = req.socket.localPort;
    return port !== undefined && (h === `127.0.0.1:${port}` || h === `localhost:${port}`);
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host, req)) {
      return refuse(reply, 'WIRE_ERR_OPS_HOST', `${OpsErrors.spec('WIRE_ERR_OPS_HOST').message}: this Host is not one the ops service answers for (OPS_ALLOWED_HOSTS)`);
    }
    if (SAFE_METHODS.has(req.method)) return;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        const u = new URL(origin);
        if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.host;
      } catch {
        originHost = undefined; // `null`, or not a URL: a browser hiding the origin, so refused below.
      }
      if (!hostAllowed(originHost, req)) return refuse(reply, 'WIRE_ERR_OPS_ORIGIN', `${OpsErrors.spec('WIRE_ERR_OPS_ORIGIN').message}: Origin is not this service`);
    } else if (req.headers['sec-fetch-site'] === 'cross-site' || req.headers['sec-fetch-site'] === 'same-site') {
      return refuse(reply, 'WIRE_ERR_OPS_ORIGIN', `${OpsErrors.spec('WIRE_ERR_OPS_ORIGIN').message}: Sec-Fetch-Site is ${req.headers['sec-fetch-site']}`);
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DEFAULT_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });
}
