/** Three projects: unit (pure rules), integration (GraphQL over HTTP against a real database), e2e (started servers). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
// Every project loads reflect-metadata first: a test that imports a decorated class directly
// (not through the server) would otherwise fail to load in whichever order jest picks.
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      setupFiles: ['reflect-metadata', '<rootDir>/tests/support/setup-env.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
      setupFiles: ['reflect-metadata', '<rootDir>/tests/support/setup-env.ts'],
    },
  ],
  testTimeout: 60000,
};
