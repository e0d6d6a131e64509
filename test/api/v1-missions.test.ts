/**
 * Missions, runs, plans, steps, run events, links and memory (missions-api §3, §4, §5b):
 * checklist items M06–M14, M29 (idle run), M31 and M39.
 */
import { Client } from '@temporalio/client';
import { startV1, until, type V1 } from '../support/v1';

jest.setTimeout(60_000);

let v1: V1;
beforeAll(async () => {
  v1 = await startV1();
});
afterAll(async () => v1?.close());

type Obj = Record<string, any>;
const data = (r: { body: Obj }) => r.body.data as Obj;

async function missionAndRun(name = `Mission ${Math.random()}`) {
  const m = data(await v1.call('POST', '/v1/missions', { name, instructions: 'Find a window washer' }));
  const r = data(await v1.call('POST', `/v1/missions/${m.id}/runs`, { input: { original_request: 'find one' } }));
  return { m, r, base: `/v1/missions/${m.id}/runs/${r.id}` };
}

test('M06: create mission → 201 with id == mission_id and the CLI slug; missing field → 422 + pointer', async () => {
  const res = await v1.call('POST', '/v1/missions', { name: 'Find  Window Washers!', instructions: 'Call five firms' });
  expect(res.status).toBe(201);
  expect(data(res)).toMatchObject({ id: expect.any(String), name: 'Find  Window Washers!', slug: 'find-window-washers', mode: 'compat', latest_run_id: null });
  expect(data(res).mission_id).toBe(data(res).id);
  const bad = await v1.call('POST', '/v1/missions', { instructions: 'x' });
  expect(bad.status).toBe(422);
  expect(bad.body.errors[0].source.pointer).toBe('/name');
  // Q9: the identical create within the dedupe window returns the same mission.
  const again = await v1.call('POST', '/v1/missions', { name: 'Find  Window Washers!', instructions: 'Call five firms' });
  expect(again.status).toBe(200);
  expect(data(again).id).toBe(data(res).id);
  // A declarative mission's spec is validated: an incomplete one is a 422 with its pointer.
  const spec = await v1.call('POST', '/v1/missions', { name: 'D', instructions: 'x', spec: { class: 'sweep' } });
  expect(spec.status).toBe(422);
  expect(spec.body).toMatchObject({ error: { code: 'validation_failed' }, errors: [{ source: { pointer: '/spec/targets' } }] });
});

test('M07: page[size] limits the page, meta has the totals; slug= filters', async () => {
  for (let i = 0; i < 3; i++) await v1.call('POST', '/v1/missions', { name: `Paged ${i}`, instructions: 'x' });
  const page = await v1.call('GET', '/v1/missions?page[size]=2');
  expect(page.status).toBe(200);
  expect(page.body.data).toHaveLength(2);
  expect(page.body.meta).toMatchObject({ page_size: 2, page_number: 1, total_results: expect.any(Number), total: expect.any(Number) });
  expect(page.body.meta.total_pages).toBe(Math.ceil(page.body.meta.total / 2));
  const bySlug = await v1.call('GET', '/v1/missions?slug=paged-1');
  expect(bySlug.body.data.map((m: Obj) => m.name)).toEqual(['Paged 1']);
});

test('M08: create run → 201 pending with run_id == id; list items carry run_id and status; the run is a workflow', async () => {
  const { m, r } = await missionAndRun();
  expect(r).toMatchObject({ status: 'pending', mission_id: m.id, input: { original_request: 'find one' }, workflow_id: `run-${r.id}` });
  expect(r.run_id).toBe(r.id);
  const list = await v1.call('GET', `/v1/missions/${m.id}/runs`);
  expect(list.body.data[0]).toMatchObject({ run_id: r.id, status: 'pending' });
  expect(data(await v1.call('GET', `/v1/missions/${m.id}`)).latest_run_id).toBe(r.id);
  // Operators find it by search attribute in the Temporal UI.
  const client: Client = v1.stack.client;
  const found = await until(async () => {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `ParleyRunId = "${r.id}"` })) ids.push(wf.workflowId);
    return ids;
  }, (ids) => ids.length > 0, 15_000);
  expect(found).toEqual([`run-${r.id}`]);
  // A run of another mission is 404 under this one.
  const other = await missionAndRun();
  expect((await v1.call('GET', `/v1/missions/${m.id}/runs/${other.r.id}`)).status).toBe(404);
});

test('M09, M10: aliases accepted, summary and payload stored; terminal is final; same status 200; unknown 422', async () => {
  const { base } = await missionAndRun();
  expect(data(await v1.call('PATCH', base, { status: 'running' })).status).toBe('running');
  const done = await v1.call('PATCH', base, { status: 'completed', result_summary: 'Booked Clear View', result_payload: { price: 240 } });
  expect(done.status).toBe(200);
  expect(data(done)).toMatchObject({ status: 'succeeded', result_summary: 'Booked Clear View', result_payload: { price: 240 } });
  expect((await v1.call('PATCH', base, { status: 'succeeded' })).status).toBe(200);
  const again = await v1.call('PATCH', base, { status: 'failed' });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('run_terminal');
  expect((await v1.call('PATCH', base, { status: 'exploded' })).status).toBe(422);
  const { base: other } = await missionAndRun();
  expect(data(await v1.call('PATCH', other, { status: 'canceled' })).status).toBe('cancelled');
  // pending → paused is not a transition.
  const { base: third } = await missionAndRun();
  const paused = await v1.call('PATCH', third, { status: 'paused' });
  expect(paused.status).toBe(409);
  expect(paused.body.error.code).toBe('invalid_transition');
});

test('M11, M12: plans are ordered and pending; duplicates and unsafe ids 422; identical repost 200; replace rules', async () => {
  const { base } = await missionAndRun();
  const steps = [
    { step_id: 'calls', description: 'Call firms', sequence: 2 },
    { step_id: 'setup', description: 'Set up', sequence: 1 },
  ];
  const plan = await v1.call('POST', `${base}/plan`, { steps });
  expect(plan.status).toBe(201);
  expect(data(plan).steps.map((s: Obj) => [s.step_id, s.sequence, s.status])).toEqual([
    ['setup', 1, 'pending'],
    ['calls', 2, 'pending'],
  ]);
  expect((await v1.call('POST', `${base}/plan`, { steps })).status).toBe(200);
  const dup = await v1.call('POST', `${base}/plan`, { steps: [steps[0], steps[0]] });
  expect(dup.status).toBe(422);
  expect(dup.body.errors[0].source.pointer).toBe('/steps/1/step_id');
  expect((await v1.call('POST', `${base}/plan`, { steps: [{ step_id: 'a b/c', description: 'x' }] })).status).toBe(422);
  const replaced = await v1.call('POST', `${base}/plan`, { steps: [{ step_id: 'only', description: 'One step' }] });
  expect(replaced.status).toBe(201);
  await v1.call('PATCH', `${base}/plan/steps/only`, { status: 'in_progress' });
  const locked = await v1.call('POST', `${base}/plan`, { steps });
  expect(locked.status).toBe(409);
  expect(locked.body.error.code).toBe('plan_in_progress');
  expect(data(await v1.call('GET', `${base}/plan`)).steps).toHaveLength(1);
});

test('M13: step pending → in_progress → completed; moving back 409; unknown step 404', async () => {
  const { base } = await missionAndRun();
  await v1.call('POST', `${base}/plan`, { steps: [{ step_id: 's1', description: 'x' }] });
  expect(data(await v1.call('PATCH', `${base}/plan/steps/s1`, { status: 'in_progress' })).status).toBe('in_progress');
  expect(data(await v1.call('PATCH', `${base}/plan/steps/s1`, { status: 'completed' })).status).toBe('completed');
  const back = await v1.call('PATCH', `${base}/plan/steps/s1`, { status: 'pending' });
  expect(back.status).toBe(409);
  expect(back.body.error.code).toBe('invalid_transition');
  expect((await v1.call('PATCH', `${base}/plan/steps/nope`, { status: 'completed' })).status).toBe(404);
  expect((await v1.call('PATCH', `${base}/plan/steps/s1`, { status: 'done' })).status).toBe(422);
});

test('M14: the six event types are accepted, others 422; an unknown step_id is kept with a warning; chronological list', async () => {
  const { base } = await missionAndRun();
  await v1.call('POST', `${base}/plan`, { steps: [{ step_id: 'calls', description: 'x' }] });
  for (const type of ['tool_call', 'custom', 'message', 'error', 'step_started', 'step_completed']) {
    const res = await v1.call('POST', `${base}/events`, { type, summary: `a ${type}`, agent_id: 'claude-code', step_id: 'calls' });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toBeUndefined();
  }
  expect((await v1.call('POST', `${base}/events`, { type: 'other', summary: 'x' })).status).toBe(422);
  const unknown = await v1.call('POST', `${base}/events`, { type: 'custom', summary: 'x', step_id: 'ghost', payload: { a: 1 } });
  expect(unknown.status).toBe(201);
  expect(unknown.body.warnings).toEqual(['unknown_step_id']);
  expect(data(unknown)).toMatchObject({ step_id: 'ghost', payload: { a: 1 } });
  const noStep = await v1.call('POST', `${base}/events`, { type: 'message', summary: 'no step', agent_id: 'claude-code' });
  expect(data(noStep).step_id).toBeNull();
  const list = await v1.call('GET', `${base}/events`);
  expect(list.body.data.map((e: Obj) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect((await v1.call('GET', `${base}/events?after_seq=6`)).body.data.map((e: Obj) => e.seq)).toEqual([7, 8]);
});

test('M31: link 201, repeat 200; unlink 204, repeat 404; unknown assistant 422; unknown conversation 404', async () => {
  const { base } = await missionAndRun();
  const a = await v1.call('POST', '/v1/assistants', { name: 'Linker', instructions: 'x', greeting: '' });
  const link = await v1.call('POST', `${base}/agents`, { telnyx_agent_id: a.body.id });
  expect(link.status).toBe(201);
  expect(data(link)).toMatchObject({ run_id: expect.any(String), telnyx_agent_id: a.body.id, linked_at: expect.stringContaining('T') });
  expect((await v1.call('POST', `${base}/agents`, { telnyx_agent_id: a.body.id })).status).toBe(200);
  expect((await v1.call('GET', `${base}/agents`)).body.data).toHaveLength(1);
  expect((await v1.call('DELETE', `${base}/agents/${a.body.id}`)).status).toBe(204);
  expect((await v1.call('DELETE', `${base}/agents/${a.body.id}`)).status).toBe(404);
  expect((await v1.call('POST', `${base}/agents`, { telnyx_agent_id: 'nope' })).status).toBe(422);
  expect((await v1.call('GET', '/v1/missions/conversations/nope/insights')).status).toBe(404);
});

test('M39: memory set / merge (null deletes) / append (scalar → list); survives the run end; stale If-Match 412', async () => {
  const { base } = await missionAndRun();
  expect((await v1.call('GET', `${base}/memory`)).body).toEqual({ data: {}, version: 0 });
  const put = await v1.call('PUT', `${base}/memory`, { a: 1, b: { c: 2, d: 3 } });
  expect(put.body).toEqual({ data: { a: 1, b: { c: 2, d: 3 } }, version: 1 });
  const merged = await v1.call('PATCH', `${base}/memory`, { b: { c: null, e: 4 }, a: null });
  expect(merged.body).toEqual({ data: { b: { d: 3, e: 4 } }, version: 2 });
  await v1.call('PUT', `${base}/memory/tag`, { value: 'first' });
  const appended = await v1.call('POST', `${base}/memory/tag/append`, { item: 'second' });
  expect(appended.body.data.tag).toEqual(['first', 'second']);
  expect((await v1.call('GET', `${base}/memory/tag`)).body).toMatchObject({ data: ['first', 'second'] });
  const stale = await v1.call('PUT', `${base}/memory/x`, { value: 1 }, { 'if-match': '"1"' });
  expect(stale.status).toBe(412);
  await v1.call('PATCH', base, { status: 'succeeded' });
  expect((await v1.call('GET', `${base}/memory`)).body.data.tag).toEqual(['first', 'second']);
});

test('M29: an idle compat run with no open events fails as abandoned', async () => {
  const idle = await startV1({ PARLEY_COMPAT_RUN_IDLE_TIMEOUT: '5000' }); // ×0.0001 → 0.5 s
  try {
    const m = (await idle.call('POST', '/v1/missions', { name: 'Idle', instructions: 'x' })).body.data as Obj;
    const r = (await idle.call('POST', `/v1/missions/${m.id}/runs`, {})).body.data as Obj;
    const run = await until(async () => (await idle.call('GET', `/v1/missions/${m.id}/runs/${r.id}`)).body.data as Obj, (x) => x.status !== 'pending');
    expect(run).toMatchObject({ status: 'failed', result_summary: expect.stringContaining('abandoned') });
  } finally {
    await idle.close();
  }
});
