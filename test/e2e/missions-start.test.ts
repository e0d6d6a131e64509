/**
 * Spec missions against a fresh `npm start` with simulated lines: a multi_round run whose gate
 * is approved over /v1/approvals while /v1/stream carries its events; then M56 for declarative
 * missions: a 200-target `sweep` during which the worker, the API and the Temporal dev server are
 * each SIGKILLed and restarted (the dev server on its own SQLite file, so it keeps its state).
 * The run must end `succeeded`, and the simulated lines' own log (PARLEY_SIM_DIAL_LOG: one line per
 * dial the line takes, appended synchronously by the worker) must hold exactly as many dials per
 * target as the run counted attempts: none dialled twice for one attempt, none missed.
 * Waits run ×0.0001 (PARLEY_MISSION_TIME_SCALE); simulated calls run at the `fast` pace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { waitForFrontend } from '../../infra/dev-server';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { ROOT, TMP_DIR } from '../support/paths';

jest.setTimeout(600_000);

type Obj = Record<string, any>;
let llm: FakeOpenAIServer;
let parley: Started;
let key: string;
let base: string;
let temporalPort: number;
let dialLog: string;
/** The dev server this test restarted after killing the supervisor's (stopped in afterAll). */
let devServer: ChildProcess | null = null;

/**
 * 200 Chicago callees, in turns: one answers and quotes (a real simulated call through the API's
 * voice turns), one is busy, one never answers, one fails; the unreached get every attempt.
 */
const TARGETS = Array.from({ length: 200 }, (_, i) => ({ name: `Firm ${i + 1}`, phone: `+1312555${1000 + i}`, timezone: 'America/Chicago', kind: 'automated' }));
const behaviourOf = (i: number) => (['answer', 'busy', 'no-answer', 'failed'] as const)[i % 4];
const MAX_ATTEMPTS = 2;
/** Ten lines for batches of ten: each call of a batch has a line to itself. */
const LINES = Array.from({ length: 10 }, (_, i) => `+155501001${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply((messages) => (messages[0]?.content.startsWith('You extract insights') ? '{"summary": "Quoted 90 dollars", "price_usd": 90}' : 'Thanks, goodbye.'));
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const personas = path.join(TMP_DIR, `missions-start-personas-${process.pid}.json`);
  const book: Obj = { default: { name: 'Quick quote', lines: ['We charge ninety dollars.'] } };
  TARGETS.forEach((t, i) => {
    if (behaviourOf(i) !== 'answer') book[t.phone] = { name: `Never reached ${i}`, lines: ['-'], behaviour: behaviourOf(i) };
  });
  fs.writeFileSync(personas, JSON.stringify(book));
  dialLog = path.join(TMP_DIR, `missions-start-dials-${process.pid}.jsonl`);
  fs.writeFileSync(dialLog, '');
  const ports = await embeddedEnv({
    PARLEY_SIM_DIAL_LOG: dialLog,
    PARLEY_SIM_PACE: 'fast',
    PARLEY_SIM_PERSONAS: personas,
    PARLEY_LINES: JSON.stringify(LINES.map((number) => ({ number, driver: 'sim' }))),
    PARLEY_LLM_BASE_URL: llm.url,
    PARLEY_ASR_BASE_URL: llm.url,
    PARLEY_TTS_BASE_URL: llm.url,
    PARLEY_MISSION_TIME_SCALE: '0.0001',
    PARLEY_OWNER_PHONE: '+15550109999',
    PARLEY_LOG_LEVEL: 'info',
    // A session whose simulated phone died with a killed worker ends 5 s later rather than 60.
    PARLEY_SESSION_TTL: '5',
  });
  temporalPort = ports.temporalPort;
  const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'parley.js'), 'keys', 'create', '--name', 'missions-start'], { env: ports.env, encoding: 'utf8' });
  key = out.trim().split('\n').at(-1)!;
  parley = await npmStart(ports.env);
  base = `http://127.0.0.1:${ports.port}`;
});

afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
  if (devServer && devServer.exitCode === null && devServer.signalCode === null) {
    const exited = new Promise((r) => devServer!.once('exit', r));
    devServer.kill('SIGTERM');
    await exited;
  }
  await llm?.close();
});

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: Obj }> {
  const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** Polls `read` until `done`; a read that throws (a process being restarted) is retried. Fails naming what it waited for. */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'nothing read yet';
  for (;;) {
    try {
      const v = await read();
      if (done(v)) return v;
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}; last read: ${JSON.stringify(last)?.slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The simulated lines' dial log: the number of every dial any worker incarnation's lines took. */
function dials(): string[] {
  return fs
    .readFileSync(dialLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { number: string }).number);
}

const runPath = (m: Obj) => `/v1/missions/${m.id}/runs/${m.run_id}`;
const TERMINAL = ['succeeded', 'failed', 'cancelled'];

test('a multi_round gate approved over /v1/approvals; /v1/stream carries the run with rising seq', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream`, { headers: { authorization: `Bearer ${key}` } });
  const messages: Obj[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  await until('the stream to be ready', async () => messages, (m) => m.some((x) => x.type === 'ready'), 30_000);
  const targets = [TARGETS[0], TARGETS[4]]; // two that answer
  const created = await call('POST', '/v1/missions', { name: 'Rounds', instructions: 'declarative', spec: { class: 'multi_round', assistant: { instructions: 'Ask for a quote.' }, schedule: { business_hours: false, avoid: [] }, throttle: { spacing: 'PT30S' }, targets } });
  expect(created.status).toBe(201);
  const m = created.body.data;
  const pending = await until('the gate to be pending in /v1/approvals', () => call('GET', '/v1/approvals?status=pending').then((r) => r.body.data as Obj[]), (a) => a.length === 1, 120_000);
  expect((await call('POST', `/v1/approvals/${pending[0].request_id}/approve`, {})).status).toBe(200);
  const run = await until('the run to end', () => call('GET', runPath(m)).then((r) => r.body.data as Obj), (r) => TERMINAL.includes(r.status), 120_000);
  expect(run.status).toBe('succeeded');
  expect(run.result_payload.gates).toEqual([expect.objectContaining({ gate_id: 'gate_1', status: 'approved' })]);
  // Round 1 and round 2 each called both targets.
  expect(run.result_payload.targets.map((t: Obj) => [t.state, t.attempts])).toEqual([
    ['completed', 2],
    ['completed', 2],
  ]);
  const events = (await until('the stream to carry run_status succeeded', async () => messages, (ms) => ms.some((x) => x.event?.kind === 'run_status' && x.event.data.status === 'succeeded'), 30_000)).filter(
    (x) => x.type === 'event' && x.run_id === m.run_id,
  );
  ws.close();
  for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
  const kinds = new Set(events.map((x) => x.event.kind));
  for (const kind of ['step_status', 'event_status', 'approval_requested', 'approval_decided', 'run_status']) expect(kinds).toContain(kind);
});

/** SIGKILLs the dev server and starts it again on the same port and SQLite file (its state survives). */
async function killAndRestartDevServer(): Promise<void> {
  const pid = childRunning(parley, 'start-dev');
  expect(pid).toBeDefined();
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  expect(argv).toContain('--db-filename');
  process.kill(pid!, 'SIGKILL');
  await until('the killed dev server to be gone', async () => fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), (alive) => !alive, 30_000);
  devServer = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  await waitForFrontend(`127.0.0.1:${temporalPort}`, 90_000);
}

test('M56: a 200-target sweep survives SIGKILLs of the worker, the API and the dev server: succeeded, one dial per attempt per target', async () => {
  const before = dials().length;
  const spec = { class: 'sweep', assistant: { instructions: 'Ask for a quote.' }, schedule: { business_hours: false, avoid: [] }, throttle: { batch_size: 10, spacing: 'PT30S' }, retry: { max_attempts: { automated: MAX_ATTEMPTS } }, targets: TARGETS };
  const created = await call('POST', '/v1/missions', { name: 'Sweep under kills', instructions: 'declarative', spec });
  expect(created.status).toBe(201);
  const m = created.body.data;
  const progressed = (n: number, what: string) => until(`${n} dials (${what})`, async () => dials().length - before, (d) => d >= n, 240_000);

  // 50 answered once + 150 unreached × 2 = 350 dials if nothing is disturbed; the kills fall in between.
  const started = Date.now();
  await progressed(60, 'before killing the worker');
  process.kill(childRunning(parley, 'worker/main.ts')!, 'SIGKILL');
  let at = dials().length - before;
  await progressed(at + 60, 'after the worker restart');
  process.kill(childRunning(parley, 'api/server.ts')!, 'SIGKILL');
  at = dials().length - before;
  await progressed(at + 50, 'after the API restart');
  await killAndRestartDevServer();
  at = dials().length - before;
  await progressed(at + 30, 'after the dev server restart');

  const run = await until('the sweep to end', () => call('GET', runPath(m)).then((r) => (r.status === 200 ? (r.body.data as Obj) : Promise.reject(new Error(`HTTP ${r.status}`)))), (r) => TERMINAL.includes(r.status), 420_000);
  expect(run.status).toBe('succeeded');

  const counted = new Map<string, number>();
  for (const number of dials().slice(before)) counted.set(number, (counted.get(number) ?? 0) + 1);
  const attempts = new Map<string, number>(run.result_payload.targets.map((t: Obj) => [t.phone, t.attempts]));
  const mismatched = TARGETS.filter((t) => counted.get(t.phone) !== attempts.get(t.phone)).map((t) => `${t.phone}: ${counted.get(t.phone) ?? 0} dialled, ${attempts.get(t.phone)} attempts`);
  expect(mismatched).toEqual([]);
  // Nobody missed; the unreachable ones got every attempt the spec allows, no more.
  expect(TARGETS.filter((t) => !counted.get(t.phone)).map((t) => t.phone)).toEqual([]);
  const unreached = TARGETS.filter((_, i) => behaviourOf(i) !== 'answer');
  expect(unreached.map((t) => counted.get(t.phone))).toEqual(unreached.map(() => MAX_ATTEMPTS));
  expect([...counted.keys()].filter((n) => !attempts.has(n))).toEqual([]);
  const reached = run.result_payload.targets.filter((t: Obj) => t.state === 'completed').length;
  expect(reached).toBeGreaterThanOrEqual(40);
  console.log(`M56 sweep: ${run.status} in ${Math.round((Date.now() - started) / 1000)} s, ${dials().length - before} dials, ${reached} of 200 reached`);
});
