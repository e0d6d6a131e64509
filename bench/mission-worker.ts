/**
 * The mission benchmark's worker process: the real worker (workflows, activities, database) with
 * instant lines (bench/instant-lines.ts), so the figure measures the missions engine, not calls.
 */
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { createParleyWorker } from '../worker/create';
import { instantEngines } from './instant-engines';
import { instantLines } from './instant-lines';

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
    lines: { lines: config.missions.lines, drivers: instantLines() },
    tuning: { maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentActivityTaskExecutions: 200 },
  });
  process.send?.('ready');
  await worker.run();
  await connection.close();
  await db.$disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
