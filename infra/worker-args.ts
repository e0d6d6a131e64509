import path from 'node:path';

/** How an API process is started: TypeScript through tsx, nothing preloaded. */
export const API_NODE_ARGS = ['--import', 'tsx'];

/**
 * How a worker process is started: TypeScript through tsx, and the preload that keeps the
 * Temporal SDK's promise hook out of the workflow threads (worker/workflow-threads.cjs).
 * `npm start`, `npm run worker`, the Docker image and the benchmarks all start it so.
 */
export const WORKER_NODE_ARGS = ['--require', path.resolve(__dirname, '..', 'worker', 'workflow-threads.cjs'), '--import', 'tsx'];
