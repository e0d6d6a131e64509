/**
 * The real stack in one test process: a fresh database, a worker with the real activities
 * on its own task queue, a Temporal client and the fastify app (used via inject or a port).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { Config, loadConfig } from '../../infra/config';
import { buildActivities, type MissionLines } from '../../worker/activities';
import type { TurnDeps } from '../../activities/turn';
import type { TelephonyDriver } from '../../infra/telephony/driver';
import { createRuntimeSettings } from '../../infra/runtime-settings';
import { createTestDb, TestDb } from './db';
import { connectTestClient, createTestWorker, temporalAddress } from './temporal';
import { TMP_DIR } from './paths';
import type { AdmissionPool } from '../../infra/speech/admission';
import type { SendBufferLimits } from '../../api/paced-socket';

export interface Stack {
  app: FastifyInstance;
  config: Config;
  client: Client;
  testDb: TestDb;
  /** Stops the worker (health must then report it missing). */
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  env: Record<string, string> = {},
  options: { worker?: boolean; engines?: TurnDeps['engines']; admission?: AdmissionPool; sendBuffer?: SendBufferLimits; telephony?: TelephonyDriver; lines?: (db: TestDb['db'], config: Config) => MissionLines } = {},
): Promise<Stack> {
  const testDb = await createTestDb();
  const taskQueue = `test-${randomUUID()}`;
  // The echo responder unless a test configures an LLM: its replies are predictable.
  const llm = env.PARLEY_LLM_BASE_URL || env.PARLEY_LLM_ENGINE ? {} : { PARLEY_LLM_ENGINE: 'echo' };
  const config = loadConfig({ TEMPORAL_ADDRESS: temporalAddress(), DATABASE_URL: testDb.url, PARLEY_TASK_QUEUE: taskQueue, ...llm, ...env }, TMP_DIR);
  // API and worker share this process here, so they share one settings cache and a setting
  // written through the API reaches the next turn at once. Deployed, the worker is another
  // process and sees it within the cache's TTL (infra/runtime-settings.ts).
  const runtimeSettings = createRuntimeSettings(testDb.db, config);
  let stopWorker = async () => undefined;
  if (options.worker !== false) {
    const { worker, connection } = await createTestWorker({ taskQueue, activities: buildActivities({ db: testDb.db, config, engines: options.engines, admission: options.admission, lines: options.lines?.(testDb.db, config), settings: runtimeSettings }) });
    const running = worker.run();
    let stopped = false;
    stopWorker = async () => {
      if (stopped) return;
      stopped = true;
      worker.shutdown();
      await running;
      await connection.close();
    };
  }
  const client = await connectTestClient();
  const app = await buildApp({ config, db: testDb.db, temporal: client, engines: options.engines, telephony: options.telephony, sendBuffer: options.sendBuffer, runtimeSettings });
  return {
    app,
    config,
    client,
    testDb,
    stopWorker: () => stopWorker(),
    async close() {
      await app.close();
      await stopWorker();
      await client.connection.close();
      await testDb.close();
    },
  };
}
