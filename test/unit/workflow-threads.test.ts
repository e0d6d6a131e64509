/**
 * worker/workflow-threads.cjs, the worker process's preload: in a worker thread it refuses the
 * Temporal SDK's stack trace promise hook, and only that one. AsyncLocalStorage (the SDK's
 * cancellation scopes) keeps its context across awaits. PARLEY_WORKFLOW_STACK_TRACES=1 leaves the
 * SDK's hook on.
 */
import { spawnSync } from 'node:child_process';
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
