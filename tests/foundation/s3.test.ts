import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { S3MediaStore } from '@wire/media';
import { testConfig, uniqueName, testS3Client } from '../helpers/env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('S3 (the server wire infra runs, with the default credentials)', () => {
  const cfg = testConfig();
  const prefix = `${uniqueName('foundation')}/`;
  let s3: S3Client;

  beforeAll(() => {
    s3 = testS3Client(cfg);
  });

  afterAll(async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: cfg.S3_BUCKET, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: cfg.S3_BUCKET, Delete: { Objects: keys } }));
    s3.destroy();
  });

  it('puts, gets, heads and lists objects in the bucket', async () => {
    const body = Buffer.from('{"headline":"Seoul markets open higher"}');
    await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: `${prefix}a.json`, Body: body, ContentType: 'application/json', Metadata: { source: 'yonhap' } }));
    await s3.send(new PutObjectCommand({ Bucket: cfg.S3_BUCKET, Key: `${prefix}b/c.txt`, Body: 'second' }));

    const got = await s3.send(new GetObjectCommand({ Bucket: cfg.S3_BUCKET, Key: `${prefix}a.json` }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.ContentType).toBe('application/json');

    const head = await s3.send(new HeadObjectCommand({ Bucket: cfg.S3_BUCKET, Key: `${prefix}a.json` }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.Metadata?.source).toBe('yonhap');

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: cfg.S3_BUCKET, Prefix: prefix }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([`${prefix}a.json`, `${prefix}b/c.txt`]);

    await expect(s3.send(new HeadObjectCommand({ Bucket: cfg.S3_BUCKET, Key: `${prefix}missing` }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('completes a 12 MB multipart upload and reads back the same bytes', async () => {
    const key = `${prefix}big.bin`;
    const data = randomBytes(12 * 1024 * 1024);
    const partSize = 5 * 1024 * 1024;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: cfg.S3_BUCKET, Key: key, ContentType: 'application/octet-stream' }));
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
      const res = await s3.send(new UploadPartCommand({ Bucket: cfg.S3_BUCKET, Key: key, UploadId, PartNumber: n, Body: data.subarray(offset, offset + partSize) }));
      parts.push({ ETag: res.ETag!, PartNumber: n });
    }
    expect(parts).toHaveLength(3);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: cfg.S3_BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }));

    const head = await s3.send(new HeadObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key }));
    expect(head.ContentLength).toBe(data.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: cfg.S3_BUCKET, Key: key }));
    expect(sha(await got.Body!.transformToByteArray())).toBe(sha(data));
  });

  it('accepts a put that carries its SHA-256 (as ingest and media send their content-addressed objects)', async () => {
    const body = randomBytes(4096);
    const store = new S3MediaStore(s3, { bucket: cfg.S3_BUCKET });
    await store.put(`${prefix}sum/${sha(body)}.bin`, body, { contentType: 'application/octet-stream', sha256: sha(body) });
    expect(sha((await store.get(`${prefix}sum/${sha(body)}.bin`))!)).toBe(sha(body));
  });
});
