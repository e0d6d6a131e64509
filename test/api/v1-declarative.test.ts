/**
 * Declarative missions over the real stack (API, Temporal dev server, worker, database;
 * scripted lines, a local OpenAI-compatible test server for insights): M40–M45, M48, M50–M54,
 * the dry run and gates as ordinary approvals.
 */
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { startV1, until, type V1 } from '../support/v1';

jest.setTimeout(120_000);

type Obj = Record<string, any>;
let v1: V1;
let llm: FakeOpenAIServer;

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply(() => '{"summary": "Quoted $240, free today", "price_usd": 240, "available_today": true, "scores": {"price": 7, "availability": 9}}');
  v1 = await startV1({ PARLEY_LLM_BASE_URL: llm.url, PARLEY_LLM_MODEL: 'insight-test-model' });
});
afterAll(async () => {
  await v1?.close();
  await llm?.close();
});

const targets = (n: number, from = 100) => Array.from({ length: n }, (_, i) => ({ name: `Firm ${i + 1}`, phone: `+1312555${from + i}`.padEnd(12, '5'), timezone: 'America/Chicago', kind: 'automated' }));
const anyTime = { business_hours: false, avoid: [] };
const spec = (over: Obj) => ({ assistant: { instructions: 'Ask for a quote.' }, schedule: anyTime, throttle: { spacing: 'PT30S' }, ...over });

async function create(name: string, s: Obj) {
  const res = await v1.call('POST', '/v1/missions', { name, instructions: 'declarative', spec: s });
  expect(res.status).toBe(201);
  return res.body.data as Obj;
}
const runPath = (m: Obj) => `/v1/missions/${m.id}/runs/${m.run_id}`;
const runOf = (m: Obj) => v1.call('GET', runPath(m)).then((r) => r.body.data as Obj);
const finished = (m: Obj, timeoutMs = 60_000) => until(() => runOf(m), (r) => ['succeeded', 'failed', 'cancelled'].includes(r.status), timeoutMs);

test('M42: bad class, phone, zone, kind, negotiation batch > 1, C5 without stop_when → 422 with a pointer', async () => {
  const cases: Array<[Obj, string]> = [
    [spec({ class: 'raid', targets: targets(1) }), '/spec/class'],
    [spec({ class: 'sweep', targets: [...targets(3), { phone: '12' }] }), '/spec/targets/3/phone'],
    [spec({ class: 'sweep', targets: [{ phone: '+13125550101', timezone: 'Moon/Base' }] }), '/spec/targets/0/timezone'],
    [spec({ class: 'sweep', targets: [{ phone: '+13125550101', timezone: 'America/Chicago', kind: 'robot' }] }), '/spec/targets/0/kind'],
    [spec({ class: 'negotiation', targets: targets(2), throttle: { batch_size: 3 } }), '/spec/throttle/batch_size'],
    [spec({ class: 'gather_then_act', targets: targets(2) }), '/spec/stop_when'],
  ];
  for (const [body, pointer] of cases) {
    const res = await v1.call('POST', '/v1/missions', { name: 'Bad', instructions: 'x', spec: body });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].source.pointer).toBe(pointer);
  }
  // A NANP number that spans zones needs a timezone; a Chicago area code does not.
  const ambiguous = await v1.call('POST', '/v1/missions', { name: 'Zone', instructions: 'x', spec: spec({ class: 'sweep', schedule: {}, targets: [{ phone: '+15550100042' }] }) });
  expect(ambiguous.body).toMatchObject({ error: { code: 'timezone_required' }, errors: [{ source: { pointer: '/spec/targets/0/timezone' } }] });
  const dry = await v1.call('POST', '/v1/missions?dry_run=true', { name: 'Zone', instructions: 'x', spec: spec({ class: 'sweep', schedule: {}, targets: [{ phone: '+13125550101' }] }) });
  expect(dry.status).toBe(200);
  expect(dry.body.data.targets[0].timezone).toBe('America/Chicago');
});

test('dry run, M44: each target at its first slot in its own zone (UTC and local), nothing dialled', async () => {
  const dials = v1.lines.dials.length;
  const res = await v1.call('POST', '/v1/missions?dry_run=true', {
    name: 'Dry',
    instructions: 'x',
    spec: {
      class: 'sweep',
      assistant: { instructions: 'Ask.' },
      targets: [
        { name: 'Chicago', phone: '+13125550101', timezone: 'America/Chicago', kind: 'automated' },
        { name: 'Tokyo', phone: '+81312345678', timezone: 'Asia/Tokyo', kind: 'automated' },
      ],
      // Monday 2030-03-11 15:00Z: 10:00 in Chicago (CDT), midnight in Tokyo.
      schedule: { not_before: '2030-03-11T15:00:00Z', not_after: '2030-03-20T00:00:00Z' },
    },
  });
  expect(res.status).toBe(200);
  expect(res.body.data.targets.map((t: Obj) => [t.name, t.first_attempt_at, t.first_attempt_local, t.skipped])).toEqual([
    ['Chicago', '2030-03-11T15:00:00.000Z', '2030-03-11T10:00', null],
    ['Tokyo', '2030-03-12T00:00:00.000Z', '2030-03-12T09:00', null],
  ]);
  expect(res.body.data.plan.map((s: Obj) => s.step_id)).toEqual(['setup', 'calls', 'analyze', 'report']);
  expect(v1.lines.dials.length).toBe(dials);
  expect((await v1.call('GET', '/v1/missions?slug=dry')).body.data).toEqual([]);
});

test('M41, M40, M48: a screening mission runs itself: plan, steps, memory, scores, ranking, succeeded', async () => {
  const m = await create('Screen', spec({ class: 'screening', targets: [...targets(2), { name: 'Never', phone: '+13125550000', timezone: 'America/Chicago', kind: 'automated' }], rubric: { criteria: [{ key: 'price', weight: 0.6 }, { key: 'availability', weight: 0.4 }], top_n: 2 } }));
  expect(m).toMatchObject({ mode: 'declarative', status: 'running', run_id: expect.any(String), workflow_id: `run-${m.run_id}` });
  const plan = (await v1.call('GET', `${runPath(m)}/plan`)).body.data.steps.map((s: Obj) => s.step_id);
  expect(plan).toEqual(['setup', 'calls', 'analyze', 'report']);
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  expect(run.result_payload).toMatchObject({ class: 'screening', stopped_early: false, ranking: [targets(2)[0].phone, targets(2)[1].phone] });
  expect(run.result_payload.targets.map((t: Obj) => [t.state, t.score])).toEqual([['completed', 7.8], ['completed', 7.8], ['failed', null]]);
  const steps = (await v1.call('GET', `${runPath(m)}/plan`)).body.data.steps.map((s: Obj) => s.status);
  expect(steps).toEqual(['completed', 'completed', 'completed', 'completed']);
  const memory = (await v1.call('GET', `${runPath(m)}/memory`)).body.data;
  expect(memory[`targets.${targets(1)[0].phone}`]).toMatchObject({ status: 'completed', insights: { price_usd: 240 } });
  expect(memory['targets.+13125550000']).toMatchObject({ status: 'failed', attempts: 4 });
  expect(memory.scheduled_events).toHaveLength(3);
  expect(memory.result).toEqual({ status: 'succeeded', reason: 'all targets done', failed_step: null });
  // Operators find the run's calls in the Web UI as its children (docs/api.md).
  const children = await until(async () => {
    const ids: string[] = [];
    for await (const wf of v1.stack.client.workflow.list({ query: `ParentWorkflowId = "run-${m.run_id}"` })) ids.push(wf.workflowId);
    return ids;
  }, (ids) => ids.length >= 3, 15_000);
  expect(children).toHaveLength(3);
  expect(children.every((id) => id.startsWith('event-'))).toBe(true);
  const events = (await v1.call('GET', `${runPath(m)}/events?page[size]=100`)).body.data;
  expect(events.every((e: Obj) => e.agent_id === 'parley')).toBe(true);
  expect(events.map((e: Obj) => e.type)).toEqual(expect.arrayContaining(['step_started', 'step_completed', 'custom']));
  // M43: the workflow writes this run; a PATCH is 409 (a terminal run: run_terminal).
  expect((await v1.call('PATCH', runPath(m), { status: 'running' })).status).toBe(409);
});

test('M50, M52, gates: a multi_round gate is an ordinary approval; approving with a selection limits round 2', async () => {
  const all = targets(3, 200);
  const m = await create('Rounds', spec({ class: 'multi_round', targets: all }));
  const gate = await until(
    () => v1.call('GET', `${runPath(m)}/gates`).then((r) => r.body.data as Obj[]),
    (g) => g.length === 1,
    30_000,
  );
  expect(gate[0]).toMatchObject({ gate_id: 'gate_1', status: 'pending', request_id: expect.any(String) });
  // approval.sh sees it: /v1/approvals lists and shows it.
  const listed = (await v1.call('GET', '/v1/approvals?status=pending')).body.data.map((a: Obj) => a.request_id);
  expect(listed).toContain(gate[0].request_id);
  const dialsBefore = v1.lines.dials.length;
  const approve = await v1.call('POST', `${runPath(m)}/gates/gate_1/approve`, { note: 'go', selection: { targets: [all[1].phone] } });
  expect(approve.status).toBe(200);
  expect(approve.body.data).toMatchObject({ status: 'approved', selection: [all[1].phone] });
  expect((await v1.call('POST', `/v1/approvals/${gate[0].request_id}/deny`, {})).status).toBe(409);
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  expect(v1.lines.dials.slice(dialsBefore).map((d) => d.to)).toEqual([all[1].phone]);
});

test('M51: a gate denied through /v1/approvals skips its step', async () => {
  const m = await create('Denied', spec({ class: 'multi_round', targets: targets(1, 300) }));
  const gate = await until(() => v1.call('GET', `${runPath(m)}/gates`).then((r) => r.body.data as Obj[]), (g) => g.length === 1, 30_000);
  expect((await v1.call('POST', `/v1/approvals/${gate[0].request_id}/deny`, {})).status).toBe(200);
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  const steps = Object.fromEntries((await v1.call('GET', `${runPath(m)}/plan`)).body.data.steps.map((s: Obj) => [s.step_id, s.status]));
  expect(steps).toMatchObject({ gate_1: 'completed', round_2: 'skipped', report: 'completed' });
});

test('M53: gather_then_act stops early, the act runs after its gate, succeeded + stopped_early', async () => {
  const m = await create('Gather', spec({ class: 'gather_then_act', targets: targets(6, 400), throttle: { batch_size: 1, spacing: 'PT30S' }, stop_when: { where: { available_today: { eq: true } }, count: 1 }, act: { type: 'sms', to: 'owner', text: '{{target.name}} is free for ${{insights.price_usd}}' } }));
  const gate = await until(() => v1.call('GET', `${runPath(m)}/gates`).then((r) => r.body.data as Obj[]), (g) => g.length === 1, 30_000);
  expect(gate[0].gate_id).toBe('gate_act');
  await v1.call('POST', `${runPath(m)}/gates/gate_act/approve`, {});
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  expect(run.result_payload).toMatchObject({ stopped_early: true, action: { type: 'sms', to: '+15550109999', text: 'Firm 1 is free for $240' } });
  expect(v1.lines.texts.at(-1)).toMatchObject({ to: '+15550109999', text: 'Firm 1 is free for $240' });
  expect(run.result_payload.targets.filter((t: Obj) => t.state === 'cancelled').length).toBe(5);
});

test('M43, M54: PATCH a running declarative run → 409 owned_by_workflow; pause/resume (resume on running → 409); cancel ends open work', async () => {
  const m = await create('Long', spec({ class: 'sweep', targets: [{ name: 'Hold', phone: '+13125550009', timezone: 'America/Chicago', kind: 'automated' }, ...targets(3, 500)], throttle: { batch_size: 1, spacing: 'PT30S' } }));
  const patched = await v1.call('PATCH', runPath(m), { status: 'succeeded' });
  expect(patched.status).toBe(409);
  expect(patched.body.error.code).toBe('owned_by_workflow');
  expect((await v1.call('POST', `${runPath(m)}/resume`, {})).status).toBe(409);
  expect((await v1.call('POST', `${runPath(m)}/pause`, {})).status).toBe(202);
  expect((await runOf(m)).status).toBe('paused');
  expect((await v1.call('POST', `${runPath(m)}/pause`, {})).body.error.code).toBe('invalid_transition');
  expect((await v1.call('POST', `${runPath(m)}/resume`, {})).status).toBe(202);
  expect((await runOf(m)).status).toBe('running');
  const cancel = await v1.call('PATCH', runPath(m), { status: 'cancelled' });
  expect(cancel.status).toBe(200);
  const run = await finished(m);
  expect(run.status).toBe('cancelled');
  // The run's cancel reaches its child event workflows right after the run's own status.
  const agent = (await v1.call('GET', `${runPath(m)}/agents`)).body.data[0].telnyx_agent_id;
  const ended = (e: Obj) => ['cancelled', 'completed', 'failed'].includes(e.status);
  const events = await until(async () => (await v1.call('GET', `/v1/assistants/${agent}/events?run_id=${m.run_id}`)).body.data as Obj[], (list) => list.every(ended));
  expect(events.every(ended)).toBe(true);
});

test('?wait long-polls: an event GET answers with the change it waited for; wait > 50 → 422', async () => {
  const m = await create('Waiting', spec({ class: 'sweep', targets: [{ name: 'Hold', phone: '+13125550009', timezone: 'America/Chicago', kind: 'automated' }] }));
  expect((await v1.call('GET', `${runPath(m)}?wait=51`)).body.errors[0].source.pointer).toBe('/wait');
  expect((await v1.call('GET', `${runPath(m)}?wait=1`)).body.data.status).toBe('running');
  const agent = (await v1.call('GET', `${runPath(m)}/agents`)).body.data[0].telnyx_agent_id;
  const [event] = (await until(() => v1.call('GET', `/v1/assistants/${agent}/events?run_id=${m.run_id}`).then((r) => r.body.data as Obj[]), (e) => e.length === 1 && e[0].call_status === 'ringing')) as Obj[];
  const waiting = v1.call('GET', `/v1/assistants/${agent}/events/${event.id}?wait=30`);
  await new Promise((r) => setTimeout(r, 300));
  expect((await v1.call('POST', `${runPath(m)}/cancel`, { reason: 'done waiting' })).status).toBe(202);
  // The long-poll answered with the hang-up (the change), not with the ringing state it started from.
  const changed = (await waiting).body;
  expect(changed.status === 'cancelled' || changed.call_status === 'canceled').toBe(true);
  expect((await finished(m)).status).toBe('cancelled');
});
