/**
 * The benchmark's worker process: the real worker setup (workflows, activities, database) with
 * instant in-process speech engines, so the benchmark measures Parley, not a model.
 */
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { createParleyWorker } from '../worker/create';
import { instantEngines } from './instant-engines';

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
