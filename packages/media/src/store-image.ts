import { createHash } from 'node:crypto';
import type { Rendition } from '@wire/schema';
import type { MediaStore } from './media-store';
import { DEFAULT_MAX_INPUT_PIXELS, DEFAULT_RENDITIONS, renderImage, type RenditionSpec } from './renditions';
import type { SniffedType } from './sniff';

/** An image as stored: original at `media/{sha256}.{ext}`, renditions beside it. */
export interface StoredImage {
  key: string;
  sha256: string;
  contentType: string;
  width: number;
  height: number;
  sizeInBytes: number;
  renditions: Rendition[];
  /** False when the original was already stored (by another story or an earlier run). */
  created: boolean;
}

export interface StoreImageOptions {
  /** Prepended to every key (tests isolate themselves with it). */
  keyPrefix?: string;
  renditions?: RenditionSpec[];
  maxInputPixels?: number;
}

/** The metadata written on the original so a later HEAD recovers everything without decoding. */
const META_KEY = 'wire-image';

/** Where the original of an image with this hash and type lives. */
export function mediaKey(sha256: string, ext: string, keyPrefix = ''): string {
  return `${keyPrefix}media/${sha256}.${ext}`;
}

/**
 * Store an image once: HEAD the content-addressed original; if present, return what its metadata
 * records; else make the renditions, PUT them, then PUT the original last (it marks the set
 * complete, so a crash part-way just redoes the renditions).
 */
export async function storeImage(store: MediaStore, bytes: Buffer, type: SniffedType, opts: StoreImageOptions = {}): Promise<StoredImage> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const prefix = opts.keyPrefix ?? '';
  const key = mediaKey(sha256, type.ext, prefix);
  const existing = await store.head(key);
  const recorded = existing?.metadata[META_KEY];
  if (recorded) {
    const meta = JSON.parse(recorded) as { width: number; height: number; renditions: Array<Omit<Rendition, 'href'>> };
    return {
      key,
      sha256,
      contentType: type.contentType,
      width: meta.width,
      height: meta.height,
      sizeInBytes: existing.size,
      renditions: await withHrefs(store, meta.renditions),
      created: false,
    };
  }
  const rendered = await renderImage(bytes, opts.renditions ?? DEFAULT_RENDITIONS, opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS);
  const renditions: Array<Omit<Rendition, 'href'>> = [];
  await Promise.all(
    rendered.renditions.map(async (r) => {
      const rkey = `${prefix}media/${sha256}/${r.name}.jpg`;
      await store.put(rkey, r.bytes, { contentType: r.contentType });
      renditions.push({ name: r.name, key: rkey, contentType: r.contentType, width: r.width, height: r.height, sizeInBytes: r.bytes.length });
    }),
  );
  renditions.sort((a, b) => (a.width ?? 0) - (b.width ?? 0));
  const meta = { width: rendered.width, height: rendered.height, renditions };
  await store.put(key, bytes, { contentType: type.contentType, metadata: { [META_KEY]: JSON.stringify(meta) }, sha256 });
  return {
    key,
    sha256,
    contentType: type.contentType,
    width: rendered.width,
    height: rendered.height,
    sizeInBytes: bytes.length,
    renditions: await withHrefs(store, renditions),
    created: true,
  };
}

async function withHrefs(store: MediaStore, renditions: Array<Omit<Rendition, 'href'>>): Promise<Rendition[]> {
  if (!store.urlFor) return renditions.map((r) => ({ ...r }));
  return Promise.all(renditions.map(async (r) => ({ ...r, href: await store.urlFor?.(r.key) })));
}
