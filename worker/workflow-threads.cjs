/**
 * Preloaded into the worker process (`node --require ./worker/workflow-threads.cjs`, see
 * WORKER_NODE_ARGS in infra/worker-args.ts). It runs in every thread and changes two things about
 * the worker threads where the Temporal SDK runs the workflows (docs/capacity.md has the numbers).
 *
 * 1. The stack trace promise hook. For the Web UI's "stack trace" query, the SDK installs a V8
 *    promise hook in those threads. The hook compiles a function, captures a stack trace and
 *    source-maps it for each promise a workflow creates (temporalio/sdk-typescript#1587). Measured
 *    on a 200-target mission (`bench/missions.ts`): the worker used 21 CPU-seconds without the
 *    hook and 25 with it, and the sweep took 20.1 s instead of 22.8 s (docs/benchmark.md).
 *    So the hook is refused unless PARLEY_WORKFLOW_STACK_TRACES=1. The SDK then logs once per
 *    thread that stack trace collection is disabled, and the stack trace query answers "Workflow
 *    stack traces are not enabled on this worker". Everything else is unchanged: replay, the
 *    history and the workflows' errors and their stacks.
 *
 * 2. The deadlock watchdog. The SDK passes `timeout` (isolateExecutionTimeout, 5 s) to every call
 *    into a workflow's sandbox, three or four per workflow activation, and Node starts and joins a
 *    watchdog thread for each such call (nodejs/node#47739). On this project's 2-core machine that
 *    cost about 11 ms of a sequential phone turn's 59 ms update. Instead, each workflow thread
 *    writes the call's deadline into memory it shares with the main thread, and one timer in the
 *    main thread checks the deadlines four times a second. A call that passes its deadline (the
 *    same timeout, so the same trigger) gets its thread terminated: the SDK then names the
 *    workflow run in its log and shuts the worker down, and the supervisor restarts it. With the
 *    SDK's own watchdog only that workflow task fails and the worker goes on; a deadlock is a bug
 *    in Parley's workflow code either way. PARLEY_WORKFLOW_WATCHDOG=sdk keeps the SDK's watchdog.
 */
'use strict';
const threads = require('node:worker_threads');
const v8 = require('node:v8');
const vm = require('node:vm');

const { isMainThread } = threads;

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

/** The SDK's workflow thread script, as `threaded-vm` starts it. */
const SDK_WORKFLOW_THREAD = /[\\/]@temporalio[\\/]worker[\\/]lib[\\/]workflow[\\/]workflow-worker-thread\.js$/;
/** The workerData key that carries a thread's deadline slot (a SharedArrayBuffer of one float64). */
const DEADLINE_KEY = '__parleyWorkflowDeadline';
/** How often the main thread looks at the deadlines. */
const CHECK_MS = 250;
/** On `process`: how many SDK workflow threads the shared watchdog watches (the boot log reads it). */
const WATCHED_COUNT = Symbol.for('parley.watchedWorkflowThreads');

if (process.env.PARLEY_WORKFLOW_WATCHDOG !== 'sdk') {
  if (isMainThread) watchWorkflowThreads();
  else timeWorkflowCalls();
}

/**
 * Main thread: each SDK workflow thread gets a deadline slot; a timer terminates a thread whose
 * call into workflow code has outlived its deadline.
 */
function watchWorkflowThreads() {
  const watched = new Set();
  let timer = null;
  process[WATCHED_COUNT] = () => watched.size;
  const check = () => {
    const now = Date.now();
    for (const entry of watched) {
      const deadline = entry.deadline[0];
      if (deadline === 0 || now <= deadline) continue;
      watched.delete(entry);
      console.error(
        `[parley] a workflow thread has run workflow code for more than ${entry.deadline[1]} ms without returning (a deadlock or a runaway loop): ` +
          'stopping the thread. The Temporal SDK names the workflow run and shuts the worker down; the supervisor restarts it.',
      );
      void entry.worker.terminate();
    }
  };
  const Worker = threads.Worker;
  class WatchedWorker extends Worker {
    constructor(filename, options) {
      const sdkThread = typeof filename === 'string' && SDK_WORKFLOW_THREAD.test(filename) && options?.workerData === undefined;
      // [deadline (epoch ms, 0 = not in workflow code), the timeout that set it]
      const deadline = sdkThread ? new Float64Array(new SharedArrayBuffer(16)) : null;
      super(filename, sdkThread ? { ...options, workerData: { [DEADLINE_KEY]: deadline.buffer } } : options);
      if (!sdkThread) return;
      const entry = { worker: this, deadline };
      watched.add(entry);
      this.once('exit', () => watched.delete(entry));
      if (timer === null) {
        timer = setInterval(check, CHECK_MS);
        timer.unref();
      }
    }
  }
  threads.Worker = WatchedWorker;
}

/**
 * Workflow thread: a call into the sandbox that carries a timeout runs without Node's per-call
 * watchdog, and its deadline goes to the shared slot for the main thread's timer instead.
 */
function timeWorkflowCalls() {
  const buffer = threads.workerData?.[DEADLINE_KEY];
  if (!(buffer instanceof SharedArrayBuffer)) return; // not an SDK workflow thread: nothing changes
  const deadline = new Float64Array(buffer);
  const runInContext = vm.Script.prototype.runInContext;
  let depth = 0;
  vm.Script.prototype.runInContext = function (context, options) {
    if (!options || !(options.timeout > 0)) return runInContext.call(this, context, options);
    const { timeout, ...rest } = options;
    if (depth++ === 0) {
      deadline[1] = timeout;
      deadline[0] = Date.now() + timeout;
    }
    try {
      return runInContext.call(this, context, rest);
    } finally {
      if (--depth === 0) deadline[0] = 0;
    }
  };
}
