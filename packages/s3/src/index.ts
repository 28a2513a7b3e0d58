/**
 * @wire/s3 — the one S3 client of the pipeline: every service, the CLI, infra and the tests build
 * it here, so the endpoint, path-style addressing, credentials, retries and socket pool are set
 * once.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Settings to reach S3 (or S3Proxy/MinIO: path-style addressing). */
export interface S3Settings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where partners fetch objects; when unset, URLs are presigned. */
  publicBaseUrl?: string;
  /** Lifetime of presigned URLs (max 7 days). */
  presignSeconds?: number;
}

/** An S3 client for an S3-compatible endpoint (path-style, retries by the SDK). */
export function createS3Client(settings: Pick<S3Settings, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    maxAttempts: 3,
    // Ingest keeps many small PUTs in flight; the SDK's default pool of 50 sockets would queue them.
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 }, httpsAgent: { keepAlive: true, maxSockets: 256 } },
    ...extra,
  });
}

/** S3 answered that the object (or bucket) does not exist. */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
