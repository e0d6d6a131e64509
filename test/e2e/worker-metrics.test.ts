/**
 * The worker's Temporal SDK metrics (Runtime telemetry, worker/main.ts) under `npm start` with
 * PARLEY_WORKER_METRICS_PORT: Prometheus text on a port of the worker's own, separate from the
 * API's /metrics, with the SDK's task-queue series for Parley's queue once a workflow ran.
 */
import { testPort } from '../support/ports';
import { embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { until } from '../support/v1';

jest.setTimeout(240_000);

let parley: Started | undefined;
afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
});

test('the worker serves the Temporal SDK metrics on PARLEY_WORKER_METRICS_PORT', async () => {
  const metricsPort = await testPort();
  const { port, env } = await embeddedEnv({ PARLEY_WORKER_METRICS_PORT: String(metricsPort), PARLEY_LLM_ENGINE: 'echo' });
  parley = await npmStart(env);
  // A session is a workflow: the worker polls, runs its tasks and records them.
  const session = (await (await fetch(`http://127.0.0.1:${port}/api/session/new`, { method: 'POST' })).json()) as { session_id: string };
  expect(session.session_id).toBeTruthy();

  const text = await until(
    async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()).catch(() => '')),
    (t) => /^temporal_workflow_task_execution_latency\w*\{[^}]*task_queue="parley"/m.test(t),
    60_000,
  );
  expect(text).toMatch(/^temporal_\w+/m);
  expect(text).toMatch(/namespace="default"/);
  // Not the API's registry: none of Parley's own metrics are on this port.
  expect(text).not.toMatch(/^parley_/m);
});
