import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isNotFound, type S3Settings } from '@wire/s3';

/** What HEAD tells about a stored object. */
export interface StoredObjectInfo {
  size: number;
  contentType?: string;
  /** User metadata, keys lower-case. */
  metadata: Record<string, string>;
}

/**
 * Where images, renditions (and, in ingest, raw archives and canonical JSON) are kept. Keys are
 * content-addressed, so `put` of an existing key is harmless; `head` lets callers skip work.
 */
export interface MediaStore {
  head(key: string): Promise<StoredObjectInfo | null>;
  /**
   * Store `body` under `key`. `sha256`: the body's SHA-256 (hex) when the caller has it (keys are
   * content-addressed): S3 then checks the upload against it, and the SDK computes no checksum.
   */
  put(key: string, body: Buffer | string, opts: PutOptions): Promise<void>;
  /** The object, or only `range` of it (one version out of a canonical pack); null when absent. */
  get(key: string, range?: ObjectRange): Promise<Buffer | null>;
  /** Where partners can fetch `key`: the public base URL, or a presigned URL; undefined if neither. */
  urlFor?(key: string): Promise<string | undefined>;
}

/** Part of an object: `length` bytes from `offset`. */
export interface ObjectRange {
  offset: number;
  length: number;
}

/** The bytes a range names within a whole object; throws when the object is shorter. */
export function sliceRange(body: Uint8Array, range: ObjectRange): Buffer {
  if (range.offset + range.length > body.length) throw new Error(`range ${range.offset}+${range.length} beyond the object's ${body.length} bytes`);
  return Buffer.from(body.buffer, body.byteOffset + range.offset, range.length);
}

export interface PutOptions {
  contentType: string;
  metadata?: Record<string, string>;
  /** SHA-256 of the body, hex. */
  sha256?: string;
}

/** `MediaStore` on an S3 bucket. Infrastructure failures are thrown as they come from the SDK. */
export class S3MediaStore implements MediaStore {
  constructor(
    private readonly client: S3Client,
    private readonly settings: Pick<S3Settings, 'bucket' | 'publicBaseUrl' | 'presignSeconds'>,
  ) {}

  async head(key: string): Promise<StoredObjectInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType, metadata: res.Metadata ?? {} };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async put(key: string, body: Buffer | string, opts: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: key,
        Body: body,
        ContentType: opts.contentType,
        Metadata: opts.metadata,
        // A checksum the SDK need not compute (it would CRC32 every body in JavaScript).
        ...(opts.sha256 ? { ChecksumSHA256: Buffer.from(opts.sha256, 'hex').toString('base64') } : {}),
      }),
    );
  }

  async get(key: string, range?: ObjectRange): Promise<Buffer | null> {
    try {
      const Range = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined;
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range }));
      const bytes = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      if (range && bytes.length !== range.length) throw new Error(`S3 ${key}: asked for ${range.length} bytes at ${range.offset}, got ${bytes.length}`);
      return bytes;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async urlFor(key: string): Promise<string | undefined> {
    if (this.settings.publicBaseUrl) return `${this.settings.publicBaseUrl.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }), {
      expiresIn: this.settings.presignSeconds ?? 7 * 24 * 3600,
    });
  }
}

/** An in-process `MediaStore` for unit tests and dry runs (never a stand-in for S3 in integration tests). */
export class MemoryMediaStore implements MediaStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string; metadata: Record<string, string> }>();
  puts = 0;

  async head(key: string): Promise<StoredObjectInfo | null> {
    const o = this.objects.get(key);
    return o ? { size: o.body.length, contentType: o.contentType, metadata: o.metadata } : null;
  }

  async put(key: string, body: Buffer | string, opts: PutOptions): Promise<void> {
    this.puts++;
    this.objects.set(key, { body: Buffer.from(body), contentType: opts.contentType, metadata: { ...opts.metadata } });
  }

  async get(key: string, range?: ObjectRange): Promise<Buffer | null> {
    const body = this.objects.get(key)?.body ?? null;
    return body && range ? sliceRange(body, range) : body;
  }
}
