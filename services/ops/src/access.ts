import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestToken, tokenChecker } from './auth';
import { OpsErrors } from './errors';

/**
 * Who may call a route, declared by the route itself (`{ config: { access: 'public' } }`) or by
 * the scope it is registered in (`declareScopeAccess`):
 * - `public`: anyone (health, readiness, the dashboard shell);
 * - `metrics`: anyone while no metrics token is configured, else the metrics token or the ops token;
 * - `private`: the ops token only (bearer header or the dashboard's cookie).
 */
export type RouteAccess = 'public' | 'metrics' | 'private';
const ACCESS: readonly RouteAccess[] = ['public', 'metrics', 'private'];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyInstance {
    /** The access of every route registered in this scope that declares none itself. */
    scopeAccess?: RouteAccess;
  }
}

/** A registered route: method, path pattern and the access it declared. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

/** Thrown at registration for a route that declares no access, so none can be public by accident. */
export class UndeclaredAccessError extends Error {
  readonly code = 'WIRE_ERR_OPS_UNDECLARED_ACCESS';
  constructor(method: string, url: string) {
    super(`route ${method} ${url} declares no access: give it config.access ('public', 'metrics' or 'private') or register it in a scope declared with declareScopeAccess`);
    this.name = 'UndeclaredAccessError';
  }
}

/** Every route registered in `scope` (and scopes inside it) that declares no access gets `access`. */
export function declareScopeAccess(scope: FastifyInstance, access: RouteAccess): void {
  scope.decorate('scopeAccess', access);
}

export interface AccessOptions {
  /** OPS_TOKEN. */
  token: string;
  /** OPS_METRICS_TOKEN; when unset `/metrics` is open. */
  metricsToken?: string;
}

/**
 * Deny by default, decided by the matched route. An `onRoute` hook makes every route declare its
 * access (or take its scope's) and records it; a route declaring none throws
 * `UndeclaredAccessError` at registration. An `onRequest` hook reads the access of the route the
 * router matched — after it decoded the path, so `/%61pi/…` is `/api/…` — and refuses with 401
 * what the request's token does not open. A request no route matches counts as private: without
 * the token it gets the same 401 as an existing route, so it learns nothing about what exists.
 *
 * Call before registering any route.
 */
export function installAccess(app: FastifyInstance, opts: AccessOptions): { routes: DeclaredRoute[]; isOps(req: FastifyRequest): boolean } {
  const routes: DeclaredRoute[] = [];
  const opsToken = tokenChecker(opts.token);
  const metricsToken = opts.metricsToken ? tokenChecker(opts.metricsToken) : undefined;
  const isOps = (req: FastifyRequest) => opsToken(requestToken(req.headers));

  app.addHook('onRoute', function (route) {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = route.config?.access ?? this.scopeAccess;
    if (access === undefined || !ACCESS.includes(access)) throw new UndeclaredAccessError(methods.join(','), route.url ?? route.path);
    route.config = { ...route.config, access };
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url ?? route.path, access });
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const access = req.routeOptions.config.access ?? 'private';
    if (access === 'public') return;
    if (access === 'metrics' && (!metricsToken || metricsToken(requestToken(req.headers)))) return;
    if (isOps(req)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="wire-ops"')
      .send({ error: { code: 'WIRE_ERR_OPS_UNAUTHORIZED', message: OpsErrors.spec('WIRE_ERR_OPS_UNAUTHORIZED').message } });
  });

  return { routes, isOps };
}
