import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

/** A logger writing into a string, and the lines it wrote. */
function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'info' }, destination as never);
  return { logger, text: () => text };
}

const SECRETS = {
  OPS_TOKEN: 'ops-token-0123456789abcdef',
  OPS_METRICS_TOKEN: 'metrics-token-0123456789abcdef',
  WIRE_SECRETS_KEY: 'c2VjcmV0cy1rZXktMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY=',
  WIRE_SECRETS_OLD_KEYS: 'b2xkLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWE=',
  S3_SECRET_ACCESS_KEY: 's3-secret-access-key-value',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key-value',
  DEEPL_AUTH_KEY: 'deepl-auth-key-value:fx',
  LIBRETRANSLATE_API_KEY: 'libretranslate-api-key-value',
};

describe('createLogger redaction', () => {
  it('redacts every provider key and token of a logged config, at the top and one level down', () => {
    const { logger, text } = capture();
    logger.info({ ...SECRETS, LOG_LEVEL: 'info' }, 'config at top level');
    logger.info({ config: { ...SECRETS, REDIS_URL: 'redis://127.0.0.1:6379' } }, 'config nested');
    const lines = text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const value of Object.values(SECRETS)) expect(text()).not.toContain(value);
    expect(lines[0]).toMatchObject({ OPS_TOKEN: '[redacted]', DEEPL_AUTH_KEY: '[redacted]', WIRE_SECRETS_KEY: '[redacted]', LOG_LEVEL: 'info' });
    expect(lines[1]!.config).toMatchObject({ AWS_SECRET_ACCESS_KEY: '[redacted]', LIBRETRANSLATE_API_KEY: '[redacted]', REDIS_URL: 'redis://127.0.0.1:6379' });
  });

  it('redacts client options and partner secrets', () => {
    const { logger, text } = capture();
    logger.info({ deepl: { authKey: 'k-deepl' }, libre: { apiKey: 'k-libre' }, s3: { credentials: { accessKeyId: 'AKIA', secretAccessKey: 'k-s3' } } }, 'clients');
    logger.info({ partner: { id: 'daily', secrets: [{ secret: 'whsec_c2VjcmV0LWJ5dGVzLW9mLXRoZS1wYXJ0bmVy' }] } }, 'partner');
    logger.info({ req: { headers: { authorization: 'Bearer k-bearer' } } }, 'request');
    for (const value of ['k-deepl', 'k-libre', 'k-s3', 'whsec_', 'k-bearer']) expect(text()).not.toContain(value);
    expect(text()).toContain('AKIA');
  });
});
