/** Builds Parley's worker: workflows, the real activities over the given clients. */
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import type { TurnDeps } from '../activities/turn';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { Tracing } from '../infra/tracing';
import { buildActivities, type MissionLines } from './activities';

export function createParleyWorker(deps: {
  connection: NativeConnection;
  config: Config;
  db: Db;
  /** Speech engines; default: the configured providers. The benchmark injects instant ones. */
  engines?: TurnDeps['engines'];
  /** The missions plane's phone lines (worker/lines.ts). */
  lines?: MissionLines;
  /** OpenTelemetry interceptors and span sink when tracing is configured (infra/tracing.ts). */
  tracing?: Tracing['workerOptions'];
  tuning?: Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions'>;
}): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporalNamespace,
    taskQueue: deps.config.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: buildActivities({ db: deps.db, config: deps.config, engines: deps.engines, lines: deps.lines }),
    // Worker.create also installs SIGINT/SIGTERM handlers that start a graceful shutdown.
    shutdownGraceTime: '10 seconds',
    // Cancellation reaches a running activity only with a heartbeat's answer, and the SDK holds
    // heartbeats back to 80 % of the heartbeat timeout (24 s for placeCall): sending placeCall's
    // quarter-second heartbeats as they come lets `call.sh end` hang up within 2 s.
    maxHeartbeatThrottleInterval: '250 milliseconds',
    ...deps.tracing,
    ...deps.tuning,
  });
}
