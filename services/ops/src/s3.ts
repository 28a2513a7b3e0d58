import { GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from '@wire/s3';
import type { ByteRange } from '@wire/queues';
import { CanonicalStory } from '@wire/schema';
import type { ObjectReader } from './ports';

/** Canonical JSON and media from the pipeline's bucket. */
export class S3Objects implements ObjectReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async object(key: string, range?: ByteRange): Promise<{ body: Buffer; contentType: string } | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined }));
      const bytes = await res.Body?.transformToByteArray();
      if (!bytes) return undefined;
      return { body: Buffer.from(bytes), contentType: res.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async canonical(key: string, range?: ByteRange): Promise<CanonicalStory | undefined> {
    const obj = await this.object(key, range);
    if (!obj) return undefined;
    const parsed = CanonicalStory.safeParse(JSON.parse(obj.body.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  }

  /** The bucket answers (HeadBucket). */
  async ready(): Promise<true | string> {
    await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
    return true;
  }
}
