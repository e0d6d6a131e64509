/** Connections to the shared test dev server, and workers on the prebuilt bundle. */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, Worker, WorkerOptions } from '@temporalio/worker';
import { connectNative } from '../../infra/temporal';
import { BUNDLE_PATH } from './paths';


export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

/** The API's kind of client (infra/temporal.ts connectNative), so route tests meet its errors. */
export async function connectTestClient(): Promise<Client> {
  return new Client({ connection: await connectNative(temporalAddress()) });
}

/** A worker on its own task queue, so test files never steal each other's tasks. */
export async function createTestWorker(
  options: Pick<WorkerOptions, 'activities'> & { taskQueue?: string },
): Promise<{ worker: Worker; taskQueue: string; connection: NativeConnection }> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by an earlier test file in this jest worker process.
  }
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: BUNDLE_PATH },
    activities: options.activities,
  });
  return { worker, taskQueue, connection };
}
