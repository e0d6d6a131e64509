/**
 * Preloaded into the worker process (`node --require ./worker/workflow-threads.cjs`, see
 * WORKER_NODE_ARGS in infra/worker-args.ts). It runs in every thread, and it acts only in the
 * worker threads, where the Temporal SDK runs the workflows.
 *
 * For the Web UI's "stack trace" query, the SDK installs a V8 promise hook in those threads. The
 * hook compiles a function, captures a stack trace and source-maps it for each promise a workflow
 * creates (temporalio/sdk-typescript#1587). Measured on a 200-target mission
 * (`bench/missions.ts`): the worker used 21 CPU-seconds without the hook and 25 with it, and the
 * sweep took 20.1 s instead of 22.8 s (docs/benchmark.md).
 *
 * So the hook is refused unless PARLEY_WORKFLOW_STACK_TRACES=1. The SDK then logs once per thread
 * that stack trace collection is disabled, and the stack trace query answers "Workflow stack traces
 * are not enabled on this worker". Everything else is unchanged: replay, the history and the
 * workflows' errors and their stacks.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');
const v8 = require('node:v8');

/**
 * The SDK's own call (vm-shared installs the stack trace hook), named as its .js file or, through
 * the SDK's source maps, as its .ts source. Node's async hooks pass through.
 */
const FROM_TEMPORAL_SDK = /[\\/]@temporalio[\\/]worker[\\/](lib|src)[\\/]workflow[\\/]vm-shared\.[jt]s:/;

if (!isMainThread && process.env.PARLEY_WORKFLOW_STACK_TRACES !== '1') {
  const createHook = v8.promiseHooks.createHook;
  // AsyncLocalStorage (the SDK's cancellation scopes use it) installs its promise hook through
  // this same function, so only the SDK's stack trace hook is refused.
  v8.promiseHooks.createHook = function (hooks) {
    if (FROM_TEMPORAL_SDK.test(new Error().stack ?? '')) {
      throw new Error('the workflow stack trace hook is off in Parley (PARLEY_WORKFLOW_STACK_TRACES=1 turns it on)');
    }
    return createHook.call(this, hooks);
  };
}
