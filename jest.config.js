/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Several dependencies (the AI SDK and what it imports, commander, octokit) are ESM-only. Node runs them through
  // require(esm), which jest's module system lacks on Node 20, so swc compiles node_modules to CommonJS too,
  // except large packages known to be CommonJS already.
  transformIgnorePatterns: [
    '/node_modules/(?:@temporalio|@prisma|@swc|typescript|pg|pg-[a-z-]+|pino|express|@electric-sql)/',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 120000,
  verbose: true,
};
