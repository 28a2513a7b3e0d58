import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);
