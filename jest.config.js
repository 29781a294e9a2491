/**
 * Two projects: unit tests (pure, beside their source as *.test.ts) and integration
 * tests (*.int.test.ts) that talk to a real Redis and real DuckDB files. The global
 * setup starts a private redis-server unless REDIS_URL is given.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const roots = ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/e2e'];

module.exports = {
  // Jest reads this only at the top level; multi-process integration tests need it.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      roots,
      transform,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '/node_modules/'],
    },
    {
      displayName: 'integration',
      roots,
      transform,
      testMatch: ['**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/'],
      globalSetup: '<rootDir>/packages/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/packages/testing/src/global-teardown.ts',
    },
  ],
};
