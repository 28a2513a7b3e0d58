import { readFileSync } from 'node:fs';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger, Registry } from '@wire/observability';
import { requestToken, tokenChecker, TOKEN_COOKIE } from './auth';
import { OpsError, OpsErrors } from './errors';
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

export interface ApiRoute {
  method: string;
  url: string;
}
const ROUTES = new WeakMap<FastifyInstance, ApiRoute[]>();

/** Every route an app built by `buildApp` registered (method and path), e.g. to test auth on each. */
export function registeredRoutes(app: FastifyInstance): ApiRoute[] {
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
 * @example
 * const app = await buildApp(deps);
 * const res = await app.inject({ method: 'GET', url: '/api/partners', headers: { authorization: `Bearer ${token}` } });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const log = deps.logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 1024 * 1024 });
  const authorized = tokenChecker(deps.token);
  const routes: ApiRoute[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });

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

  // Bearer token on /api and the queue UI. Browsers carry it as the HttpOnly cookie the dashboard
  // sets through POST /api/session (the token never travels in a URL, so it never lands in a log).
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!(path === '/api' || path.startsWith('/api/') || path === '/ui' || path.startsWith('/ui/'))) return;
    if (authorized(requestToken(req.headers))) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="wire-ops"')
      .send({ error: { code: 'WIRE_ERR_OPS_UNAUTHORIZED', message: OpsErrors.WIRE_ERR_OPS_UNAUTHORIZED.doc } });
  });

  // Health, readiness, metrics: no token (probes and Prometheus scrape them).
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const checks = await deps.ready().catch((err: Error) => ({ ready: err.message }) as Record<string, true | string>);
    const ok = Object.values(checks).every((v) => v === true);
    return reply.code(ok ? 200 : 503).send({ ok, checks });
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', deps.registry.contentType).send(await deps.registry.metrics()));

  // The ops API.
  app.get('/api', async () => ({
    routes: registeredRoutes(app)
      .filter((r) => r.url.startsWith('/api/'))
      .map((r) => `${r.method} ${r.url}`),
  }));
  /** The dashboard posts the token here once; the cookie lets the browser open the queue UI. */
  app.post('/api/session', async (req, reply) =>
    reply
      .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(requestToken(req.headers) ?? '')}; Path=/; HttpOnly; SameSite=Strict`)
      .code(204)
      .send(),
  );
  partnerRoutes(app, deps.partners);
  storyRoutes(app, { stories: deps.stories, deliveries: deps.deliveries, objects: deps.objects });
  deliveryRoutes(app, { deliveries: deps.deliveries, ingestDeadLetters: deps.ingestDeadLetters, republish: deps.republish });

  const snapshotDeps = {
    stories: deps.stories,
    partners: deps.partners,
    deliveries: deps.deliveries,
    queues: deps.queues,
    lag: deps.lag,
    ingestDeadLetters: deps.ingestDeadLetters,
  };
  app.get('/api/snapshot', async () => buildSnapshot(snapshotDeps, log));

  // Live dashboard stream: server-sent events, one `snapshot` event per interval.
  const streams = new Set<() => void>();
  app.get('/api/live', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
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
    req.raw.on('close', stop);
    res.write('retry: 2000\n\n');
    void send();
  });
  app.addHook('onClose', async () => {
    for (const stop of [...streams]) stop();
  });

  // The dashboard: plain HTML and JS from src/dashboard, read once here (not at import time).
  const dashDir = new URL('./dashboard/', import.meta.url);
  for (const [route, file] of Object.entries(DASHBOARD_FILES)) {
    const body = readFileSync(new URL(file, dashDir), 'utf8');
    const type = CONTENT_TYPES[file.split('.').pop() ?? 'html'] ?? 'text/plain';
    app.get(route, async (_req, reply) => reply.header('content-type', type).header('cache-control', 'no-cache').send(body));
  }

  // Queue UI (bull-board) for every queue: retry, promote, clean.
  const board = new FastifyAdapter();
  board.setBasePath('/ui/queues');
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter: board, options: { uiConfig: { boardTitle: 'wire queues' } } });
  await app.register(board.registerPlugin(), { prefix: '/ui/queues' });

  return app;
}
