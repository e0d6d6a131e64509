/**
 * mission: a 1,000-target `sweep` with instant lines (bench/instant-lines.ts) and scaled time,
 * from the run's start to its `succeeded`: seconds, the longest workflow history among the run
 * (every continue-as-new run of `run-<id>`) and its 1,000 `event-<id>` children, and the worker
 * process's peak RSS. The /v1 contract caps a spec at 500 targets (common/mission-spec.ts), so
 * the benchmark validates a small spec, gives it 1,000 targets and starts `declarativeRunWorkflow`
 * through the Temporal client with the rows the API would have written (docs/benchmark.md).
 * Alone: `npx tsx bench/missions.ts [--quick]` (merges `mission` into bench/results/latest.json).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { runWorkflowId } from '../common/missions';
import { planOf, validateSpec, type SpecTarget } from '../common/mission-spec';
import { createDb, prepareDb } from '../infra/db';
import { freePort, startDevServer } from '../infra/dev-server';
import { WORKER_NODE_ARGS } from '../infra/worker-args';
import { applyMigrations } from '../prisma/migrate';
import type { DeclarativeRunInput } from '../workflows/missions/messages';

export interface MissionResults {
  targets: number;
  seconds: number;
  max_history_events: number;
  /** Which workflow had it, e.g. `run-… (run 3 of 4)`. */
  max_history_workflow: string;
  run_histories: number[];
  worker_rss_mb: number;
  status: string;
  /** The run's own summary (`all targets done` when every call went through). */
  summary: string;
}

const ROOT = path.resolve(__dirname, '..');
const TARGETS = Number(process.env.PARLEY_BENCH_MISSION_TARGETS ?? 1000);
const LINES = Array.from({ length: 10 }, (_, i) => `+155501002${String(i).padStart(2, '0')}`);
/**
 * Plan time runs ahead of the clock: 100 batches of 10 × 30 s spacing put the last batch ~8 h
 * out, and each event sleeps (scheduled_at − now) × scale; ×0.000001 keeps that under 30 ms.
 */
const TIME_SCALE = 0.000001;

function rssMb(pid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
  } catch {
    return 0;
  }
}

/** Runs up to `n` of `tasks` at once. */
async function pooled<T>(items: T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

export async function missionBench(opts: { temporalAddress: string }): Promise<MissionResults> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-mission-'));
  const databaseUrl = `file:${path.join(dir, 'mission.db')}`;
  const taskQueue = `bench-mission-${randomUUID()}`;
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl);
  await prepareDb(db, databaseUrl);
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    DATABASE_URL: databaseUrl,
    PARLEY_TASK_QUEUE: taskQueue,
    PARLEY_LINES: JSON.stringify(LINES.map((number) => ({ number, driver: 'sim' }))),
    // Insights need a language model; the echo responder declines at once (the event still completes).
    PARLEY_LLM_ENGINE: 'echo',
    PARLEY_LOG_LEVEL: 'warn',
  };
  const worker = fork(path.join(__dirname, 'worker.ts'), ['--missions'], { env, execArgv: [...WORKER_NODE_ARGS, ...(process.env.PARLEY_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PARLEY_BENCH_CPU_PROF}`] : [])], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const connection = await Connection.connect({ address: opts.temporalAddress });
  const client = new Client({ connection });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', (code) => reject(new Error(`mission bench worker exited (${code})`)));
    });
    const small = validateSpec(
      { class: 'sweep', assistant: { instructions: 'Ask for a quote.' }, schedule: { business_hours: false }, throttle: { batch_size: 10, spacing: 'PT30S' }, targets: [{ phone: '+13126000000', timezone: 'America/Chicago', kind: 'automated' }] },
      { numberZones: {} },
    );
    const targets: SpecTarget[] = Array.from({ length: TARGETS }, (_, i) => ({ name: `Firm ${i + 1}`, phone: `+1312600${String(i).padStart(4, '0')}`, timezone: 'America/Chicago', kind: 'automated' }));
    const spec = { ...small, targets };
    const [accountId, missionId, runId, assistantId] = ['bench', randomUUID(), randomUUID(), randomUUID()];
    // What POST /v1/missions writes before it starts the run (api/v1/declarative-service.ts).
    await db.assistant.create({ data: { id: assistantId, accountId, name: 'Bench assistant', instructions: 'Ask for a quote.', model: 'openai/gpt-4o', voice: 'alloy', toolsJson: '[]', featuresJson: '["telephony"]' } });
    await db.mission.create({ data: { id: missionId, accountId, name: 'Bench sweep', instructions: 'declarative', slug: 'bench-sweep', mode: 'declarative', latestRunId: runId } });
    await db.missionRun.create({ data: { id: runId, missionId, accountId, status: 'running', inputJson: '{}' } });
    let sequence = 0;
    for (const step of planOf(spec)) await db.planStep.create({ data: { id: randomUUID(), runId, stepId: step.step_id, description: step.description, sequence: ++sequence } });

    const input: DeclarativeRunInput = { runId, missionId, accountId, spec, lines: LINES, assistantId, ownerPhone: '', timeScale: TIME_SCALE };
    let peakRss = rssMb(worker.pid!);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(worker.pid!))), 500);
    const started = performance.now();
    const handle = await client.workflow.start('declarativeRunWorkflow', { taskQueue, workflowId: runWorkflowId(runId), args: [input] });
    const result = (await handle.result()) as { status: string };
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    clearInterval(sampler);

    // Every run of the continue-as-new chain, followed from the first.
    const runHistories: number[] = [];
    let max = { events: 0, workflow: '' };
    for (let execution: string | undefined = handle.firstExecutionRunId; execution; ) {
      const history: { events?: Array<{ workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null }> | null } = await client.workflow.getHandle(handle.workflowId, execution).fetchHistory();
      const events = history.events ?? [];
      runHistories.push(events.length);
      if (events.length > max.events) max = { events: events.length, workflow: `${handle.workflowId} (run ${runHistories.length})` };
      execution = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const eventIds = (await db.scheduledEvent.findMany({ where: { runId }, select: { id: true } })).map((e) => e.id);
    await pooled(eventIds, 16, async (id) => {
      const events = (await client.workflow.getHandle(`event-${id}`).fetchHistory()).events ?? [];
      if (events.length > max.events) max = { events: events.length, workflow: `event-${id}` };
    });
    const summary = (await db.missionRun.findUniqueOrThrow({ where: { id: runId } })).resultSummary ?? '';
    return { targets: TARGETS, summary, seconds, max_history_events: max.events, max_history_workflow: max.workflow, run_histories: runHistories, worker_rss_mb: peakRss, status: result.status };
  } finally {
    await connection.close();
    if (worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printMission(m: MissionResults): void {
  console.log(`mission: ${m.targets}-target sweep, instant lines, time ×${TIME_SCALE}: ${m.status} (${m.summary}) in ${m.seconds} s`);
  console.table({ mission: { seconds: m.seconds, max_history_events: m.max_history_events, worker_rss_mb: m.worker_rss_mb, run_chain: m.run_histories.length } });
}

/** The mission section on a dev server of its own (`npm run bench` and this module alone). */
export async function missionBenchAlone(): Promise<MissionResults> {
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default', ui: false });
  try {
    return await missionBench({ temporalAddress: server.address });
  } finally {
    await server.stop();
  }
}

/** Alone: the figure is merged into bench/results/latest.json. */
async function main(): Promise<void> {
  const mission = await missionBenchAlone();
  printMission(mission);
  const file = path.join(__dirname, 'results', 'latest.json');
  const latest = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...latest, mission }, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
