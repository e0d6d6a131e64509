// Tests are transpiled by @swc/jest (TypeScript 7 has no JS compiler API for ts-jest);
// `npm run typecheck` (typescript 5.9) checks types. See README "Tests".
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // A few dependencies ship ES modules only (Prisma's WASM engine bindings, cookie via
    // fastify's inject); jest on Node 20 needs CommonJS.
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@prisma/schema-engine-wasm|cookie)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Two cores: the dev server, workers and jest share them.
  maxWorkers: 2,
};
