/**
 * The pictures stories carry: JPEGs made once with sharp and served on 127.0.0.1 (allow-listed
 * as a private host for the run), so ingest fetches, stores and renders real images.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { PICTURES } from './plan';

export interface ImageServer {
  url(index: number): string;
  /** Requests served, by path. */
  served(): number;
  close(): Promise<void>;
}

export async function startImageServer(): Promise<ImageServer> {
  const images = await Promise.all(
    Array.from({ length: PICTURES }, (_, i) =>
      sharp({ create: { width: 320, height: 240, channels: 3, background: { r: (i * 53) % 256, g: (i * 97 + 40) % 256, b: (i * 151 + 90) % 256 } } })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
  let served = 0;
  const server: Server = createServer((req, res) => {
    const m = /^\/pictures\/(\d+)\.jpg$/.exec(req.url ?? '');
    const body = m ? images[Number(m[1])] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    served++;
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (i) => `http://127.0.0.1:${port}/pictures/${i}.jpg`,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
