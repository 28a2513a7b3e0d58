import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger, Registry } from '@wire/observability';
import { declareScopeAccess, installAccess, type DeclaredRoute } from './access';
import { requestToken, TOKEN_COOKIE } from './auth';
import { installBrowserGuard, QUEUE_UI_CSP } from './browser-guard';
import { OpsError } from './errors';
import type { IngestDeadLetters, Republish } from './ingest-dead-letters';
import { buildSnapshot, type Snapshot } from './live';
import type { DeliveryAdmin, LagReader, ObjectReader, PartnerAdmin, ReadinessProbe } from './ports';
import { deliveryRoutes } from './routes/deliveries';
import { partnerRoutes } from './routes/partners';
import { storyRoutes } from './routes/stories';
import type { StoryIndex } from './story-index';

/** Everything the ops HTTP app needs; main.ts builds the real ones, tests their own. */
export interface AppDeps {
  /** The bearer token for `/api` and `/ui` (OPS_TOKEN). */
  token: string;
  /** OPS_METRICS_TOKEN: when set, `/metrics` needs it (or the ops token); when unset `/metrics` is open. */
  metricsToken?: string;
  /** `Host` values accepted besides 127.0.0.1:<port> and localhost:<port> (OPS_ALLOWED_HOSTS, OPS_PUBLIC_URL's host). */
  allowedHosts?: string[];
  /** Where browsers reach the service (OPS_PUBLIC_URL); an https address makes the session cookie `Secure`. */
  publicUrl?: string;
  /** Reverse proxies whose X-Forwarded-* headers are believed (fastify `trustProxy`; OPS_TRUST_PROXY). */
  trustProxy?: string[];
  /** What an operator should fix in the deployment (e.g. a Redis that does not persist): `/readyz` details and the dashboard. */
  warnings?: () => string[];
  logger: Logger;
  partners: PartnerAdmin;
  stories: StoryIndex;
  ingestDeadLetters: IngestDeadLetters;
  republish: Republish;
  /** The delivery log and its dead letters; absent while services/webhooks does not provide it. */
  deliveries?: DeliveryAdmin;
  /** Every BullMQ queue, for the queue UI, depths and the dashboard. */
  queues: Queue[];
  registry: Registry;
  ready: ReadinessProbe;
  lag?: LagReader;
  objects?: ObjectReader;
  /** How often the live dashboard stream sends a snapshot (default 2 s). */
  liveIntervalMs?: number;
}

const ROUTES = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route an app built by `buildApp` registered (method, path, declared access), bull-board's included, e.g. to test auth on each. */
export function registeredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return [...(ROUTES.get(app) ?? [])];
}

const DASHBOARD_FILES: Record<string, string> = {
  '/': 'index.html',
  '/dashboard.js': 'dashboard.js',
  '/dashboard.css': 'dashboard.css',
};
const CONTENT_TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * The ops HTTP app (fastify): health, readiness, metrics, the ops API under `/api` (bearer
 * token), the queue UI under `/ui/queues` and the live dashboard at `/`. No side effects: it
 * does not listen; `main.ts` does.
 *
 * Deny by default: every route is private unless it declares otherwise (`access.ts`); the
 * browser guard (`browser-guard.ts`) checks Host and Origin and sets the security headers.
 *
 * @example
 * const app = await buildApp(deps);
 * const res = await app.inject({ method: 'GET', url: '/api/partners', headers: { authorization: `Bearer ${token}` } });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const log = deps.logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? deps.trustProxy : false,
    // A path the router cannot decode (`%zz`) or a parameter too long: a constant answer, not an echo of the path.
    frameworkErrors: (err, _req, reply) =>
      (reply as FastifyReply)
        .code(err.statusCode ?? 400)
        .send({ error: { code: 'WIRE_ERR_OPS_VALIDATION', message: err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid percent-encoding' : 'the URL is not valid' } }),
  });
  // Host and Origin first, so a refused browser request learns nothing else; then the token.
  installBrowserGuard(app, { allowedHosts: deps.allowedHosts ?? [] });
  const access = installAccess(app, { token: deps.token, metricsToken: deps.metricsToken });
  ROUTES.set(app, access.routes);
  const secureCookie = (protocol: string) => protocol === 'https' || deps.publicUrl?.startsWith('https:') === true;

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof OpsError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...err.details } });
    }
    const e = err as Error & { statusCode?: number; code?: string };
    if (e.statusCode && e.statusCode < 500) {
      // Fastify's own refusals (bad JSON, wrong content type, body too large).
      const fields = e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? [{ field: '(body)', message: e.message }] : undefined;
      return reply.code(e.statusCode).send({ error: { code: e.statusCode === 400 ? 'WIRE_ERR_OPS_VALIDATION' : e.code, message: `body: ${e.message}`, fields } });
    }
    log.error({ err, url: req.url, method: req.method }, 'request failed');
    return reply.code(500).send({ error: { code: 'WIRE_ERR_OPS_INTERNAL', message: 'internal error (see the ops log)' } });
  });

  // Whatever no route matches: the same answer for every path, with nothing of the request in it.
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: { code: 'WIRE_ERR_OPS_NOT_FOUND', message: 'no such route' } }));

  // Health and readiness: public (probes). Without the token /readyz says ready or not; with it, why.
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ ok: true }));
  app.get('/readyz', { config: { access: 'public' } }, async (req, reply) => {
    const checks = await deps.ready().catch((err: Error) => ({ ready: err.message }) as Record<string, true | string>);
    const ok = Object.values(checks).every((v) => v === true);
    return reply.code(ok ? 200 : 503).send(access.isOps(req) ? { ok, checks, warnings: deps.warnings?.() ?? [] } : { ok });
  });
  app.get('/metrics', { config: { access: 'metrics' } }, async (_req, reply) => reply.header('content-type', deps.registry.contentType).send(await deps.registry.metrics()));

  // The ops API: private, as a scope, so a route added here cannot forget it.
  const snapshotDeps = {
    stories: deps.stories,
    partners: deps.partners,
    deliveries: deps.deliveries,
    queues: deps.queues,
    lag: deps.lag,
    ingestDeadLetters: deps.ingestDeadLetters,
    warnings: deps.warnings,
  };
  const streams = new Set<() => void>();
  await app.register(async (api) => {
    declareScopeAccess(api, 'private');
    api.get('/api', async () => ({
      routes: registeredRoutes(app)
        .filter((r) => r.url.startsWith('/api/'))
        .map((r) => `${r.method} ${r.url}`),
    }));
    /** The dashboard posts the token here once; the cookie lets the browser open the queue UI. */
    api.post('/api/session', async (req, reply) =>
      reply
        .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(requestToken(req.headers) ?? '')}; Path=/; HttpOnly; SameSite=Strict${secureCookie(req.protocol) ? '; Secure' : ''}`)
        .code(204)
        .send(),
    );
    partnerRoutes(api, deps.partners);
    storyRoutes(api, { stories: deps.stories, deliveries: deps.deliveries, objects: deps.objects });
    deliveryRoutes(api, { deliveries: deps.deliveries, ingestDeadLetters: deps.ingestDeadLetters, republish: deps.republish });
    api.get('/api/snapshot', async () => buildSnapshot(snapshotDeps, log));
    // Live dashboard stream: server-sent events, one `snapshot` event per interval.
    api.get('/api/live', (req, reply) => liveStream(req.raw, reply.hijack().raw));
  });

  function liveStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const send = async () => {
      if (closed) return;
      let snap: Snapshot | undefined;
      try {
        snap = await buildSnapshot(snapshotDeps, log);
      } catch (err) {
        log.warn({ err }, 'snapshot failed');
      }
      if (closed) return;
      if (snap) res.write(`event: snapshot\ndata: ${JSON.stringify(snap)}\n\n`);
      timer = setTimeout(() => void send(), deps.liveIntervalMs ?? 2000);
    };
    const stop = () => {
      closed = true;
      clearTimeout(timer);
      streams.delete(stop);
      if (!res.writableEnded) res.end();
    };
    streams.add(stop);
    req.on('close', stop);
    res.write('retry: 2000\n\n');
    void send();
  }
  app.addHook('onClose', async () => {
    for (const stop of [...streams]) stop();
  });

  // The dashboard shell: plain HTML, JS and CSS from src/dashboard, read once here (not at import
  // time). Public: it holds no data; everything it shows comes through the private API.
  const dashDir = new URL('./dashboard/', import.meta.url);
  for (const [route, file] of Object.entries(DASHBOARD_FILES)) {
    const body = readFileSync(new URL(file, dashDir), 'utf8');
    const type = CONTENT_TYPES[file.split('.').pop() ?? 'html'] ?? 'text/plain';
    app.get(route, { config: { access: 'public' } }, async (_req, reply) => reply.header('content-type', type).header('cache-control', 'no-cache').send(body));
  }

  // Queue UI (bull-board) for every queue: retry, promote, clean. Its routes come from its plugin,
  // so the scope declares them private; its own CSP allows the inline styles it ships with.
  const board = new FastifyAdapter();
  board.setBasePath('/ui/queues');
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter: board, options: { uiConfig: { boardTitle: 'wire queues' } } });
  await app.register(async (ui) => {
    declareScopeAccess(ui, 'private');
    ui.addHook('onRequest', async (_req, reply) => {
      reply.header('content-security-policy', QUEUE_UI_CSP);
    });
    await ui.register(board.registerPlugin(), { prefix: '/ui/queues' });
  });

  return app;
}
