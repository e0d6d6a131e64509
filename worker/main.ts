/** The worker process: connect, build real clients, register workflows and activities, run, close. */
import { NativeConnection, Runtime, makeTelemetryFilterString, DefaultLogger } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { createLogger } from '../infra/log';
import { createParleyWorker } from './create';
import { claimTempDir } from './temp-dir';
import { createMissionLines } from './lines';
import { Client } from '@temporalio/client';
import { ensureRetentionSchedule } from '../infra/temporal';
import { checkSpeechEngines } from '../infra/speech/check';
import { closeSharedHosts } from '../infra/speech/engine-host';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('worker', config.logLevel);
  Runtime.install({
    logger: new DefaultLogger(config.logLevel === 'debug' || config.logLevel === 'trace' ? 'DEBUG' : 'WARN'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      // The SDK's own metrics (task latencies, slots, polls) on a port of their own, for Prometheus.
      ...(config.workerMetricsPort ? { metrics: { prometheus: { bindAddress: `${config.host === 'localhost' ? '127.0.0.1' : config.host}:${config.workerMetricsPort}` } } } : {}),
    },
  });

  // Engines write their temporary files under os.tmpdir(), and spawned binaries inherit TMPDIR:
  // both now land in this worker's own directory, which the next worker cleans if this one dies.
  const temp = claimTempDir();
  process.env.TMPDIR = temp.dir;
  if (temp.removed.length) log.info({ removed: temp.removed }, 'removed temporary files of workers that are gone');

  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const lines = createMissionLines(config, db, log);
  // Loaded only when an OTLP endpoint is configured: without one, no OpenTelemetry code runs.
  const tracing = config.otlpTracesUrl ? (await import('../infra/tracing')).startTracing(config.otlpTracesUrl, 'parley-worker') : undefined;
  if (tracing) log.info({ url: config.otlpTracesUrl }, 'exporting traces over OTLP/HTTP');
  const worker = await createParleyWorker({ connection, config, db, lines, tracing: tracing?.workerOptions });
  await ensureRetentionSchedule(new Client({ connection, namespace: config.temporalNamespace }), config);
  // Loads every local engine before the first task: a turn never meets a missing model.
  const checks = await checkSpeechEngines(config.speech, (msg) => log.info(msg));
  for (const c of checks) (c.ok ? log.info : log.error).call(log, { stage: c.stage, engine: c.engine }, c.detail);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) throw new ConfigError(failed.map((c) => `${c.stage} engine ${c.engine} failed its check: ${c.detail}`));
  if (config.speech.llm.engine === 'echo') {
    log.warn('PARLEY_LLM_ENGINE=echo: the echo responder answers by repeating the caller; it is not a language model');
  }
  // Started without worker/workflow-threads.cjs (WORKER_NODE_ARGS), the workflow threads keep the
  // SDK's stack trace hook and its watchdog thread per call: correct, but every workflow task
  // costs more CPU (docs/capacity.md).
  const preloaded = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('workflow-threads.cjs'));
  if (!preloaded) log.warn('started without --require worker/workflow-threads.cjs: workflow threads keep the stack trace promise hook and a watchdog thread per call, and use more CPU per task');
  const stackTraces = !preloaded || process.env.PARLEY_WORKFLOW_STACK_TRACES === '1';
  // The deadlock watchdog: one timer for every workflow thread (the preload), or Node's watchdog
  // thread per call into a workflow's sandbox (the SDK's own; docs/capacity.md). The preload says
  // how many of the worker's threads it watches: none means the SDK's (also when a future SDK
  // starts its threads in a way the preload does not recognise).
  const watchedWorkflowThreads = preloadCount('parley.watchedWorkflowThreads');
  const workflowWatchdog = watchedWorkflowThreads > 0 ? 'shared' : 'sdk';
  // A workflow thread's sink calls: with its completions (the preload), or in a second round trip
  // per activation (the SDK's own).
  const workflowSinkCalls = preloadCount('parley.sinkCallsOnCompletion') > 0 ? 'with-completion' : 'round-trip';
  log.info({ taskQueue: config.taskQueue, temporal: config.temporalAddress, workflowStackTraces: stackTraces, workflowWatchdog, watchedWorkflowThreads, workflowSinkCalls }, 'worker polling');
  try {
    await worker.run();
  } finally {
    await lines.close();
    await tracing?.shutdown();
    closeSharedHosts();
    await connection.close();
    await db.$disconnect();
    log.info('worker stopped');
  }
}

/** How many workflow threads the preload (worker/workflow-threads.cjs) changed, by what; 0 without it. */
function preloadCount(key: 'parley.watchedWorkflowThreads' | 'parley.sinkCallsOnCompletion'): number {
  const count = (process as unknown as Record<symbol, (() => number) | undefined>)[Symbol.for(key)];
  return count ? count() : 0;
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
