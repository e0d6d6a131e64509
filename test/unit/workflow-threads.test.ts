/**
 * worker/workflow-threads.cjs, the worker process's preload: in a worker thread it refuses the
 * Temporal SDK's stack trace promise hook, and only that one. AsyncLocalStorage (the SDK's
 * cancellation scopes) keeps its context across awaits. PARLEY_WORKFLOW_STACK_TRACES=1 leaves the
 * SDK's hook on. In the SDK's workflow threads, calls into the sandbox run without Node's per-call
 * watchdog thread, and the main thread stops a thread stuck past its deadline.
 * PARLEY_WORKFLOW_WATCHDOG=sdk leaves Node's watchdog on. A workflow thread hands its sink calls
 * over with each completion; PARLEY_WORKFLOW_SINK_CALLS=roundtrip keeps the SDK's second round trip.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKER_NODE_ARGS } from '../../infra/worker-args';

const ROOT = path.resolve(__dirname, '..', '..');

/** In a worker thread of a process started like the worker: the SDK's hook and an ALS context after an await. */
const probe = `
const { Worker } = require('node:worker_threads');
const thread = new Worker(\`
  const { parentPort } = require('node:worker_threads');
  const { AsyncLocalStorage } = require('node:async_hooks');
  const warnings = [];
  console.warn = (m) => warnings.push(String(m));
  const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');
  globalHandlers.install();
  const als = new AsyncLocalStorage();
  als.run('scope', async () => {
    await new Promise((r) => setTimeout(r, 5));
    await Promise.resolve();
    parentPort.postMessage({ sdkHook: globalHandlers.promiseHookInstalled, store: als.getStore() ?? null, warnings });
  });
\`, { eval: true });
thread.once('message', (m) => { console.log(JSON.stringify(m)); process.exit(0); });
`;

function runProbe(env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, [...WORKER_NODE_ARGS, '-e', probe], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).not.toMatch(/Error/);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sdkHook: boolean; store: string | null; warnings: string[] };
}

test("a workflow thread gets no SDK stack trace hook, and AsyncLocalStorage still carries its context across awaits", () => {
  const seen = runProbe({ PARLEY_WORKFLOW_STACK_TRACES: '' });
  expect(seen.sdkHook).toBe(false);
  expect(seen.store).toBe('scope');
  // The SDK says so once, in its own words.
  expect(seen.warnings).toEqual([expect.stringContaining('stack trace collection will be disabled')]);
});

test('PARLEY_WORKFLOW_STACK_TRACES=1 leaves the SDK its hook', () => {
  const seen = runProbe({ PARLEY_WORKFLOW_STACK_TRACES: '1' });
  expect(seen.sdkHook).toBe(true);
  expect(seen.store).toBe('scope');
  expect(seen.warnings).toEqual([]);
});

/**
 * A thread started from a file at the SDK's workflow thread path: one call into a sandbox within
 * its timeout (counting this process's threads meanwhile), then a runaway loop.
 */
const WORKFLOW_THREAD = `
const fs = require('node:fs');
const vm = require('node:vm');
const { parentPort, workerData } = require('node:worker_threads');
const threads = () => fs.readdirSync('/proc/self/task').length;
const context = vm.createContext({ threads });
const outside = threads();
const inside = vm.runInContext('threads()', context, { timeout: 5000 });
parentPort.postMessage({ watched: workerData?.__parleyWorkflowDeadline !== undefined, extraThreads: inside - outside });
vm.runInContext('for (;;) {}', context, { timeout: 300 });
`;

function runWorkflowThread(env: NodeJS.ProcessEnv) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-watchdog-'));
  const file = path.join(dir, 'node_modules', '@temporalio', 'worker', 'lib', 'workflow', 'workflow-worker-thread.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, WORKFLOW_THREAD);
  const main = `
const { Worker } = require('node:worker_threads');
const started = Date.now();
const thread = new Worker(${JSON.stringify(file)});
const count = process[Symbol.for('parley.watchedWorkflowThreads')];
console.log(JSON.stringify({ watchedCount: count ? count() : 0 }));
thread.on('message', (m) => console.log(JSON.stringify(m)));
thread.on('error', (err) => console.log(JSON.stringify({ error: err.message })));
thread.on('exit', (code) => console.log(JSON.stringify({ exit: code, afterMs: Date.now() - started })));
`;
  try {
    const run = spawnSync(process.execPath, [...WORKER_NODE_ARGS, '-e', main], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    return { lines: Object.assign({}, ...lines) as { watched: boolean; watchedCount: number; extraThreads: number; exit: number; afterMs: number; error?: string }, stderr: run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const linux = fs.existsSync('/proc/self/task');

(linux ? test : test.skip)('a workflow thread calls into its sandbox without a watchdog thread per call, and a runaway call gets its thread stopped', () => {
  const { lines, stderr } = runWorkflowThread({ PARLEY_WORKFLOW_WATCHDOG: '' });
  expect(lines.watched).toBe(true);
  // What the worker's boot log reports as workflowWatchdog: shared.
  expect(lines.watchedCount).toBe(1);
  expect(lines.extraThreads).toBe(0);
  // Stopped from the main thread once past its 300 ms (the timer looks four times a second).
  expect(lines.exit).toBe(1);
  expect(lines.afterMs).toBeLessThan(10_000);
  expect(stderr).toContain('[parley] a workflow thread has run workflow code for more than 300 ms without returning');
});

(linux ? test : test.skip)("PARLEY_WORKFLOW_WATCHDOG=sdk leaves Node's watchdog, which times the runaway call out itself", () => {
  const { lines, stderr } = runWorkflowThread({ PARLEY_WORKFLOW_WATCHDOG: 'sdk' });
  expect(lines.watched).toBe(false);
  expect(lines.watchedCount).toBe(0);
  expect(lines.extraThreads).toBe(1);
  expect(lines.error).toMatch(/timed out after 300ms/);
  expect(lines.exit).toBe(1);
  expect(stderr).not.toContain('[parley]');
});

/** A real worker process (the test dev server) through five updates that log around a local activity. */
function runSinkCallsWorker(env: NodeJS.ProcessEnv) {
  const run = spawnSync(process.execPath, [...WORKER_NODE_ARGS, path.join(__dirname, 'fixtures', 'sink-calls-worker.ts')], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 110_000 });
  if (run.status !== 0) throw new Error(`sink-calls worker exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { answers: number[]; logged: Array<{ message: string; n: number }>; requests: Record<string, number>; threadsCarrying: number };
}

/** Every log line, in the workflow's order: before and after each step. */
const IN_ORDER = [1, 2, 3, 4, 5].flatMap((n) => [{ message: 'before', n }, { message: 'after', n }]);

test('a workflow thread hands its sink calls over with each completion: every log line arrives, in order, with no second round trip', () => {
  const seen = runSinkCallsWorker({ PARLEY_WORKFLOW_SINK_CALLS: '' });
  expect(seen.answers).toEqual([1, 2, 3, 4, 5]);
  expect(seen.logged).toEqual(IN_ORDER);
  expect(seen.requests['activate-workflow']).toBeGreaterThanOrEqual(11); // a start, two per step, the stop
  expect(seen.requests['extract-sink-calls'] ?? 0).toBe(0);
  // What the worker's boot log reports as workflowSinkCalls: with-completion.
  expect(seen.threadsCarrying).toBe(1);
}, 120_000);

test("PARLEY_WORKFLOW_SINK_CALLS=roundtrip keeps the SDK's round trip after every activation, with the same log lines", () => {
  const seen = runSinkCallsWorker({ PARLEY_WORKFLOW_SINK_CALLS: 'roundtrip' });
  expect(seen.answers).toEqual([1, 2, 3, 4, 5]);
  expect(seen.logged).toEqual(IN_ORDER);
  expect(seen.requests['extract-sink-calls']).toBe(seen.requests['activate-workflow']);
  expect(seen.threadsCarrying).toBe(0);
}, 120_000);
