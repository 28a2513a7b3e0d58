import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<Record<string, boolean | string>>;

/**
 * A small HTTP server for workers that have no API of their own: `GET /healthz` (process up),
 * `GET /readyz` (runs `ready`, 200 when every check is true, else 503 with the failures) and
 * `GET /metrics` (Prometheus text from `registry`).
 */
export function createHealthServer(opts: { registry: Registry; ready?: ReadinessCheck }): Server {
  return createServer((req, res) => {
    const url = req.url ?? '/';
    void (async () => {
      if (url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (url === '/readyz') {
        const checks = opts.ready ? await opts.ready().catch((err: Error) => ({ error: err.message })) : {};
        const ok = Object.values(checks).every((v) => v === true);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok, checks }));
      } else if (url === '/metrics') {
        res.writeHead(200, { 'content-type': opts.registry.contentType }).end(await opts.registry.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

/** Listen on `host` (127.0.0.1 unless a service's BIND_HOST says otherwise):`port` (0 picks a free port); resolves with the bound port. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Close the server and any idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
