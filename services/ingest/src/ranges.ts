import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MediaStore } from '@wire/media';
import type { ByteRange } from '@wire/queues';
import { sliceRange } from './packs';

/** Read an object, or only `range` of it (one story version of a canonical pack); null when absent. */
export type ReadObjectRange = (key: string, range?: ByteRange) => Promise<Buffer | null>;

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** `ReadObjectRange` on S3: a Range GET (`bytes=offset-end`) when a range is given. */
export function readObjectRange(s3: S3Client, bucket: string): ReadObjectRange {
  return async (key, range) => {
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined }));
      const bytes = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      if (range && bytes.length !== range.length) throw new Error(`S3 ${key}: asked for ${range.length} bytes at ${range.offset}, got ${bytes.length}`);
      return bytes;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };
}

/** `ReadObjectRange` over any `MediaStore` (reads the whole object, then slices: for tests and small stores). */
export function readRangeFromStore(store: Pick<MediaStore, 'get'>): ReadObjectRange {
  return async (key, range) => {
    const body = await store.get(key);
    return body && range ? sliceRange(body, range) : body;
  };
}
