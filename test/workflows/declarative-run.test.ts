/**
 * declarativeRunWorkflow on the real dev server with in-memory activities (scripted callees,
 * insights by number): the five classes, gates approved/denied/timed out, early stop, pause and
 * resume, cancel, the E09 failure sequence, and continue-as-new between batches.
 */
import { randomUUID } from 'node:crypto';
import { Client, WorkflowHandle } from '@temporalio/client';
import type { AttemptOutcome } from '../../common/missions';
import { validateSpec } from '../../common/mission-spec';
import { approvalWorkflowId } from '../../common/missions';
import { decideApprovalUpdate, type DeclarativeRunInput, updateRunUpdate } from '../../workflows/missions/messages';
import { connectTestClient, createTestWorker } from '../support/temporal';

let client: Client;
beforeAll(async () => {
  client = await connectTestClient();
});
afterAll(async () => client.connection.close());

type Script = Array<AttemptOutcome['call_status'] | 'voicemail'>;

/** An in-memory world: callees answer per script, say what their facts are; every write is kept. */
function world(callees: Record<string, { script?: Script; facts?: Record<string, unknown> }>) {
  const events = new Map<string, { to: string; status: string; retryCount: number; callStatus: string | null; conversationId: string | null; stepId: string; scheduledAt: number }>();
  const calls = new Map<string, string>();
  const insights = new Map<string, Record<string, unknown>>();
  const steps = new Map<string, string>();
  const log: string[] = [];
  const dials: Array<{ to: string; instructions?: string | null; at: number }> = [];
  const approvals = new Map<string, { gateId: string; status: string }>();
  const sms: Array<{ to: string; text: string }> = [];
  let run: { status?: string; payload?: any; result?: any; error?: any } = {};
  let live = 0;
  let maxLive = 0;
  const activities = {
    async placeCall(input: { callId: string; eventId: string | null; to: string; instructions?: string | null }): Promise<AttemptOutcome> {
      dials.push({ to: input.to, instructions: input.instructions, at: Date.now() });
      live += 1;
      maxLive = Math.max(maxLive, live);
      await new Promise((r) => setTimeout(r, 30));
      live -= 1;
      const next = callees[input.to]?.script?.shift() ?? 'completed';
      calls.set(input.callId, input.to);
      if (input.eventId) Object.assign(events.get(input.eventId)!, { callStatus: next === 'voicemail' ? 'completed' : next, conversationId: input.callId });
      return next === 'voicemail' ? { call_status: 'completed', outcome: 'voicemail', call_id: input.callId } : { call_status: next, outcome: next === 'completed' ? 'answered' : null, call_id: input.callId };
    },
    async readCallOutcome() {
      return null;
    },
    async sendSms(input: { to: string; text: string }) {
      sms.push({ to: input.to, text: input.text });
      return { ok: true, detail: 'sent' };
    },
    async extractInsights(input: { callId: string; template?: { schema: unknown } }) {
      const facts = callees[calls.get(input.callId)!]?.facts ?? {};
      insights.set(input.callId, { summary: 'ok', ...facts });
      return { status: 'completed', result: 'ok' };
    },
    async saveEventState(patch: { eventId: string; status?: string; retryCount?: number }) {
      const e = events.get(patch.eventId)!;
      if (patch.status) e.status = patch.status;
      if (patch.retryCount !== undefined) e.retryCount = patch.retryCount;
    },
    async syncStep() {
      throw new Error('a declarative event must not sync steps');
    },
    async logRunEvent() {},
    async saveRun(input: { status?: string }) {
      if (input.status) run.status = input.status;
    },
    async runHasOpenEvents() {
      return false;
    },
    async saveApproval(input: { approvalId: string; status: string }) {
      approvals.get(input.approvalId)!.status = input.status;
    },
    async prepareRun() {
      return { instructions: 'Ask for the price.' };
    },
    async setStep(input: { stepId: string; status: string }) {
      steps.set(input.stepId, input.status);
      log.push(`step:${input.stepId}:${input.status}`);
    },
    async logDecision(input: { type: string; summary: string }) {
      log.push(`${input.type}:${input.summary}`);
    },
    async logDecisions(input: { entries: Array<{ type: string; summary: string }> }) {
      for (const e of input.entries) log.push(`${e.type}:${e.summary}`);
    },
    async createTargetEvents(input: { stepId: string; items: Array<{ eventId: string; to: string; scheduledAt: number }> }) {
      for (const i of input.items) if (!events.has(i.eventId)) events.set(i.eventId, { to: i.to, status: 'pending', retryCount: 0, callStatus: null, conversationId: null, stepId: input.stepId, scheduledAt: i.scheduledAt });
    },
    async readTargets(input: { eventIds: string[] }) {
      return input.eventIds.map((id) => {
        const e = events.get(id)!;
        return { eventId: id, status: e.status, retryCount: e.retryCount, callStatus: e.callStatus, conversationId: e.conversationId, insights: (e.conversationId && e.status === 'completed' && insights.get(e.conversationId)) || null };
      });
    },
    async createGateApproval(input: { approvalId: string; gateId: string }) {
      approvals.set(input.approvalId, { gateId: input.gateId, status: 'pending' });
    },
    async expireApproval(input: { approvalId: string }) {
      approvals.get(input.approvalId)!.status = 'expired';
    },
    async postWebhook() {
      return { status: 200 };
    },
    async finishRun(input: { status: string; payload: unknown; result: unknown }) {
      run = { ...run, status: input.status, payload: input.payload, result: input.result };
      for (const [k, v] of steps) if (v === 'pending') steps.set(k, 'skipped');
    },
    async failRun(input: { stepId: string; error: string; payload: unknown }) {
      log.push(`fail:${input.stepId}`);
      run = { ...run, status: 'failed', payload: input.payload, error: { [`error_${input.stepId}`]: input.error }, result: { status: 'failed', failed_step: input.stepId } };
    },
  };
  return { activities, events, steps, log, dials, approvals, sms, run: () => run, maxLive: () => maxLive };
}

const phone = (i: number) => `+1312555${String(1000 + i).padStart(4, '0')}`;
const targets = (n: number, kind = 'automated') => Array.from({ length: n }, (_, i) => ({ name: `Firm ${i + 1}`, phone: phone(i), timezone: 'America/Chicago', kind }));

function inputOf(raw: Record<string, unknown>): DeclarativeRunInput {
  const spec = validateSpec({ assistant: { instructions: 'Ask for the price.' }, schedule: { business_hours: false, avoid: [] }, throttle: { spacing: 'PT30S' }, ...raw }, { numberZones: {} });
  return { runId: randomUUID(), missionId: randomUUID(), accountId: 'acct', spec, lines: ['+15550100001', '+15550100002'], assistantId: 'asst', ownerPhone: '+15550100099', timeScale: 0.0001 };
}

async function withWorker<T>(w: ReturnType<typeof world>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const { worker, taskQueue, connection } = await createTestWorker({ activities: w.activities });
  try {
    return await worker.runUntil(fn(taskQueue));
  } finally {
    await connection.close();
  }
}

const start = (taskQueue: string, input: DeclarativeRunInput) => client.workflow.start('declarativeRunWorkflow', { taskQueue, workflowId: `run-${input.runId}`, args: [input] });

/** Decides the first pending gate once it exists, as /v1/approvals would. */
async function decideGate(w: ReturnType<typeof world>, gateId: string, decision: 'approved' | 'denied', selection?: string[]) {
  for (;;) {
    const found = [...w.approvals.entries()].find(([, a]) => a.gateId === gateId && a.status === 'pending');
    // The approval row is written just before its workflow starts: retry until it runs.
    const decided = found && (await client.workflow.getHandle(approvalWorkflowId(found[0])).executeUpdate(decideApprovalUpdate, { args: [{ decision, selection }] }).catch(() => null));
    if (decided) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('sweep: every target called in batches with its retries, result payload, succeeded', async () => {
  const w = world({ [phone(1)]: { script: ['busy', 'completed'] }, [phone(2)]: { script: ['no-answer', 'no-answer', 'no-answer', 'no-answer'] } });
  const input = inputOf({ class: 'sweep', targets: targets(4), throttle: { batch_size: 2, spacing: 'PT30S' } });
  const result = await withWorker(w, (tq) => start(tq, input).then((h) => h.result()));
  expect(result).toEqual({ status: 'succeeded' });
  const byPhone = Object.fromEntries(w.run().payload.targets.map((t: { phone: string; state: string; attempts: number }) => [t.phone, [t.state, t.attempts]]));
  expect(byPhone).toEqual({ [phone(0)]: ['completed', 1], [phone(1)]: ['completed', 2], [phone(2)]: ['failed', 4], [phone(3)]: ['completed', 1] });
  expect([...w.steps.entries()]).toEqual([['setup', 'completed'], ['calls', 'completed'], ['analyze', 'completed'], ['report', 'completed']]);
  // batch_size 2 on two lines: never more than two live calls; events planned `spacing` apart.
  expect(w.maxLive()).toBeLessThanOrEqual(2);
  const starts = [...w.events.values()].map((e) => e.scheduledAt).sort();
  for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(30_000);
  expect(w.run().result).toEqual({ status: 'succeeded', reason: 'all targets done', failed_step: null });
});

test('screening: per-criterion scores, weighted ranking, top_n', async () => {
  const w = world({
    [phone(0)]: { facts: { scores: { price: 4, availability: 10 } } },
    [phone(1)]: { facts: { scores: { price: 9, availability: 5 } } },
    [phone(2)]: { facts: { scores: { price: 2, availability: 2 } } },
  });
  const input = inputOf({ class: 'screening', targets: targets(3), rubric: { criteria: [{ key: 'price', weight: 0.6 }, { key: 'availability', weight: 0.4 }], top_n: 2 } });
  expect(await withWorker(w, (tq) => start(tq, input).then((h) => h.result()))).toEqual({ status: 'succeeded' });
  expect(w.run().payload.ranking).toEqual([phone(1), phone(0)]);
  expect(w.run().payload.targets.map((t: { score: number }) => t.score)).toEqual([6.4, 7.4, 2]);
});

test('negotiation: strictly serial; call N+1 carries the findings of calls 1…N', async () => {
  const w = world({ [phone(0)]: { facts: { price_usd: 240 } }, [phone(1)]: { facts: { price_usd: 210 } } });
  const input = inputOf({ class: 'negotiation', targets: targets(3) });
  expect(await withWorker(w, (tq) => start(tq, input).then((h) => h.result()))).toEqual({ status: 'succeeded' });
  expect(w.maxLive()).toBe(1);
  expect(w.dials.map((d) => d.to)).toEqual([phone(0), phone(1), phone(2)]);
  expect(w.dials[0].instructions).toBe('Ask for the price.');
  expect(w.dials[2].instructions).toContain('"price_usd":240');
  expect(w.dials[2].instructions).toContain('"price_usd":210');
  expect([...w.steps.keys()]).toEqual(['setup', 'call_1', 'call_2', 'call_3', 'report']);
});

test('multi_round: waits at the gate; the selection limits round 2', async () => {
  const w = world({});
  const input = inputOf({ class: 'multi_round', targets: targets(3) });
  await withWorker(w, async (tq) => {
    const h = await start(tq, input);
    await decideGate(w, 'gate_1', 'approved', [phone(2)]);
    expect(await h.result()).toEqual({ status: 'succeeded' });
  });
  // Round 1's calls run side by side, so they may dial in any order; round 2 follows the gate.
  const dialled = w.dials.map((d) => d.to);
  expect(dialled.slice(0, 3).sort()).toEqual([phone(0), phone(1), phone(2)]);
  expect(dialled.slice(3)).toEqual([phone(2)]);
  expect(w.run().payload.gates).toEqual([expect.objectContaining({ gate_id: 'gate_1', status: 'approved', selection: [phone(2)] })]);
});

test('gate denied skips the gated step; a timed-out gate with on_timeout fail fails the run (E09)', async () => {
  const denied = world({});
  const input = inputOf({ class: 'multi_round', targets: targets(2) });
  await withWorker(denied, async (tq) => {
    const h = await start(tq, input);
    await decideGate(denied, 'gate_1', 'denied');
    expect(await h.result()).toEqual({ status: 'succeeded' });
  });
  expect(denied.steps.get('round_2')).toBe('skipped');
  expect(denied.dials).toHaveLength(2);

  const timedOut = world({});
  const late = inputOf({ class: 'multi_round', targets: targets(1), approvals: [{ before: 'round_2', timeout: 'PT1H', on_timeout: 'fail' }] });
  expect(await withWorker(timedOut, (tq) => start(tq, late).then((h) => h.result()))).toEqual({ status: 'failed' });
  expect(timedOut.log).toContain('fail:gate_1');
  expect(timedOut.run().result).toEqual({ status: 'failed', failed_step: 'gate_1' });
  expect([...timedOut.approvals.values()][0].status).toBe('expired');
});

test('gather_then_act: stop_when cancels what is pending, act runs after its gate, succeeded + stopped_early', async () => {
  const w = world({ [phone(1)]: { facts: { available_today: true } } });
  const input = inputOf({
    class: 'gather_then_act',
    targets: targets(6),
    throttle: { batch_size: 2, spacing: 'PT30S' },
    stop_when: { where: { available_today: { eq: true } }, count: 1 },
    act: { type: 'sms', to: 'owner', text: '{{target.name}} is free' },
  });
  await withWorker(w, async (tq) => {
    const h = await start(tq, input);
    await decideGate(w, 'gate_act', 'approved');
    expect(await h.result()).toEqual({ status: 'succeeded' });
  });
  expect(w.dials.map((d) => d.to).sort()).toEqual([phone(0), phone(1)]);
  expect(w.sms).toEqual([{ to: '+15550100099', text: 'Firm 2 is free' }]);
  expect(w.run().payload).toMatchObject({ stopped_early: true, action: { type: 'sms', status: 'sent' } });
  expect(w.run().payload.targets.slice(2).map((t: { state: string }) => t.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
});

test('pause holds new batches, resume continues; a paused run refuses pause; cancel ends open work', async () => {
  const w = world({});
  const input = inputOf({ class: 'sweep', targets: targets(4), throttle: { batch_size: 1, spacing: 'PT30S' } });
  input.timeScale = 0.01; // 30 s spacing → 0.3 s
  await withWorker(w, async (tq) => {
    const h: WorkflowHandle = await start(tq, input);
    while (w.dials.length < 1) await new Promise((r) => setTimeout(r, 20));
    await h.executeUpdate(updateRunUpdate, { args: [{ status: 'paused' }] });
    await expect(h.executeUpdate(updateRunUpdate, { args: [{ status: 'paused' }] })).rejects.toThrow();
    const held = w.dials.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.dials.length).toBeLessThanOrEqual(held + 1);
    await h.executeUpdate(updateRunUpdate, { args: [{ status: 'running' }] });
    const refused = await h.executeUpdate(updateRunUpdate, { args: [{ status: 'succeeded' }] }).catch((err: { cause?: { type?: string } }) => err.cause?.type);
    expect(refused).toBe('owned_by_workflow');
    await h.executeUpdate(updateRunUpdate, { args: [{ status: 'cancelled', result_summary: 'enough' }] });
    expect(await h.result()).toEqual({ status: 'cancelled' });
  });
  expect(w.run().result).toEqual({ status: 'cancelled', reason: 'enough', failed_step: null });
  expect(w.dials.length).toBeLessThan(4);
});

test('a long run continues as new between batches (batchesPerRun) and the next run picks up at its cursor', async () => {
  const w = world({});
  const input = { ...inputOf({ class: 'sweep', targets: targets(5), throttle: { batch_size: 1, spacing: 'PT30S' } }), batchesPerRun: 2 };
  const { result, runs } = await withWorker(w, async (tq) => {
    const handle = await start(tq, input);
    const result = await handle.result();
    // Follow the chain from the first run, as the benchmark does.
    const runs: string[] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId; ) {
      runs.push(runId);
      const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const next: string | null | undefined = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      runId = next ?? undefined;
    }
    return { result, runs };
  });
  expect(result).toEqual({ status: 'succeeded' });
  // Five batches, two per run: three runs, every target called once and reported once.
  expect(runs).toHaveLength(3);
  expect(w.run().payload.targets.map((t: { phone: string; state: string }) => [t.phone, t.state])).toEqual(targets(5).map((t) => [t.phone, 'completed']));
  expect(w.dials.map((d) => d.to).sort()).toEqual(targets(5).map((t) => t.phone));
});
