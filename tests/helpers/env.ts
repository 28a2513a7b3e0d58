import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '@wire/s3';
import { inject } from 'vitest';
import { z } from 'zod';
import { CommonConfigSchema, loadConfig, s3SettingsOf, secretBoxOf, SecretsEnv, type CommonConfig } from '@wire/config';
import { generateSecretsKey, type SecretBox } from '@wire/secrets';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Environment of the real services the global setup found or started. */
    wireEnv: Record<string, string>;
  }
}

/** The key partner secrets are sealed under in this test process (every test builds its registries and services with it). */
const TEST_SECRETS_KEY = generateSecretsKey();

/**
 * The addresses of the real Kafka, Redis, S3 and Apertium for integration tests, as the global
 * setup provided them (falling back to the `wire infra up` defaults), and this process's secrets key.
 */
export function testEnv(): Record<string, string> {
  let provided: Record<string, string> = {};
  try {
    provided = inject('wireEnv') ?? {};
  } catch {
    // Not inside a vitest worker with a global setup (e.g. a script): defaults apply.
    provided = {};
  }
  return { WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost,::1', LOG_LEVEL: 'silent', WIRE_SECRETS_KEY: TEST_SECRETS_KEY, ...provided };
}

/** The SecretBox of `testEnv()`: what a registry that stores or signs with partner secrets needs. */
export function testSecretBox(env: Record<string, string | undefined> = testEnv()): SecretBox {
  return secretBoxOf(loadConfig(z.object(SecretsEnv), env));
}

/** `testEnv()` parsed with the shared schema. */
export function testConfig(): CommonConfig {
  return loadConfig(CommonConfigSchema, testEnv());
}

/** An S3 client for the test S3 server (the services' own client: path-style, configured credentials). */
export function testS3Client(cfg: CommonConfig = testConfig()): S3Client {
  return createS3Client(s3SettingsOf(cfg));
}

/** A name unique to this test run, for topics, queues, bucket prefixes and Redis key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
