/**
 * `npm run bench` (add `-- --quick` for one bounded scale): what Temporal orchestration costs per
 * phone turn, measured, not assumed.
 *
 * turn:        /api/turn over real HTTP through the session workflow (worker in its own process,
 *              instant in-process providers), interleaved with the SAME pipeline (the same
 *              activity functions, database and HTTP/multipart handling) called directly without
 *              Temporal. overhead = temporal − direct, paired per turn; p50/p95/p99 over ≥1,000 turns.
 * takeover:    an agent holds the call; agent reply sent → phone's /api/turn response received.
 * fanout:      50 agents on the agent WebSocket watch 100 calls; event lag = event timestamp →
 *              received by an agent (the event hub polls the database every event_poll_ms).
 * concurrency: N simulated calls, one turn per second each; p95 overhead (latency − direct p50),
 *              errors, worker RSS.
 * floor:       the same load on a bare workflow (bench/floor-workflow.ts): one update per second
 *              running 5 (a turn's stage count) or 0 no-op local activities; Temporal alone. And
 *              the takeover's floor: an answer update → the waiting update completes.
 * Everything shares this machine's cores: the dev server, the worker, the API and the load.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import WebSocket from 'ws';
import { buildApp } from '../api/app';
import { readTurnForm } from '../api/turn-form';
import { createTurnActivities } from '../activities/turn';
import { loadConfig } from '../infra/config';
import { connectNative } from '../infra/temporal';
import { WORKER_NODE_ARGS } from '../infra/worker-args';
import { createDb, prepareDb } from '../infra/db';
import { freePort, startDevServer } from '../infra/dev-server';
import { putBlob } from '../infra/blobs';
import { applyMigrations } from '../prisma/migrate';
import { benchEngines, printEngines } from './engines';
import { instantEngines, wavSaying } from './instant-engines';
import { capacityBench, printCapacity } from './capacity';
import { printScaleOut, scaleOutBench } from './scale-out';
import { missionBenchAlone, printMission } from './missions';
import { answerFloor, endSession, floorCall, openSession, postTurn } from './load';
import { floorEndUpdate, floorTurnUpdate, floorWorkflow } from './floor-workflow';

const quick = process.argv.includes('--quick');
/** `--only=turn,capacity`: run just those sections (turn always runs: the others need its direct p50). */
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const SECTIONS = ['turn', 'takeover', 'fanout', 'concurrency', 'floor', 'capacity', 'scale_out', 'engines', 'mission'];
for (const name of only ?? []) if (!SECTIONS.includes(name)) throw new Error(`--only: unknown section "${name}" (sections: ${SECTIONS.join(', ')})`);
const want = (section: string) => !only || only.has(section);
const TURNS = Number(process.env.PARLEY_BENCH_TURNS ?? 1000);
const SCALES = quick ? [50] : [50, 100, 200];
const SECONDS_PER_SCALE = quick ? 15 : 30;
const TAKEOVER_TURNS = quick ? 100 : 300;
const FLOOR_SECONDS = 15;
const FANOUT = { agents: 50, calls: 100, seconds: quick ? 10 : 20 };
const ROOT = path.resolve(__dirname, '..');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 100) / 100;
}

function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default', ui: false });
  const port = await freePort();
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: `file:${path.join(dir, 'bench.db')}`,
    PARLEY_PORT: String(port),
    PARLEY_TASK_QUEUE: `bench-${randomUUID()}`,
    PARLEY_SESSION_TTL: '600',
    PARLEY_LOG_LEVEL: 'warn',
  };
  Object.assign(process.env, env);
  const config = loadConfig(env);
  await applyMigrations(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);

  const worker = fork(path.join(__dirname, 'worker.ts'), [], { env, execArgv: [...WORKER_NODE_ARGS, ...(process.env.PARLEY_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PARLEY_BENCH_CPU_PROF}`] : [])], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });

  const connection = await connectNative(server.address);
  const temporal = new Client({ connection });
  const app = await buildApp({ config, db, temporal, engines: instantEngines() });

  // The direct baseline: the same turn activity, no workflow, behind the same HTTP + multipart +
  // blob handling as /api/turn.
  const acts = createTurnActivities({ db, config, engines: instantEngines() });
  let directSeq = 0;
  await db.callSession.create({ data: { id: 'bench-direct', workflowId: 'none' } });
  app.post('/bench/direct-turn', async (req) => {
    const receivedAt = Date.now();
    const { fields, audio } = await readTurnForm(req);
    const base = { sessionId: 'bench-direct', turnId: randomUUID().replace(/-/g, '') };
    const audioBlobId = await putBlob(db, audio!);
    directSeq += 1;
    // The turn activity a plain turn runs (answerTurn: policy, ASR, LLM, TTS, commit), called in-process.
    const answered = await acts.answerTurn({
      ...base, callerNumber: fields.caller_number ?? '', callDirection: 'outgoing', audioBlobId, hint: '', skipAsr: false,
      authenticated: false, authAttempts: 0, history: [], summary: '', sessionInstruction: '', turnSupplement: '', context: '',
      seq: directSeq, receivedAt, requestKey: null,
    });
    if (answered.outcome !== 'committed') throw new Error(`direct turn: ${answered.outcome}`);
    const { body } = answered;
    const audioOut = await db.audioBlob.findUnique({ where: { id: answered.audioBlobId } });
    return { ...body, audio_base64: Buffer.from(audioOut!.bytes).toString('base64') };
  });
  await app.listen({ host: '127.0.0.1', port });
  const api = `http://127.0.0.1:${port}`;

  /** Bare updates on floor workflows, sequential; a fresh workflow every 90 updates, as the sessions below. */
  const openFloorTurn = async () => {
    const open = floorCall(temporal, `${env.PARLEY_TASK_QUEUE}-floor`);
    let call = await open();
    let updates = 0;
    return {
      async turn(): Promise<number> {
        if (++updates % 90 === 0) (await call.close?.(), (call = await open()));
        const r = await call.turn();
        if (!r.ok) throw new Error('floor_turn: a bare update failed');
        return r.ms;
      },
      close: () => call.close?.(),
    };
  };

  const greet = async (number: string) => {
    const res = await postTurn(`${api}/api/turn`, { reset_session: 'true', forced_reply: 'Hello.', caller_number: number, call_direction: 'outgoing' }, wavSaying(''));
    return res.body.session_id as string;
  };

  // ---- turn overhead -------------------------------------------------------------------
  process.stdout.write(`turn overhead: ${TURNS} paired turns (Temporal vs direct), each followed by a bare update (floor_turn)…\n`);
  const audio = wavSaying('I would like to move my appointment to Thursday');
  let sid = await greet('+15550109999');
  // floor_turn (Temporal's own floor: a bare update round trip, sequential) is measured here,
  // interleaved with the pairs, so `overhead / floor_turn` compares samples of the same minutes:
  // this shared machine's speed drifts by 2× within an hour (floor_turn p50 4.7 and 11.4 ms in
  // two runs of 2026-12-02), and a floor measured minutes later made the ratio drift with it.
  const floorTurn = await openFloorTurn();
  for (let i = 0; i < 20; i++) {
    await postTurn(`${api}/api/turn`, { session_id: sid, caller_number: '+15550109999', call_direction: 'outgoing' }, audio);
    await postTurn(`${api}/bench/direct-turn`, {}, audio);
    await floorTurn.turn();
  }
  const temporalMs: number[] = [];
  const directMs: number[] = [];
  const overhead: number[] = [];
  const floorMs: number[] = [];
  let turnErrors = 0;
  for (let i = 0; i < TURNS; i++) {
    if (i > 0 && i % 90 === 0) sid = await greet('+15550109999'); // fresh sessions, as calls are
    const t = await postTurn(`${api}/api/turn`, { session_id: sid, caller_number: '+15550109999', call_direction: 'outgoing', request_id: randomUUID() }, audio);
    const d = await postTurn(`${api}/bench/direct-turn`, {}, audio);
    if (!t.ok || !d.ok) turnErrors += 1;
    temporalMs.push(t.ms);
    directMs.push(d.ms);
    overhead.push(t.ms - d.ms);
    floorMs.push(await floorTurn.turn());
  }
  await floorTurn.close();
  await endSession(api, sid);
  const floorTurnResult = { n: floorMs.length, p50_ms: percentile(floorMs, 50), p95_ms: percentile(floorMs, 95) };
  const turn = {
    n: TURNS,
    errors: turnErrors,
    overhead_ms: { p50: percentile(overhead, 50), p95: percentile(overhead, 95), p99: percentile(overhead, 99) },
    direct_ms: { p50: percentile(directMs, 50), p95: percentile(directMs, 95) },
    temporal_ms: { p50: percentile(temporalMs, 50), p95: percentile(temporalMs, 95), p99: percentile(temporalMs, 99) },
  };
  const directP50 = turn.direct_ms.p50;

  const wsUrl = `ws://127.0.0.1:${port}`;
  // ---- takeover: agent reply → phone response ---------------------------------------------
  const takeover = !want('takeover') ? null : await (async () => {
  process.stdout.write(`takeover: ${TAKEOVER_TURNS} agent-answered turns…\n`);
  const holder = await openSocket(`${wsUrl}/api/agent/ws?name=bench`);
  const takeoverSid = await openSession(api);
  const pendingRequests: Array<(m: Record<string, unknown>) => void> = [];
  holder.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    if (m.type === 'turn.request') pendingRequests.shift()?.(m);
  });
  await new Promise<void>((resolve) => {
    holder.on('message', function acked(raw) {
      if (JSON.parse(String(raw)).type === 'takeover.ack') (holder.off('message', acked), resolve());
    });
    holder.send(JSON.stringify({ type: "takeover", session_id: takeoverSid }));
  });
  const replyToPhone: number[] = [];
  // Its no-stage floor (an answer update → the waiting update completes), interleaved as
  // floor_turn is above: one after each agent-answered turn.
  const asker = await temporal.workflow.start(floorWorkflow, { taskQueue: `${env.PARLEY_TASK_QUEUE}-floor`, workflowId: `floor-takeover-interleaved-${randomUUID()}` });
  const answeredFloor: number[] = [];
  let asked = 0;
  let takeoverErrors = 0;
  for (let i = 0; i < TAKEOVER_TURNS + 10; i++) {
    const requested = new Promise<Record<string, unknown>>((resolve) => pendingRequests.push(resolve));
    const phoneAnswer = postTurn(`${api}/api/turn`, { session_id: takeoverSid, caller_number: '+15550108888', call_direction: 'outgoing', request_id: randomUUID() }, audio);
    const request = await requested;
    const sent = performance.now();
    holder.send(JSON.stringify({ reply: 'Agent here.', request_id: request.request_id }));
    const answer = await phoneAnswer;
    const repliedMs = performance.now() - sent;
    const floorMs = await answerFloor(asker, 0, ++asked);
    if (i < 10) continue; // warm-up
    if (!answer.ok || answer.body.model !== 'agent') takeoverErrors += 1;
    replyToPhone.push(repliedMs);
    answeredFloor.push(floorMs);
  }
  holder.close();
  await endSession(api, takeoverSid);
  await asker.executeUpdate(floorEndUpdate);
    return {
      n: replyToPhone.length,
      errors: takeoverErrors,
      reply_to_phone_ms: { p50: percentile(replyToPhone, 50), p95: percentile(replyToPhone, 95) },
      floor_ms: { p50: percentile(answeredFloor, 50), p95: percentile(answeredFloor, 95) },
    };
  })();

  // ---- fanout: agents watching concurrent calls --------------------------------------------
  const fanout = !want('fanout') ? null : await (async () => {
  process.stdout.write(`fanout: ${FANOUT.agents} agents watching ${FANOUT.calls} calls (one turn per second each), ${FANOUT.seconds} s…\n`);
  const lags: number[] = [];
  let measuring = false;
  const watchers = await Promise.all(Array.from({ length: FANOUT.agents }, (_, i) => openSocket(`${wsUrl}/api/agent/ws?name=watcher-${i}`)));
  for (const w of watchers) {
    w.on('message', (raw) => {
      const now = Date.now();
      const m = JSON.parse(String(raw));
      // Lag: the event's timestamp (when its writer inserted it) → this agent has parsed it.
      if (measuring && typeof m.seq === 'number' && typeof m.timestamp === 'number') lags.push(now - m.timestamp * 1000);
    });
  }
  let fanoutErrors = 0;
  const fanoutSessions: string[] = [];
  measuring = true;
  const fanoutStop = Date.now() + FANOUT.seconds * 1000;
  await Promise.all(
    Array.from({ length: FANOUT.calls }, async (_, c) => {
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      const sessionId = await openSession(api);
      while (Date.now() < fanoutStop) {
        const next = Date.now() + 1000;
        const res = await postTurn(`${api}/api/turn`, { session_id: sessionId, caller_number: `+1555030${String(c).padStart(4, '0')}`, call_direction: 'outgoing', request_id: randomUUID() }, audio);
        if (!res.ok) fanoutErrors += 1;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
      fanoutSessions.push(sessionId);
    }),
  );
  await new Promise((r) => setTimeout(r, 1000)); // let the last events arrive
  measuring = false;
  for (const w of watchers) w.close();
  await Promise.all(fanoutSessions.map((id) => endSession(api, id)));
    return { agents: FANOUT.agents, calls: FANOUT.calls, events_delivered: lags.length, turn_errors: fanoutErrors, event_lag_ms: { p50: percentile(lags, 50), p95: percentile(lags, 95) } };
  })();

  // ---- concurrency ---------------------------------------------------------------------
  const concurrency = !want('concurrency') ? null : await (async () => {
  const concurrency: Array<Record<string, number>> = [];
  for (const calls of SCALES) {
    process.stdout.write(`concurrency: ${calls} calls, one turn per second each, ${SECONDS_PER_SCALE} s…\n`);
    const latencies: number[] = [];
    let errors = 0;
    const samples: string[] = [];
    let peakRss = rssMb(worker.pid!);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(worker.pid!))), 500);
    const sessions: string[] = []; // ended after the step, as the app ends a call when it hangs up
    const stopAt = Date.now() + SECONDS_PER_SCALE * 1000;
    await Promise.all(
      Array.from({ length: calls }, async (_, c) => {
        const number = `+1555020${String(c).padStart(4, '0')}`;
        await new Promise((r) => setTimeout(r, Math.random() * 1000)); // calls do not start in lockstep
        // Each simulated call is its own phone: a greeting (reset, no sid) would supersede the
        // other open sessions of the one default phone identity, so calls open a session first.
        const session = await openSession(api);
        while (Date.now() < stopAt) {
          const next = Date.now() + 1000;
          const res = await postTurn(`${api}/api/turn`, { session_id: session, caller_number: number, call_direction: 'outgoing', request_id: randomUUID() }, audio);
          latencies.push(res.ms);
          if (!res.ok) {
            errors += 1;
            if (samples.length < 5) samples.push(JSON.stringify(res.body).slice(0, 300));
          }
          await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
        }
        sessions.push(session);
      }),
    );
    clearInterval(sampler);
    await Promise.all(sessions.map((id) => endSession(api, id)));
    if (samples.length) process.stdout.write(`  sample errors:\n    ${samples.join('\n    ')}\n`);
    concurrency.push({
      calls,
      turns: latencies.length,
      p50_ms: percentile(latencies, 50),
      p95_ms: percentile(latencies, 95),
      p95_overhead_ms: Math.round((percentile(latencies, 95) - directP50) * 100) / 100,
      errors,
      worker_rss_mb: peakRss,
    });
  }
    return concurrency;
  })();

  // ---- floor: Temporal alone, same load, no Parley work -----------------------------------
  const floorSection = !want('floor') ? null : await (async () => {
  const FLOOR_STAGES = [5, 0];
  const floor: Array<Record<string, number>> = [];
  for (const calls of SCALES) {
    for (const stages of FLOOR_STAGES) {
      process.stdout.write(`floor: ${calls} bare workflows, one update with ${stages} no-op local activities per second each, ${FLOOR_SECONDS} s…\n`);
      const handles = await Promise.all(
        Array.from({ length: calls }, (_, c) =>
          temporal.workflow.start(floorWorkflow, { taskQueue: `${env.PARLEY_TASK_QUEUE}-floor`, workflowId: `floor-${calls}-${stages}-${c}-${randomUUID()}` }),
        ),
      );
      const latencies: number[] = [];
      let errors = 0;
      const stopAt = Date.now() + FLOOR_SECONDS * 1000;
      await Promise.all(
        handles.map(async (handle) => {
          await new Promise((r) => setTimeout(r, Math.random() * 1000));
          while (Date.now() < stopAt) {
            const next = Date.now() + 1000;
            const started = performance.now();
            try {
              await handle.executeUpdate(floorTurnUpdate, { args: [stages] });
            } catch {
              errors += 1;
            }
            latencies.push(performance.now() - started);
            await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
          }
        }),
      );
      await Promise.all(handles.map((h) => h.executeUpdate(floorEndUpdate).catch(() => undefined)));
      floor.push({ calls, local_activities: stages, turns: latencies.length, p50_ms: percentile(latencies, 50), p95_ms: percentile(latencies, 95), errors });
    }
  }

  // The takeover floor: answer update sent → the waiting update completes, after the 2 no-op
  // local activities a takeover turn still runs after the reply (TTS, commit), and after none.
  const floorTakeover: Array<Record<string, number>> = [];
  const asker = await temporal.workflow.start(floorWorkflow, { taskQueue: `${env.PARLEY_TASK_QUEUE}-floor`, workflowId: `floor-takeover-${randomUUID()}` });
  let asked = 0;
  for (const stages of [2, 0]) {
    process.stdout.write(`floor: ${TAKEOVER_TURNS} answered turns, ${stages} no-op local activities after the answer…\n`);
    const samples: number[] = [];
    for (let i = 0; i < TAKEOVER_TURNS; i++) {
      samples.push(await answerFloor(asker, stages, ++asked));
    }
    floorTakeover.push({ local_activities: stages, n: samples.length, p50_ms: percentile(samples, 50), p95_ms: percentile(samples, 95) });
  }
  await asker.executeUpdate(floorEndUpdate);

    return { floor, floorTakeover };
  })();
  const floor = floorSection?.floor ?? null;
  const floorTakeover = floorSection?.floorTakeover ?? null;

  const capacity = !want('capacity') ? null : await capacityBench({ temporal, floorTaskQueue: `${env.PARLEY_TASK_QUEUE}-floor`, api, directP50, quick });
  const scaleOut = !want('scale_out') ? null : await scaleOutBench({ temporalAddress: server.address, directP50, quick });
  const engines = !want('engines') ? null : await benchEngines({ env, temporal, quick });
  // The turn sections' processes stop here, with the dev server that holds their calls: the
  // mission section runs alone, on a fresh dev server and worker of its own, so a session timer
  // or a poll left over from the load above never shares the cores with it.
  await app.close();
  await connection.close();
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await db.$disconnect();
  await server.stop();
  const mission = !want('mission') ? null : await missionBenchAlone();

  const measured = {
    generated_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? '', node: process.version, mode: quick ? 'quick' : 'full', ...(only ? { only: [...only] } : {}) },
    turn,
    takeover,
    fanout,
    concurrency,
    floor,
    floor_takeover: floorTakeover,
    floor_turn: floorTurnResult,
    ...(capacity ?? {}),
    scale_out: scaleOut,
    engines,
    mission,
  };
  // A partial run (--only) replaces just the sections it measured in latest.json.
  const latest = path.join(__dirname, 'results', 'latest.json');
  const previous = only && fs.existsSync(latest) ? (JSON.parse(fs.readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
  const results = { ...previous, ...Object.fromEntries(Object.entries(measured).filter(([, v]) => v !== null)) };
  fs.mkdirSync(path.dirname(latest), { recursive: true });
  fs.writeFileSync(latest, JSON.stringify(results, null, 2) + '\n');

  console.log('\nper-turn orchestration overhead (ms), paired, n =', turn.n, `(errors ${turn.errors})`);
  console.table({
    'temporal /api/turn': turn.temporal_ms,
    'direct pipeline': turn.direct_ms,
    'overhead (paired)': turn.overhead_ms,
  });
  console.log(`floor_turn: bare update round trip, sequential, interleaved with the pairs (ms), n = ${floorTurnResult.n}; per-turn overhead p50 = ${(turn.overhead_ms.p50 / floorTurnResult.p50_ms).toFixed(2)} × floor_turn`);
  console.table({ floor_turn: { p50: floorTurnResult.p50_ms, p95: floorTurnResult.p95_ms } });
  if (takeover) {
    console.log('takeover: agent reply sent → phone response received (ms), n =', takeover.n, `(errors ${takeover.errors})`);
    console.table({ reply_to_phone: takeover.reply_to_phone_ms, 'floor (no stages, interleaved)': takeover.floor_ms });
    console.log(`takeover reply → phone p50 = ${(takeover.reply_to_phone_ms.p50 / takeover.floor_ms.p50).toFixed(2)} × its no-stage floor`);
  }
  if (fanout) {
    console.log(`fanout: ${fanout.agents} agents × ${fanout.calls} calls, ${fanout.events_delivered} deliveries (turn errors ${fanout.turn_errors})`);
    console.table({ event_lag: fanout.event_lag_ms });
  }
  if (concurrency) {
    console.log('concurrent simulated calls (one turn per second each)');
    console.table(concurrency);
  }
  if (floor && floorTakeover) {
    console.log('floor: bare workflows, same load, one update per second each running N no-op local activities (no database, no HTTP)');
    console.table(floor);
    console.log('floor: answer update sent → the waiting update completes, then N no-op local activities');
    console.table(floorTakeover);
  }
  if (capacity) printCapacity(capacity);
  if (scaleOut) printScaleOut(scaleOut);
  if (engines) printEngines(engines);
  if (mission) printMission(mission);
  console.log(`written to ${path.relative(process.cwd(), path.join(__dirname, 'results', 'latest.json'))}`);

  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
