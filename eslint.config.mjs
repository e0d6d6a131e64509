// `npm run lint` (run by `npm test`): typescript-eslint with type information for the rules that
// catch real bugs here (floating promises), and import rules that keep workflow code
// deterministic (docs/architecture.md "Workflows").
import tseslint from 'typescript-eslint';

/** What workflow code may not import at runtime: I/O, clocks and clients outside Temporal's sandbox. */
const WORKFLOW_FORBIDDEN = [
  { group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'http', 'https', 'net', 'os', 'worker_threads'], message: 'Workflow code is deterministic: no Node I/O (do it in an activity).' },
  { group: ['@temporalio/client', '@temporalio/activity', '@temporalio/worker', '@temporalio/testing'], message: 'Workflows use @temporalio/workflow only.' },
  { group: ['**/infra/**', '**/api/**', '**/worker/**', '**/generated/**', '@prisma/*', 'openai', 'pg', 'better-sqlite3', 'ws', 'fastify', '@devicefarmer/*'], message: 'Workflow code may not reach I/O: call an activity.' },
  { group: ['**/activities/**'], message: 'Workflows import activities as types only (import type …).', allowTypeImports: true },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'generated/**', '.parley/**', 'bin/**', 'scripts/**', 'bench/results/**', '**/*.js', '**/*.mjs', 'prisma.config.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      'no-debugger': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: WORKFLOW_FORBIDDEN }],
      'no-restricted-globals': ['error', { name: 'process', message: 'Workflow code may not read the process environment.' }, { name: 'fetch', message: 'Workflow code does no I/O.' }],
    },
  },
  {
    // The CLI, benchmarks and tests print to the terminal on purpose.
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'prisma/**/*.ts', 'infra/dev-server.ts', 'infra/supervisor.ts'],
    rules: { 'no-console': 'off' },
  },
);
