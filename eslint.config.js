// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  // The client's types are generated from docs/openapi.json (pnpm --filter @flock/client generate).
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'packages/client/src/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Config is read once, in each app's env.ts, through @flock/config; CLIs read argv/env in their entry file.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through env.ts / @flock/config.' }],
    },
  },
  {
    files: ['**/env.ts', '**/*.test.ts', '**/cli.ts', 'packages/testing/**', 'e2e/**', 'scripts/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests read JSON response bodies, which are untyped by nature (supertest's body is any).
    files: ['**/*.test.ts', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
