import { Agent, request } from 'node:http';

/** What an HTTP client saw. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Where a listening app is. */
export interface Target {
  host: string;
  port: number;
  agent?: Agent;
}

/**
 * One HTTP/1.1 request with node:http, which sends the path byte for byte (no client
 * normalizes it) and the headers given; `host: null` sends no Host header at all. Resolves at
 * the status line for event streams (they never end).
 */
export function rawRequest(target: Target, method: string, path: string, headers: Record<string, string | null> = {}, body?: string): Promise<Answer> {
  const { host: hostHeader, ...rest } = headers;
  const sent: Record<string, string> = Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => e[1] !== null));
  if (typeof hostHeader === 'string') sent.host = hostHeader;
  if (body !== undefined) Object.assign(sent, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  return new Promise((resolve, reject) => {
    const req = request({ host: target.host, port: target.port, method, path, agent: target.agent, headers: sent, setHost: hostHeader === undefined }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode!, headers: res.headers, body: '' });
        res.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Listen on a free loopback port; the target to send to. */
export async function listenLoopback(app: { listen(o: { host: string; port: number }): Promise<string>; server: { address(): unknown } }): Promise<Target> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number } | null;
  if (!addr) throw new Error('not listening');
  return { host: '127.0.0.1', port: addr.port };
}
