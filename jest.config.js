/** One jest preset for the monorepo: TypeScript via ts-jest (transpile only; `npm run typecheck` checks types). */
const shared = {
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
    // nanoid ships only as an ES module; jest's CommonJS runtime needs it transpiled.
    '/node_modules/nanoid/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!nanoid/)'],
  moduleNameMapper: {
    '^@banterbox/(gateway|ticker)$': '<rootDir>/apps/$1/src',
    '^@banterbox/client/server$': '<rootDir>/packages/client/src/server',
    '^@banterbox/([a-z-]+)$': '<rootDir>/packages/$1/src',
  },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/packages/*/src/**/*.test.ts',
        '<rootDir>/apps/*/src/**/*.test.ts',
        '<rootDir>/apps/*/test/**/*.test.ts',
        '<rootDir>/infra/test/*.test.ts',
        '<rootDir>/models/*.test.ts',
      ],
      testPathIgnorePatterns: ['\\.it\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      // Whether Redis runs in containers and the image is tested: decided once (testkit/src/docker.ts).
      globalSetup: '<rootDir>/packages/testkit/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/src/jest-global-teardown.ts',
      // Every frame and response the suites see is checked against the wire's schemas (testkit/src/wire-check.ts).
      setupFilesAfterEnv: ['<rootDir>/packages/testkit/src/jest-wire-check.ts'],
      testMatch: [
        '<rootDir>/packages/*/src/**/*.it.test.ts',
        '<rootDir>/apps/*/src/**/*.it.test.ts',
        '<rootDir>/apps/*/test/**/*.it.test.ts',
        '<rootDir>/k6/test/*.it.test.ts',
        '<rootDir>/infra/test/*.it.test.ts',
        '<rootDir>/examples/test/*.it.test.ts',
      ],
    },
  ],
};
