/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj|cj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // Several dependencies (the AI SDK and what it imports, commander, octokit) are ESM-only. Node runs them through
  // require(esm), which jest's module system lacks on Node 20, so swc compiles node_modules to CommonJS too,
  // except large packages known to be CommonJS already.
  transformIgnorePatterns: [
    '/node_modules/(?:@temporalio|@prisma|@swc|typescript|pg|pg-[a-z-]+|pino|express|protobufjs|@protobufjs|long|@grpc)/',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Prisma's generated client (src/generated/prisma) imports its TypeScript siblings as './x.js', as Node's ESM
  // resolution wants; jest's resolver needs the extension dropped to find x.ts.
  // @octokit/webhooks-methods exports only `import` conditions, which jest's CommonJS resolver does not pick.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@octokit/webhooks-methods$': '<rootDir>/node_modules/@octokit/webhooks-methods/dist-node/index.js',
  },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 120000,
  verbose: true,
};
