import path from 'node:path';

/**
 * How a worker process is started: TypeScript through tsx, and the preload that keeps the
 * Temporal SDK's promise hook out of the workflow threads (worker/workflow-threads.cjs).
 * `npm start`, `npm run worker`, the Docker image and the benchmarks all start it so.
 */
export const WORKER_NODE_ARGS = ['--require', path.resolve(__dirname, '..', 'worker', 'workflow-threads.cjs'), '--import', 'tsx'];
