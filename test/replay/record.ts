/**
 * `npm run histories:record`: runs every scenario (or those named) against a real dev server
 * (TEMPORAL_ADDRESS, or one started here) with the real activities over a scratch SQLite
 * database and instant speech engines, and writes each history to
 * test/replay/histories/<name>.json. Commit the result with the workflow change that needs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import { instantEngines } from '../../bench/instant-engines';
import { createDb } from '../../infra/db';
import { DevServer, freePort, startDevServer } from '../../infra/dev-server';
import { applyMigrations } from '../../prisma/migrate';
import { buildActivities } from '../../worker/activities';
import { scenarios } from './scenarios';
import { missionScenarios } from './mission-scenarios';
import { declarativeScenarios } from './declarative-scenarios';
import { botScenarios } from './bot-scenarios';
import { DEFAULT_SIM_LINES } from '../../infra/missions-config';
import { createRuntimeSettings } from '../../infra/runtime-settings';
import { scriptedLines } from '../support/scripted-lines';
import { startFakeOpenAIServer } from '../support/fake-openai-server';

const HISTORIES_DIR = path.join(__dirname, 'histories');

async function main(): Promise<void> {
  let server: DevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    server = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default', ui: false });
    address = server.address;
  }
  const dbFile = path.join(os.tmpdir(), `parley-record-${randomUUID()}.db`);
  const dbUrl = `file:${dbFile}`;
  await applyMigrations(dbUrl);
  const db = createDb(dbUrl);
  const only = process.argv.slice(2);
  const taskQueue = `record-${randomUUID()}`;
  // Missions scenarios: scripted lines and a local OpenAI-compatible TEST server for insights.
  const lines = scriptedLines(db, DEFAULT_SIM_LINES.map((number) => ({ number, driver: 'sim' as const, serial: '' })));
  const llm = await startFakeOpenAIServer();
  // Rubric scores too, for the declarative screening scenario (extra fields fit every other schema).
  llm.setReply('{"summary": "Quoted $240", "price_usd": 240, "scores": {"price": 7}}');
  const recordConfig = { lookup: (key: string) => (key === 'llm_base_url' ? llm.url : undefined) };
  const settings = createRuntimeSettings(db, recordConfig);
  const activities = buildActivities({ db, config: recordConfig, engines: instantEngines(), lines, settings });
  // A scenario may hold the step sync open, to record a message that arrives meanwhile.
  const beforeSyncStep: { hook: (() => Promise<void>) | null } = { hook: null };
  const syncStep = activities.syncStep;
  activities.syncStep = async (input) => {
    await beforeSyncStep.hook?.();
    return syncStep(input);
  };
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities,
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  try {
    await worker.runUntil(async () => {
      const all = [...[...scenarios, ...botScenarios].map((s) => ({ name: s.name, run: () => s.run({ client, taskQueue, db, settings }) })), ...[...missionScenarios, ...declarativeScenarios].map((s) => ({ name: s.name, run: () => s.run({ client, taskQueue, db, lines, beforeSyncStep }) }))];
      for (const scenario of all) {
        if (only.length && !only.includes(scenario.name)) continue;
        const { workflowId, runId } = (await scenario.run()) as { workflowId: string; runId?: string };
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        const file = path.join(HISTORIES_DIR, `${scenario.name}.json`);
        fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 2) + '\n');
        console.log(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length} events)`);
      }
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await db.$disconnect();
    await llm.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbFile + suffix, { force: true });
    await server?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
