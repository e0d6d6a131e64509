/**
 * Preloaded into the worker process (`node --require ./worker/workflow-threads.cjs`, see
 * WORKER_NODE_ARGS in infra/worker-args.ts). It runs in every thread and changes three things about
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
 *
 * 3. The sink calls. After every activation the SDK's main thread asks the workflow thread for
 *    the workflow's sink calls (its log lines, for one) in a second round trip, and the
 *    activation's completion waits for that answer. Here the workflow thread hands them over
 *    with the completion instead, and the main thread processes them as before, in the same
 *    order and at the same point. PARLEY_WORKFLOW_SINK_CALLS=roundtrip keeps the SDK's round trip.
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

/** The workerData key, and the completion's property, that carry the sink calls (a plain string: structured clone drops symbols). */
const SINK_CALLS_KEY = '__parleySinkCalls';
/** On `process`: how many SDK workflow threads hand their sink calls over with the completion (the boot log reads it). */
const SINK_CALLS_COUNT = Symbol.for('parley.sinkCallsOnCompletion');

if (isMainThread) {
  const watchdog = process.env.PARLEY_WORKFLOW_WATCHDOG !== 'sdk';
  // The main thread decides, and tells each workflow thread through its workerData: a thread
  // that handed sink calls to a main thread that did not expect them would lose them.
  const sinkCalls = process.env.PARLEY_WORKFLOW_SINK_CALLS !== 'roundtrip' && takeSinkCallsFromCompletions();
  if (watchdog || sinkCalls) markWorkflowThreads({ watchdog, sinkCalls });
} else {
  timeWorkflowCalls();
  handSinkCallsWithCompletions();
}

/**
 * Main thread: each SDK workflow thread gets, in its workerData, a deadline slot (a timer
 * terminates a thread whose call into workflow code has outlived its deadline) and the word to
 * hand its sink calls over with each completion.
 */
function markWorkflowThreads({ watchdog, sinkCalls }) {
  const watched = new Set();
  const carrying = new Set();
  let timer = null;
  process[WATCHED_COUNT] = () => watched.size;
  process[SINK_CALLS_COUNT] = () => carrying.size;
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
      const deadline = sdkThread && watchdog ? new Float64Array(new SharedArrayBuffer(16)) : null;
      const workerData = { ...(deadline ? { [DEADLINE_KEY]: deadline.buffer } : {}), ...(sinkCalls ? { [SINK_CALLS_KEY]: true } : {}) };
      super(filename, sdkThread ? { ...options, workerData } : options);
      if (!sdkThread) return;
      if (sinkCalls) {
        carrying.add(this);
        this.once('exit', () => carrying.delete(this));
      }
      if (!deadline) return;
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

/** The SDK's own module, from the copy of @temporalio/worker this process runs. */
function sdkModule(relative) {
  return require(require('node:path').join(require('node:path').dirname(require.resolve('@temporalio/worker')), relative));
}

/**
 * Main thread: the proxy of a workflow thread keeps the sink calls that came with a completion,
 * and answers the SDK's next request for them itself (the SDK asks once after each activation).
 * Without them (a failed call, an older thread) it asks the thread, as the SDK does. False when
 * this SDK's proxy is not the shape this was written against: then nothing changes.
 */
function takeSinkCallsFromCompletions() {
  let Proxy, createUnsafeRandomSource;
  try {
    ({ VMWorkflowThreadProxy: Proxy } = sdkModule('workflow/threaded-vm.js'));
    ({ createUnsafeRandomSource } = require('@temporalio/workflow/lib/random-helpers'));
  } catch {
    return false;
  }
  const proto = Proxy?.prototype;
  if (typeof proto?.activate !== 'function' || typeof proto.getAndResetSinkCalls !== 'function' || typeof createUnsafeRandomSource !== 'function') return false;
  const activate = proto.activate;
  const askThread = proto.getAndResetSinkCalls;
  const kept = Symbol('sinkCalls');
  proto.activate = async function (activation) {
    this[kept] = undefined;
    const completion = await activate.call(this, activation);
    if (completion && Array.isArray(completion[SINK_CALLS_KEY])) {
      this[kept] = completion[SINK_CALLS_KEY];
      delete completion[SINK_CALLS_KEY];
    }
    return completion;
  };
  proto.getAndResetSinkCalls = async function () {
    const calls = this[kept];
    if (calls === undefined) return askThread.call(this);
    this[kept] = undefined;
    // What the SDK's own answer does to each call that crossed the thread boundary.
    for (const call of calls) {
      call.workflowInfo.unsafe.now = Date.now;
      call.workflowInfo.unsafe.random = createUnsafeRandomSource(Math.random);
    }
    return calls;
  };
  return true;
}

/**
 * Workflow thread (told so by the main thread): each activation's completion carries the sink
 * calls the activation made, taken from the workflow right after it, as the SDK's second round
 * trip would have taken them.
 */
function handSinkCallsWithCompletions() {
  if (threads.workerData?.[SINK_CALLS_KEY] !== true) return;
  const { BaseVMWorkflow } = sdkModule('workflow/vm-shared.js');
  const activate = BaseVMWorkflow.prototype.activate;
  BaseVMWorkflow.prototype.activate = async function (activation) {
    const completion = await activate.call(this, activation);
    if (completion && typeof completion === 'object' && !(completion instanceof Uint8Array)) completion[SINK_CALLS_KEY] = forTheMainThread(await this.getAndResetSinkCalls());
    return completion;
  };
}

/**
 * What the SDK's thread does to sink calls before it posts them: a copy of each call's workflow
 * info without its `now` and `random` functions, which cannot cross a thread boundary (the main
 * thread puts its own back).
 */
function forTheMainThread(calls) {
  for (const call of calls) {
    const unsafe = { ...call.workflowInfo.unsafe };
    delete unsafe.now;
    delete unsafe.random;
    call.workflowInfo = structuredClone({ ...call.workflowInfo, unsafe });
  }
  return calls;
}
