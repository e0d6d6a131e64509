/**
 * Closed-loop load for the capacity benchmarks: N calls, each sending one turn every `periodMs`
 * (or as soon as its previous turn is answered, if that took longer: a phone never has two turns
 * in flight), for a fixed time. A call is anything with a `turn()`: a Parley session over HTTP,
 * or a bare workflow's update (the floor).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { floorAnswerUpdate, floorAskUpdate, floorEndUpdate, floorTurnUpdate, floorWorkflow } from './floor-workflow';
import { wavSaying } from './instant-engines';

export interface TurnOutcome {
  ms: number;
  /** HTTP status, or 0 for a transport failure / a failed update. */
  status: number;
  ok: boolean;
}

export interface Call {
  turn(): Promise<TurnOutcome>;
  close?(): Promise<void>;
}

export interface StepResult {
  calls: number;
  offered_per_s: number;
  turns: number;
  turns_per_s: number;
  p50_ms: number;
  p95_ms: number;
  /** p95 latency minus the work a turn does anyway (the direct pipeline's p50; 0 for the floor). */
  p95_overhead_ms: number;
  errors: number;
  errors_5xx: number;
  /** Turns answered after the 40 s turn budget (contract §2.4). */
  over_budget: number;
}

export const TURN_BUDGET_MS = 40_000;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 100) / 100;
}

const round = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `calls` calls for `seconds`, one turn per `periodMs` each; calls start spread over one period. */
export async function runStep(open: (index: number) => Promise<Call>, opts: { calls: number; seconds: number; periodMs: number; baseMs: number }): Promise<StepResult> {
  const calls = await Promise.all(Array.from({ length: opts.calls }, (_, i) => open(i)));
  const latencies: number[] = [];
  let errors = 0;
  let errors5xx = 0;
  let overBudget = 0;
  const started = Date.now();
  const stopAt = started + opts.seconds * 1000;
  await Promise.all(
    calls.map(async (call) => {
      await sleep(Math.random() * opts.periodMs);
      while (Date.now() < stopAt) {
        const next = Date.now() + opts.periodMs;
        const r = await call.turn();
        latencies.push(r.ms);
        if (!r.ok) errors += 1;
        if (r.status >= 500) errors5xx += 1;
        if (r.ms > TURN_BUDGET_MS) overBudget += 1;
        await sleep(Math.max(0, next - Date.now()));
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  await Promise.all(calls.map((c) => (c.close ? c.close() : Promise.resolve())));
  const p95 = percentile(latencies, 95);
  return {
    calls: opts.calls,
    offered_per_s: round(opts.calls / (opts.periodMs / 1000)),
    turns: latencies.length,
    turns_per_s: round(latencies.length / elapsed),
    p50_ms: percentile(latencies, 50),
    p95_ms: p95,
    p95_overhead_ms: round(p95 - opts.baseMs),
    errors,
    errors_5xx: errors5xx,
    over_budget: overBudget,
  };
}

export interface RampOptions {
  start: number;
  factor: number;
  max: number;
  seconds: number;
  baseMs: number;
  limitMs: number;
  /** Bisection steps after the geometric ramp (default 2). */
  refine?: number;
}

export interface RampResult {
  turns_per_s: number;
  saturation_turns_per_s: number;
  steps: Array<StepResult & { refine?: true }>;
}

/**
 * The ramp: more calls (one turn per second each), ×`factor` a step, until p95 overhead passes
 * `limitMs` or a turn fails; then `refine` more steps bisect the calls between the last step that
 * held and the first that did not, so capacity is not off by up to one factor (30 %) at whichever
 * side of a step the limit happens to fall. Capacity = the most turns/s a passing step completed.
 * `run` is runStep; tests give it a model of the system.
 */
export async function ramp(label: string, open: (index: number) => Promise<Call>, opts: RampOptions, run: typeof runStep = runStep): Promise<RampResult> {
  return (await ramps([{ label, open, opts }], run))[0];
}

/**
 * Several ramps with their steps taken in turn (one step of each, then the next of each), so that
 * ramps compared by a ratio see the same minutes of a machine whose speed drifts by 2× within an
 * hour. A ramp that is done (failed and refined) drops out; the others go on.
 */
export async function ramps(list: Array<{ label: string; open: (index: number) => Promise<Call>; opts: RampOptions }>, run: typeof runStep = runStep): Promise<RampResult[]> {
  const states = list.map((r) => ({ ...r, steps: [] as RampResult['steps'], capacity: 0, held: 0, failed: 0, next: r.opts.start as number | null, refined: 0 }));
  type State = (typeof states)[number];
  // The next step of a ramp: geometric until one fails, then the bisection; null when done.
  const following = (r: State, calls: number, ok: boolean): number | null => {
    if (ok && !r.failed) {
      const next = Math.ceil(calls * r.opts.factor);
      if (next <= r.opts.max) return next;
    }
    const canRefine = r.refined < (r.opts.refine ?? 2) && r.held > 0 && r.failed > r.held + 1;
    return canRefine ? Math.round((r.held + r.failed) / 2) : null;
  };
  while (states.some((r) => r.next !== null)) {
    for (const r of states) {
      if (r.next === null) continue;
      const calls = r.next;
      const refine = r.failed > 0;
      if (refine) r.refined += 1;
      const result = await run(r.open, { calls, seconds: r.opts.seconds, periodMs: 1000, baseMs: r.opts.baseMs });
      r.steps.push(refine ? { ...result, refine: true } : result);
      const ok = result.errors === 0 && result.p95_overhead_ms <= r.opts.limitMs;
      process.stdout.write(`  ${r.label}: ${calls} calls${refine ? ' (refine)' : ''} → ${result.turns_per_s} turns/s, p95 overhead ${result.p95_overhead_ms} ms, errors ${result.errors}\n`);
      if (ok) {
        r.capacity = Math.max(r.capacity, result.turns_per_s);
        r.held = Math.max(r.held, calls);
      } else r.failed = r.failed ? Math.min(r.failed, calls) : calls;
      r.next = following(r, calls, ok);
    }
  }
  // The most any step completed, within the limit or not: what the system does when saturated.
  return states.map((r) => ({ turns_per_s: r.capacity, saturation_turns_per_s: Math.max(...r.steps.map((s) => s.turns_per_s)), steps: r.steps }));
}

/**
 * A turn's multipart/form-data body, as the app sends it (fields, then the WAV as `audio`),
 * encoded in one Buffer. The load generator shares the machine's cores with what it measures:
 * encoding through FormData and Blob streams cost it about twice the CPU per turn.
 */
export function multipartTurn(fields: Record<string, string>, audio: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----parley-bench-${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="turn.wav"\r\nContent-Type: audio/wav\r\n\r\n`), audio, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One caller utterance the instant ASR hears. */
export const UTTERANCE = wavSaying('I would like to move my appointment to Thursday');

/**
 * The load side's HTTP client: node:http on keep-alive sockets. The load generator shares the
 * machine's cores with what it measures, and fetch (undici) cost it about 1 ms more CPU a turn
 * (4.4 against 5.4–5.6 ms for the API and load together, 70 calls, docs/benchmark.md).
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

export interface Posted {
  status: number;
  /** The parsed JSON answer ({} when the body was not JSON). */
  body: Record<string, unknown>;
}

/** POSTs `body` and reads the JSON answer; a transport failure rejects. */
export function post(url: string, body: Buffer | string, contentType: string): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          // not JSON: the status says what happened
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** POSTs a JSON body (or none) and reads the JSON answer. */
export function postJson(url: string, body: unknown = {}): Promise<Posted> {
  return post(url, JSON.stringify(body), 'application/json');
}

/** A new Parley session, as the app opens one for a call. */
export async function openSession(api: string): Promise<string> {
  const { status, body } = await postJson(`${api}/api/session/new`);
  if (typeof body.session_id !== 'string') throw new Error(`bench: /api/session/new answered ${status}`);
  return body.session_id;
}

/** One turn as the app posts it (multipart fields and the WAV) to `url` (/api/turn), timed; never rejects. */
export async function postTurn(url: string, fields: Record<string, string>, audio: Buffer): Promise<TurnOutcome & { body: Record<string, unknown> }> {
  const form = multipartTurn(fields, audio);
  const t = performance.now();
  try {
    const res = await post(url, form.body, form.contentType);
    return { ms: performance.now() - t, status: res.status, ok: res.status >= 200 && res.status < 300 && res.body.ok === true, body: res.body };
  } catch (err) {
    return { ms: performance.now() - t, status: 0, ok: false, body: { error: String(err) } };
  }
}

/** A Parley call over HTTP: a session of its own on `api`, then multipart turns as the app sends them. */
export async function parleyCall(api: string, index: number): Promise<Call> {
  const sessionId = await openSession(api);
  const number = `+1555040${String(index % 10_000).padStart(4, '0')}`;
  const call: Call = {
    turn: () => postTurn(`${api}/api/turn`, { session_id: sessionId, caller_number: number, call_direction: 'outgoing', request_id: randomUUID() }, UTTERANCE),
  };
  // A session's first turn (the app's greeting) loads caller history and the mission setup: not
  // the steady state the ramp measures.
  await call.turn();
  call.close = () => endSession(api, sessionId);
  return call;
}

/**
 * Ends a session as the app does when the caller hangs up. A session left open ends only when it
 * has been idle for session_ttl (600 s in the benchmark): hundreds of calls of one section would
 * then end together ten minutes later, in the middle of whatever section runs then.
 */
export async function endSession(api: string, sessionId: string): Promise<void> {
  // A session that did not end would bring back the timeout burst: say so rather than stop the run.
  const ended = await postJson(`${api}/api/session/end`, { session_id: sessionId })
    .then((r) => r.status === 200 && r.body.ok === true)
    .catch(() => false);
  if (!ended) process.stderr.write(`bench: session ${sessionId} did not end\n`);
}

/** The floor's call: a bare workflow (bench/floor-workflow.ts) driven by updates that run no local activity. */
export function floorCall(temporal: Client, taskQueue: string) {
  return async (): Promise<Call> => {
    const handle = await temporal.workflow.start(floorWorkflow, { taskQueue, workflowId: `floor-${randomUUID()}` });
    const call: Call = {
      async turn() {
        const t = performance.now();
        try {
          await handle.executeUpdate(floorTurnUpdate, { args: [0] });
          return { ms: performance.now() - t, status: 200, ok: true };
        } catch {
          return { ms: performance.now() - t, status: 0, ok: false };
        }
      },
      close: () => handle.executeUpdate(floorEndUpdate).catch(() => undefined),
    };
    await call.turn(); // the first update runs the workflow's first task: a start, not a turn
    return call;
  };
}

/**
 * The takeover's floor, once: a question pending on `asker` (as a turn.request is), then the
 * answer update; ms from the answer sent to the waiting update complete, after `stages` no-op
 * local activities. `id` counts the questions asked of this workflow, from 1.
 */
export async function answerFloor(asker: WorkflowHandle<typeof floorWorkflow>, stages: number, id: number): Promise<number> {
  const waiting = asker.executeUpdate(floorAskUpdate, { args: [stages] });
  await sleep(30);
  const started = performance.now();
  await asker.executeUpdate(floorAnswerUpdate, { args: [id] });
  await waiting;
  return performance.now() - started;
}
