import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dependencies point one way (STYLE.md): services import packages, never the reverse; and the pure
// core takes I/O behind an interface passed in, never a client of its own.
const NO_SERVICES = {
  group: ['@wire/svc-*', '**/services/**'],
  message: 'packages never import services: take what you need as a parameter',
};
const NO_IO_CLIENTS = {
  group: ['ioredis', 'kafkajs', 'bullmq', '@aws-sdk/*', 'undici', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:dns', '@wire/s3', '@wire/media', '@wire/routing', '@wire/webhooks', '@wire/netguard', '@wire/observability', '@wire/config', '@wire/infra'],
  message: 'the pure core imports no I/O client: take an interface (DedupeStore, MediaStore, Translator, …) as a parameter',
};
/** The pure core: canonical model, normalizer, safe text, job schemas, dedupe maths, webhook signing, sealing, retry timing. */
const PURE_CORE = [
  'packages/schema/src/**/*.ts',
  'packages/normalize/src/**/*.ts',
  'packages/text/src/**/*.ts',
  'packages/queues/src/**/*.ts',
  'packages/dedupe/src/**/*.ts',
  'packages/webhooks/src/signing.ts',
  'packages/secrets/src/**/*.ts',
  'packages/retry/src/**/*.ts',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'infra/.data/**', '.wire/**', 'coverage/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/config/src/**', 'packages/cli/src/**', '**/*.test.ts'],
    rules: {
      // Packages never read the environment: configuration is parsed once, in each service's main.ts.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read config in main.ts and pass it in' }],
    },
  },
  { files: ['packages/*/src/**/*.ts', 'packages/*/bin/**/*.js'], rules: { 'no-restricted-imports': ['error', { patterns: [NO_SERVICES] }] } },
  {
    files: PURE_CORE,
    // The Redis implementation of DedupeStore sits beside the engine, as STYLE.md asks; tests may use real clients.
    ignores: ['packages/dedupe/src/redis-store.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_SERVICES, NO_IO_CLIENTS] }] },
  },
);
