import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetGuard, type Resolver } from '@wire/netguard';
import { decodeEmbeddedImage } from './embedded';
import { createImageFetcher } from './fetch-image';
import { MemoryMediaStore, S3MediaStore } from './media-store';
import { sniffImageType } from './sniff';
import { storeImage } from './store-image';
import { createMediaProcessor } from './story-media';

let jpeg: Buffer;
let png: Buffer;
let server: Server;
let base: string;
let port: number;
/** Connections the image server accepted (a refused fetch must not add one). */
let connections = 0;

beforeAll(async () => {
  jpeg = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#3366aa' } }).jpeg().toBuffer();
  png = await sharp({ create: { width: 100, height: 80, channels: 4, background: '#ff000080' } }).png().toBuffer();
  server = createServer((req, res) => {
    if (req.url === '/a.jpg') res.writeHead(200, { 'content-type': 'text/plain' }).end(jpeg);
    else if (req.url === '/redirect') res.writeHead(302, { location: '/a.jpg' }).end();
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else if (req.url === '/html') res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<html>not an image</html>');
    else if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(200_000, 1));
    else if (req.url === '/503') res.writeHead(503).end();
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(jpeg), 3000);
    else res.writeHead(404).end();
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('sniff and embedded', () => {
  it('types bytes by magic, not by name', () => {
    expect(sniffImageType(jpeg)?.contentType).toBe('image/jpeg');
    expect(sniffImageType(png)?.ext).toBe('png');
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('decodes base64 and data URIs', () => {
    expect(decodeEmbeddedImage({ base64: png.toString('base64') }, 1e6).type.ext).toBe('png');
    expect(decodeEmbeddedImage({ base64: `data:image/png;base64,${png.toString('base64')}` }, 1e6).bytes.equals(png)).toBe(true);
    expect(() => decodeEmbeddedImage({ base64: 'not base64 !!' }, 1e6)).toThrow(expect.objectContaining({ code: 'WIRE_ERR_MEDIA_EMBEDDED' }));
    expect(() => decodeEmbeddedImage({ base64: png.toString('base64') }, 10)).toThrow(expect.objectContaining({ code: 'WIRE_ERR_MEDIA_TOO_LARGE' }));
  });
});

describe('storeImage', () => {
  it('stores the original and renditions once, with dimensions', async () => {
    const store = new MemoryMediaStore();
    const a = await storeImage(store, jpeg, { contentType: 'image/jpeg', ext: 'jpg' }, { keyPrefix: 't/' });
    expect(a.key).toMatch(/^t\/media\/[0-9a-f]{64}\.jpg$/);
    expect([a.width, a.height]).toEqual([2000, 1000]);
    expect(a.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
      ['thumbnail', 320, 160],
      ['web', 1024, 512],
    ]);
    const putsAfterFirst = store.puts;
    const b = await storeImage(store, jpeg, { contentType: 'image/jpeg', ext: 'jpg' }, { keyPrefix: 't/' });
    expect(b.created).toBe(false);
    expect(b.renditions).toEqual(a.renditions);
    expect(store.puts).toBe(putsAfterFirst);
  });

  it('refuses a decompression bomb by its header', async () => {
    const bomb = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    await expect(storeImage(new MemoryMediaStore(), bomb, { contentType: 'image/png', ext: 'png' }, { maxInputPixels: 1_000_000 })).rejects.toMatchObject({
      code: 'WIRE_ERR_MEDIA_PIXEL_LIMIT',
    });
  });
});

describe('image fetcher', () => {
  const allowed = createImageFetcher({ allowPrivateHosts: ['127.0.0.1'], limits: { maxBytes: 100_000, readTimeoutMs: 1000, maxRedirects: 2 } });
  afterAll(() => allowed.close());

  it('fetches through a redirect and types by magic bytes', async () => {
    const img = await allowed.fetch(`${base}/redirect`);
    expect(img.type.contentType).toBe('image/jpeg');
    expect(img.finalUrl).toBe(`${base}/a.jpg`);
  });

  it.each([
    ['/loop', 'WIRE_ERR_MEDIA_TOO_MANY_REDIRECTS', false],
    ['/html', 'WIRE_ERR_MEDIA_UNSUPPORTED_TYPE', false],
    ['/big', 'WIRE_ERR_MEDIA_TOO_LARGE', false],
    ['/503', 'WIRE_ERR_MEDIA_HTTP_STATUS', true],
    ['/404', 'WIRE_ERR_MEDIA_HTTP_STATUS', false],
    ['/slow', 'WIRE_ERR_MEDIA_TIMEOUT', true],
  ])('%s fails with %s (retryable %s)', async (path, code, retryable) => {
    await expect(allowed.fetch(`${base}${path}`)).rejects.toMatchObject({ code, retryable });
  });

  it('refuses loopback when not allowed, by IP and by name', async () => {
    const strict = createImageFetcher();
    await expect(strict.fetch(`${base}/a.jpg`)).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST' });
    await expect(strict.fetch(`${base.replace('127.0.0.1', 'localhost')}/a.jpg`)).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST' });
    await expect(strict.fetch('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST' });
    await strict.close();
  });

  it('refuses every spelling of a private address and metadata hosts, permanently, without connecting', async () => {
    const strict = createImageFetcher();
    const before = connections;
    for (const host of ['2130706433', '0177.0.0.1', '0x7f.1', '127.1', '0x7f000001', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::1]', '[fd00:ec2::254]', '169.254.43518', 'metadata.google.internal', 'instance-data']) {
      await expect(strict.fetch(`http://${host}:${port}/a.jpg`), host).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST', retryable: false });
    }
    expect(connections).toBe(before);
    await strict.close();
  });

  it('refuses a redirect to a blocked host', async () => {
    await expect(allowed.fetch(`${base}/to-metadata`)).rejects.toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST', retryable: false });
  });

  it('refuses at connect when the answer changes after the check (DNS rebinding): typed, not retried, no connection', async () => {
    let calls = 0;
    // The pre-request check sees a public address; the socket's own lookup is answered loopback, where the image server listens.
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const fetcher = createImageFetcher({ guard: new NetGuard({ resolve: rebinding }) });
    const before = connections;
    const failure = await fetcher.fetch(`http://images.rebind.test:${port}/a.jpg`).catch((e: unknown) => e);
    await fetcher.close();
    expect(failure).toMatchObject({ code: 'WIRE_ERR_MEDIA_BLOCKED_HOST', retryable: false, details: { at: 'connect', address: '127.0.0.1' } });
    expect(connections).toBe(before);
  });

  it('reaches an allowed name through the guard at connect', async () => {
    const fetcher = createImageFetcher({ guard: new NetGuard({ allow: ['images.internal.test'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] }) });
    const img = await fetcher.fetch(`http://images.internal.test:${port}/a.jpg`);
    await fetcher.close();
    expect(img.type.contentType).toBe('image/jpeg');
  });
});

describe('media processor', () => {
  it('stores embedded and fetched images, the same image once; a failing fetch becomes a warning and a retry', async () => {
    const store = new MemoryMediaStore();
    const fetcher = createImageFetcher({ allowPrivateHosts: ['127.0.0.1'], limits: { readTimeoutMs: 1000 } });
    const media = createMediaProcessor({ store, fetcher });
    const out = await media.processImages([
      { caption: 'a', sourceUrl: `${base}/a.jpg`, renditions: [] },
      { caption: 'b', embedded: { base64: jpeg.toString('base64') }, renditions: [] },
      { caption: 'c', sourceUrl: `${base}/503`, renditions: [] },
    ]);
    await fetcher.close();
    expect(out.images[0]?.key).toBe(out.images[1]?.key);
    expect(out.images[1]?.embedded).toBeUndefined();
    expect(out.images[0]?.width).toBe(2000);
    expect(out.images[2]?.key).toBeUndefined();
    expect(out.retry).toEqual([expect.objectContaining({ index: 2, code: 'WIRE_ERR_MEDIA_HTTP_STATUS' })]);
    expect(out.warnings).toHaveLength(1);
    expect(out.stored + out.reused).toBe(2);
    expect([...store.objects.keys()].filter((k) => /\.jpg$/.test(k) && !k.includes('/media/') && k.startsWith('media/') && k.split('/').length === 2)).toHaveLength(1);
  });
});

describe('media processor and the network guard', () => {
  it('a refused image is a warning with its code, never a retry', async () => {
    const fetcher = createImageFetcher();
    const media = createMediaProcessor({ store: new MemoryMediaStore(), fetcher });
    const out = await media.processImages([
      { caption: 'metadata', sourceUrl: 'http://169.254.169.254/latest/meta-data/iam', renditions: [] },
      { caption: 'loopback', sourceUrl: `http://0x7f.1:${port}/a.jpg`, renditions: [] },
    ]);
    await fetcher.close();
    expect(out.retry).toEqual([]);
    expect(out.warnings).toEqual([expect.stringContaining('WIRE_ERR_MEDIA_BLOCKED_HOST'), expect.stringContaining('WIRE_ERR_MEDIA_BLOCKED_HOST')]);
  });
});

describe('S3MediaStore.put', () => {
  it('sends the SHA-256 a caller knows as the checksum, and leaves the SDK its default otherwise', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const client = { send: async (command: { input: Record<string, unknown> }) => void sent.push(command.input) } as unknown as S3Client;
    const store = new S3MediaStore(client, { bucket: 'wire' });
    const body = Buffer.from('a raw segment');
    await store.put('raw/x.seg', body, { contentType: 'application/octet-stream', sha256: createHash('sha256').update(body).digest('hex') });
    await store.put('media/r.jpg', body, { contentType: 'image/jpeg' });
    expect(sent[0]).toMatchObject({ Key: 'raw/x.seg', ChecksumSHA256: createHash('sha256').update(body).digest('base64') });
    expect(sent[1]).not.toHaveProperty('ChecksumSHA256');
  });
});
