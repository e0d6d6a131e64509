/**
 * Scale-out, measured on this box: the topology of docker-compose.yml (one Temporal server, one
 * PostgreSQL, API replicas and workers as separate processes). Two API processes (api/server.ts)
 * share the calls; the capacity ramp of bench/capacity.ts runs with one worker process
 * (bench/worker.ts), then again after a second one joins the same task queue.
 * Needs PostgreSQL: PARLEY_BENCH_PG_URL (default the local test server); skipped without it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../infra/dev-server';
import { API_NODE_ARGS, WORKER_NODE_ARGS } from '../infra/worker-args';
import { applyMigrations } from '../prisma/migrate';
import { parleyCall, ramp, runStep, type StepResult } from './load';

export type ScaleOutResults =
  | { skipped: string }
  | {
      api_replicas: number;
      one_worker_turns_per_s: number;
      two_workers_turns_per_s: number;
      ratio: number;
      /** The most turns/s any step completed, p95 within the limit or not. */
      one_worker_saturation_turns_per_s: number;
      two_workers_saturation_turns_per_s: number;
      one_worker_steps: StepResult[];
      two_workers_steps: StepResult[];
    };

const ROOT = path.resolve(__dirname, '..');

/** A worker gets the worker's preload (WORKER_NODE_ARGS); an API replica is started as `npm start` starts it. */
function start(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const execArgv = script.startsWith('api/') ? API_NODE_ARGS : WORKER_NODE_ARGS;
  return fork(path.join(ROOT, script), [], { env, execArgv, cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench process exited (${code})`)));
  });
}

async function listening(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function scaleOutBench(opts: { temporalAddress: string; directP50: number; quick: boolean }): Promise<ScaleOutResults> {
  const adminUrl = process.env.PARLEY_BENCH_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    return { skipped: `no PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ':***@')}: ${(err as Error).message}` };
  }
  const name = `parley_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const children: ChildProcess[] = [];
  try {
    await applyMigrations(url.toString());
    const base = { ...process.env, TEMPORAL_ADDRESS: opts.temporalAddress, DATABASE_URL: url.toString(), PARLEY_TASK_QUEUE: `bench-scale-${randomUUID()}`, PARLEY_LOG_LEVEL: 'warn', PARLEY_SESSION_TTL: '600' };
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port) => `http://127.0.0.1:${port}`);
    const workerA = start('bench/worker.ts', base);
    children.push(workerA);
    await ready(workerA);
    for (const port of ports) children.push(start('api/server.ts', { ...base, PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1' }));
    await Promise.all(apis.map((api) => listening(`${api}/api/config/call`)));

    // Calls alternate between the two API replicas, as behind a load balancer.
    const open = (i: number) => parleyCall(apis[i % apis.length], i);
    // Steps of 30 s: this ramp starts at 4 turns/s, where a 10 s step held about 40 turns and
    // its p95 was the second-slowest turn (one stall decided a step).
    const rampOpts = { start: 4, factor: opts.quick ? 1.6 : 1.3, max: 600, seconds: opts.quick ? 10 : 30, limitMs: 100, baseMs: opts.directP50 };
    // Processes just started (their code not yet compiled hot, their pools not yet open) and the
    // previous section's load still draining: without a warm-up the first step measured that.
    const warmUp = () => runStep(open, { calls: rampOpts.start, seconds: 10, periodMs: 1000, baseMs: rampOpts.baseMs });
    process.stdout.write('scale-out: 2 API replicas, 1 worker, PostgreSQL (10 s warm-up, not counted)…\n');
    await warmUp();
    const one = await ramp('1 worker', open, rampOpts);
    const workerB = start('bench/worker.ts', base);
    children.push(workerB);
    await ready(workerB);
    process.stdout.write('scale-out: 2 API replicas, 2 workers (10 s warm-up, not counted)…\n');
    await warmUp();
    const two = await ramp('2 workers', open, rampOpts);
    return {
      api_replicas: 2,
      one_worker_turns_per_s: one.turns_per_s,
      two_workers_turns_per_s: two.turns_per_s,
      ratio: one.turns_per_s ? Math.round((two.turns_per_s / one.turns_per_s) * 100) / 100 : 0,
      one_worker_saturation_turns_per_s: one.saturation_turns_per_s,
      two_workers_saturation_turns_per_s: two.saturation_turns_per_s,
      one_worker_steps: one.steps,
      two_workers_steps: two.steps,
    };
  } finally {
    await Promise.all(children.map(stop));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

export function printScaleOut(r: ScaleOutResults): void {
  if ('skipped' in r) return void console.log(`scale-out: skipped (${r.skipped})`);
  console.log(`scale-out (PostgreSQL, ${r.api_replicas} API replicas): 1 worker ${r.one_worker_turns_per_s} turns/s, 2 workers ${r.two_workers_turns_per_s} turns/s (ratio ${r.ratio}); saturated: ${r.one_worker_saturation_turns_per_s} vs ${r.two_workers_saturation_turns_per_s} turns/s`);
  console.table([...r.one_worker_steps.map((s) => ({ workers: 1, ...s })), ...r.two_workers_steps.map((s) => ({ workers: 2, ...s }))]);
}
