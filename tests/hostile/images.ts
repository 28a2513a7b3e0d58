import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { renderImage } from '@wire/media';

/**
 * The images of the hostile suite: decompression and pixel bombs built byte by byte, and the two
 * HTTP servers the cases point image fields at — one on an allowed address serving the bombs (and
 * redirects), one on loopback that the network guard must keep every download away from.
 */

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG: `width`×`height`, 8-bit grey, its IDAT the rows given (or none), extra chunks before it. */
function png(width: number, height: number, idat: Buffer | undefined, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    ...(idat ? [chunk('IDAT', idat)] : []),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Zero rows (filter byte + pixels) for a grey image, deflated: megapixels in kilobytes. */
function zeroRows(width: number, height: number): Buffer {
  return deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
}

/** A GIF89a with a `screen` logical screen and `frames` 1×1 frames (animation: many frames, tiny bytes). */
function gif(screenW: number, screenH: number, frames: number): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(screenW, 6);
  head.writeUInt16LE(screenH, 8);
  head[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0x00, 0x00, 0x00]);
  const frame = Buffer.from([0x21, 0xf9, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]);
  return Buffer.concat([head, palette, loop, ...Array.from({ length: frames }, () => frame), Buffer.from([0x3b])]);
}

/** Sets the dimensions in a JPEG's first SOF marker (the header a decoder sizes its buffers by). */
function jpegWithSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1] ?? 0;
    const len = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + len;
  }
  throw new Error('no SOF marker in the JPEG');
}

export const BOMB_NAMES = ['png-pixel-flood', 'png-zero-36mp', 'png-ztxt-32mb', 'png-truncated-idat', 'jpeg-65500x65500', 'jpeg-truncated', 'gif-10000-frames', 'gif-65535-screen', 'svg-script', 'gzip-jpeg'] as const;
export type BombName = (typeof BOMB_NAMES)[number];

export interface ImageSet {
  /** A small good JPEG (the default picture of every case). */
  good: Buffer;
  bombs: Record<BombName, Buffer>;
}

/** Builds the good picture and every bomb (the JPEGs from a real encoder, then patched). */
export async function buildImages(): Promise<ImageSet> {
  const small = png(64, 48, deflateSync(Buffer.concat(Array.from({ length: 48 }, (_, y) => Buffer.from([0, ...Array.from({ length: 64 }, (_, x) => (x * 4 + y * 3) & 0xff)])))));
  const rendered = await renderImage(small, [{ name: 'good', width: 64 }]);
  const good = rendered.renditions[0]?.bytes as Buffer;
  const bombs: Record<BombName, Buffer> = {
    // 10^10 pixels declared, a few bytes of data: the header alone must get it refused.
    'png-pixel-flood': png(100_000, 100_000, deflateSync(Buffer.alloc(1024))),
    // Under the 40 MP limit: 36 MB of pixels in some 35 KB; decoded (sequentially) and scaled down.
    'png-zero-36mp': png(6000, 6000, zeroRows(6000, 6000)),
    // A 1×1 picture carrying a compressed text chunk that inflates to 32 MB.
    'png-ztxt-32mb': png(1, 1, zeroRows(1, 1), [chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.alloc(32 * 1024 * 1024, 0x41), { level: 9 })]))]),
    'png-truncated-idat': png(4000, 4000, zeroRows(4000, 4000).subarray(0, 200)),
    'jpeg-65500x65500': jpegWithSize(good, 65_500, 65_500),
    'jpeg-truncated': good.subarray(0, Math.floor(good.length / 2)),
    'gif-10000-frames': gif(64, 64, 10_000),
    'gif-65535-screen': gif(65_535, 65_535, 1),
    'svg-script': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
    // A JPEG's magic, then a gzip stream a client that decompresses would inflate to 32 MB.
    'gzip-jpeg': Buffer.concat([good.subarray(0, 4), gzipSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 })]),
  };
  return { good, bombs };
}

export interface ImageServers {
  /** Origin of the server on an allowed address (`http://127.0.0.2:port`): `/good.jpg`, `/bomb/<name>`, `/redirect?to=<url>`. */
  allowedOrigin: string;
  allowedHost: string;
  /** Port of the server on 127.0.0.1 and ::1 that must never be reached. */
  forbiddenPort: number;
  /** Connections the forbidden server accepted, with the first request line each sent (if any). */
  forbiddenHits(): string[];
  /** Requests the allowed server answered (path only). */
  allowedRequests(): string[];
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the allowed image server on `allowedHost` and the forbidden one on 127.0.0.1 and ::1
 * (the same port). The forbidden server counts connections, not requests, so a TLS handshake or a
 * request it cannot parse counts too.
 */
export async function startImageServers(images: ImageSet, allowedHost = '127.0.0.2'): Promise<ImageServers> {
  const allowedRequests: string[] = [];
  const allowed = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    allowedRequests.push(url.pathname);
    if (url.pathname === '/good.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images.good);
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    const bomb = /^\/bomb\/([\w-]+)$/.exec(url.pathname)?.[1] as BombName | undefined;
    if (bomb && images.bombs[bomb]) {
      const headers: Record<string, string> = { 'content-type': bomb.startsWith('svg') ? 'image/svg+xml' : 'image/png' };
      if (bomb === 'gzip-jpeg') headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers).end(images.bombs[bomb]);
      return;
    }
    res.writeHead(404).end();
  });
  const allowedPort = await listen(allowed, allowedHost, 0);

  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    const at = hits.push(`connection from ${socket.remoteAddress ?? '?'}`) - 1;
    sockets.add(socket);
    socket.once('data', (d: Buffer) => (hits[at] = `${hits[at]}: ${d.toString('latin1').split('\r\n')[0]?.slice(0, 200)}`));
    socket.on('close', () => sockets.delete(socket));
  };
  const forbiddenServer = (): Server => {
    const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(images.good));
    s.on('connection', onConnection);
    return s;
  };
  let v4: Server | undefined;
  let v6: Server | undefined;
  let forbiddenPort = 0;
  for (let attempt = 0; attempt < 10 && !v6; attempt++) {
    v4 = forbiddenServer();
    forbiddenPort = await listen(v4, '127.0.0.1', 0);
    const candidate = forbiddenServer();
    try {
      await listen(candidate, '::1', forbiddenPort);
      v6 = candidate;
    } catch {
      await new Promise<void>((r) => v4?.close(() => r()));
    }
  }
  if (!v4 || !v6) throw new Error('could not bind the forbidden image server on 127.0.0.1 and ::1 with one port');

  const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
  return {
    allowedOrigin: `http://${allowedHost}:${allowedPort}`,
    allowedHost,
    forbiddenPort,
    forbiddenHits: () => [...hits],
    allowedRequests: () => [...allowedRequests],
    close: async () => {
      for (const s of sockets) s.destroy();
      allowed.closeAllConnections();
      await Promise.all([close(allowed), close(v4), close(v6)]);
    },
  };
}
