// Two projects: fast unit specs of pure code, and e2e specs against the real local stack.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  testTimeout: 180000,
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/apps/**/*.e2e-spec.ts'],
      // The secured local store: specs log in as its administrator (MONGO_URL).
      setupFiles: ['<rootDir>/test/support/local-store.setup.ts'],
      // The chaos suite kills processes and restarts the broker and the store: its own command.
      testPathIgnorePatterns: process.env.CUSTOMS_CHAOS ? [] : ['/test/chaos\\.e2e-spec\\.ts$'],
    },
  ],
};
