/**
 * Tracing (infra/tracing.ts) with an OTLP endpoint configured: the worker as `npm start` builds
 * it (createParleyWorker bundles the workflows with the OpenTelemetry workflow interceptors) and
 * a Temporal client with the client interceptor, as the API installs it, export their spans over
 * OTLP/HTTP to a local OTLP TEST RECEIVER. One trace runs from the client's workflow start
 * through the workflow to the activity. Every committed history still replays with the
 * interceptors bundled, and without an endpoint no OpenTelemetry code is loaded.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { instantEngines } from '../../bench/instant-engines';
import { ConfigError, loadConfig, type Config } from '../../infra/config';
import { startTracing, type Tracing } from '../../infra/tracing';
import { createParleyWorker } from '../../worker/create';
import { createTestDb, type TestDb } from '../support/db';
import { startOtlpTestReceiver, type OtlpTestReceiver } from '../support/otlp-test-receiver';
import { HISTORIES_DIR, ROOT, TMP_DIR } from '../support/paths';
import { temporalAddress } from '../support/temporal';
import { until } from '../support/v1';

jest.setTimeout(120_000);

let receiver: OtlpTestReceiver;
let testDb: TestDb;
let config: Config;
let tracing: Tracing;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by an earlier test file in this jest worker process.
  }
  receiver = await startOtlpTestReceiver();
  testDb = await createTestDb();
  config = loadConfig(
    { TEMPORAL_ADDRESS: temporalAddress(), DATABASE_URL: testDb.url, PARLEY_TASK_QUEUE: `test-${randomUUID()}`, PARLEY_LLM_ENGINE: 'echo', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    TMP_DIR,
  );
  tracing = startTracing(config.otlpTracesUrl, 'parley-test');
});

afterAll(async () => {
  await tracing?.shutdown();
  await testDb?.close();
  await receiver?.close();
});

test('the OTLP endpoint is validated at boot and the traces path appended to it', () => {
  expect(config.otlpTracesUrl).toBe(`${receiver.url}/v1/traces`);
  expect(loadConfig({}, TMP_DIR).otlpTracesUrl).toBe('');
  expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example:4318/custom/traces' }, TMP_DIR).otlpTracesUrl).toBe('https://collector.example:4318/custom/traces');
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, TMP_DIR)).toThrow(ConfigError);
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, TMP_DIR)).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, TMP_DIR)).toThrow(/OTLP\/HTTP/);
});

test('a workflow start, the workflow and its activity are spans of one trace, exported over OTLP/HTTP', async () => {
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createParleyWorker({ connection, config, db: testDb.db, engines: instantEngines(), tracing: tracing.workerOptions });
  const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), interceptors: tracing.clientInterceptors });
  const workflowId = `traced-retention-${randomUUID()}`;
  try {
    const result = await worker.runUntil(
      client.workflow.execute('retentionWorkflow', { taskQueue: config.taskQueue, workflowId, args: [{ audioRetentionDays: 7, eventRetentionDays: 30 }] }),
    );
    expect(result).toMatchObject({ audioBlobs: 0, events: 0 });
  } finally {
    await client.connection.close();
    await connection.close();
  }

  const names = ['StartWorkflow:retentionWorkflow', 'RunWorkflow:retentionWorkflow', 'StartActivity:pruneExpiredData', 'RunActivity:pruneExpiredData'];
  const spans = await until(
    async () => {
      await tracing.flush();
      return receiver.spans.filter((s) => s.attributes.temporalWorkflowId === workflowId || names.slice(1).includes(s.name));
    },
    (found) => names.every((n) => found.some((s) => s.name === n)),
    30_000,
  );
  const byName = Object.fromEntries(names.map((n) => [n, spans.find((s) => s.name === n)!]));
  const start = byName['StartWorkflow:retentionWorkflow'];
  expect(start.attributes.temporalWorkflowId).toBe(workflowId);
  expect(start.service).toBe('parley-test');
  // One trace: client start → workflow run → activity scheduled → activity run.
  for (const n of names) expect(byName[n].traceId).toBe(start.traceId);
  expect(byName['RunWorkflow:retentionWorkflow'].parentSpanId).toBe(start.spanId);
  expect(byName['StartActivity:pruneExpiredData'].parentSpanId).toBe(byName['RunWorkflow:retentionWorkflow'].spanId);
  expect(byName['RunActivity:pruneExpiredData'].parentSpanId).toBe(byName['StartActivity:pruneExpiredData'].spanId);
  expect(receiver.contentTypes.every((t) => t.startsWith('application/json'))).toBe(true);
});

test('every committed history replays with the tracing interceptors bundled', async () => {
  const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))) }));
  const failed: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows'), ...tracing.workerOptions }, histories)) {
    if (r.error) failed.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failed).toEqual([]);
  expect(histories.length).toBeGreaterThan(20);
});

test('without an endpoint the processes load no OpenTelemetry code', () => {
  // A fresh Node process loads what the worker and the API import at startup.
  const probe = [
    "require('./worker/create');",
    "require('./api/app');",
    "const loaded = Object.keys(require.cache).filter((f) => /@opentelemetry[\\\\/](sdk-trace|exporter-trace)|interceptors-opentelemetry|infra[\\\\/]tracing/.test(f));",
    'process.stdout.write(JSON.stringify(loaded));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
