/**
 * The benchmark's worker process: the real worker setup (workflows, activities, database) with
 * instant in-process speech engines, so the benchmark measures Parley, not a model; and the
 * floor's bare workflow (bench/floor-workflow.ts) on a task queue of its own. With `--missions`
 * (bench/missions.ts) it dials instant lines (bench/instant-lines.ts) instead of running the floor,
 * so the mission figure measures the missions engine, not calls.
 */
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { createParleyWorker } from '../worker/create';
import { instantEngines } from './instant-engines';
import { instantLines } from './instant-lines';

const missions = process.argv.includes('--missions');

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createParleyWorker({
    connection,
    config,
    db,
    engines: instantEngines(),
    ...(missions ? { lines: { lines: config.missions.lines, drivers: instantLines() } } : {}),
    tuning: { maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200 },
  });
  // The floor's bare workflow, on its own task queue in the same process (idle until driven).
  const floor = missions
    ? null
    : await Worker.create({
        connection,
        taskQueue: `${config.taskQueue}-floor`,
        workflowsPath: require.resolve('./floor-workflow'),
        activities: { async noop() {} },
        maxConcurrentWorkflowTaskExecutions: 100,
      });
  process.send?.('ready');
  await Promise.all([worker.run(), floor?.run()]);
  await connection.close();
  await db.$disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
