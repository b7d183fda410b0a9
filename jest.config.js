/** Jest runs TypeScript through SWC. Tests are ES modules (the project is "type": "module"),
 * so Jest needs NODE_OPTIONS=--experimental-vm-modules (set by `npm test`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      },
    ],
  },
  transformIgnorePatterns: [],
  moduleNameMapper: {
    // package.json "imports" point at dist/ for node; tests run the sources.
    '^#domain/(.*)\\.js$': '<rootDir>/libs/domain/$1',
    '^#application/(.*)\\.js$': '<rootDir>/libs/application/$1',
    '^#persistence/(.*)\\.js$': '<rootDir>/libs/persistence/$1',
    '^#config/(.*)\\.js$': '<rootDir>/libs/config/$1',
    '^#logging/(.*)\\.js$': '<rootDir>/libs/logging/$1',
    '^#migrations/(.*)\\.js$': '<rootDir>/migrations/$1',
    '^#api/(.*)\\.js$': '<rootDir>/apps/api/$1',
    '^#worker/(.*)\\.js$': '<rootDir>/apps/worker/$1',
    '^#cli/(.*)\\.js$': '<rootDir>/apps/cli/$1',
    '^#bench/(.*)\\.js$': '<rootDir>/bench/$1',
    '^#test/(.*)\\.js$': '<rootDir>/test/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/bench/**/*.spec.ts',
    '<rootDir>/test/**/*.test.ts',
  ],
  // PostgreSQL, Redis and Chromium up (or started) and the processes compiled, before any test.
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  testTimeout: 60000,
};
