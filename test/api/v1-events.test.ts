/**
 * Assistants, account phones and scheduled events (missions-api §3, §4, §6): M15–M28 and M30.
 * Lines are scripted (test/support/scripted-lines.ts) and every workflow wait is ×0.0001.
 */
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { inSeconds, startV1, until, type V1 } from '../support/v1';

jest.setTimeout(180_000);

type Obj = Record<string, any>;
let v1: V1;
let llm: FakeOpenAIServer;
let assistant: Obj;
let mission: Obj;
let run: Obj;
const LINE = '+15550100001';

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply(() => 'Here it is: {"summary": "Quoted $240, available tomorrow", "price_usd": 240}');
  v1 = await startV1({ PARLEY_LLM_BASE_URL: llm.url, PARLEY_LLM_MODEL: 'insight-test-model' });
  assistant = (
    await v1.call('POST', '/v1/assistants', {
      name: 'Quoter',
      model: 'openai/gpt-4o',
      instructions: 'Ask for a quote',
      greeting: '',
      tools: [{ type: 'hangup', hangup: { description: 'hang up' } }, { type: 'send_dtmf', send_dtmf: {} }],
      enabled_features: ['telephony', 'messaging'],
      insights: { schema: { type: 'object', required: ['summary', 'price_usd'], properties: { summary: { type: 'string' }, price_usd: { type: 'number' } } } },
    })
  ).body;
  mission = (await v1.call('POST', '/v1/missions', { name: 'Events', instructions: 'x' })).body.data;
  run = (await v1.call('POST', `/v1/missions/${mission.id}/runs`, { input: {} })).body.data;
  await v1.call('PATCH', `/v1/missions/${mission.id}/runs/${run.id}`, { status: 'running' });
});
afterAll(async () => {
  await v1?.close();
  await llm?.close();
});

const schedule = async (body: Obj, aid = assistant.id) => {
  const res = await v1.call('POST', `/v1/assistants/${aid}/events`, { channel: 'call', from: LINE, scheduled_at: inSeconds(75), mission_id: mission.id, run_id: run.id, ...body });
  // A refused schedule fails here, with its body, not later as a 404 on `/events/undefined`.
  if (res.status === 429 || res.status >= 500) throw new Error(`schedule answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
};
const getEvent = async (id: string) => (await v1.call('GET', `/v1/assistants/${assistant.id}/events/${id}`)).body;
const settle = (id: string, timeoutMs = 75_000) => until(() => getEvent(id), (e) => ['completed', 'failed', 'cancelled'].includes(e.status), timeoutMs);

test('M15: the CLI create body gives a bare assistant with id and the Q4 defaults; a bad tool is 422', async () => {
  const res = await v1.call('POST', '/v1/assistants', { name: 'Defaults', instructions: 'x', greeting: '' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({
    id: expect.any(String),
    model: 'openai/gpt-4o',
    voice: 'Rime.ArcanaV3.astra',
    greeting: '',
    tools: [{ type: 'hangup' }, { type: 'send_dtmf' }],
    enabled_features: ['telephony', 'messaging'],
  });
  expect(res.body.data).toBeUndefined();
  const bad = await v1.call('POST', '/v1/assistants', { name: 'Bad', instructions: 'x', tools: [{ type: 'teleport' }] });
  expect(bad.status).toBe(422);
  expect(bad.body.errors[0].source.pointer).toBe('/tools/0/type');
  const patched = await v1.call('PATCH', `/v1/assistants/${res.body.id}`, { greeting: 'Hi there' });
  expect(patched.body).toMatchObject({ id: res.body.id, greeting: 'Hi there', voice: 'Rime.ArcanaV3.astra' });
  expect((await v1.call('GET', `/v1/assistants/${res.body.id}/connection-id?feature=telephony`)).body).toEqual({ connection_id: `telephony-${res.body.id}`, feature: 'telephony' });
  const smsOff = await v1.call('POST', '/v1/assistants', { name: 'Voice only', instructions: 'x', enabled_features: ['telephony'] });
  expect((await v1.call('GET', `/v1/assistants/${smsOff.body.id}/connection-id?feature=messaging`)).body).toEqual({ connection_id: null, feature: 'messaging' });
});

test('M16: the assistant list filters by case-insensitive name, pages with pageSize/page, and has meta', async () => {
  for (const n of ['Alpha caller', 'beta CALLER', 'Gamma']) await v1.call('POST', '/v1/assistants', { name: n, instructions: 'x' });
  const res = await v1.call('GET', '/v1/assistants?pageSize=1&page=2&name=caller');
  expect(res.body.data).toHaveLength(1);
  expect(res.body.meta).toMatchObject({ total_results: 2, total_pages: 2, page_number: 2, page_size: 1 });
});

test('M17: phones list id, phone_number, connection_id; available is the first line; assign sets connection_id', async () => {
  const phones = await v1.call('GET', '/v1/numbers/account-phones');
  expect(phones.body.data.map((p: Obj) => p.phone_number)).toEqual(['+15550100001', '+15550100002']);
  expect(phones.body.data[0]).toMatchObject({ id: expect.any(String), connection_id: null, driver: 'sim' });
  const available = await v1.call('GET', '/v1/numbers/account-phones/available');
  expect(available.body.phone).toMatchObject({ phone_number: LINE });
  const assigned = await v1.call('PATCH', `/v1/numbers/account-phones/${available.body.phone.id}`, { connection_id: `telephony-${assistant.id}`, type: 'voice' });
  expect(assigned.body.data).toMatchObject({ phone_number: LINE, connection_id: `telephony-${assistant.id}` });
  const none = await startV1({ PARLEY_LINES: '[]' });
  try {
    const empty = await none.call('GET', '/v1/numbers/account-phones/available');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ phone: null });
  } finally {
    await none.close();
  }
});

test('M18, M23, M24, M30, M21: an answered call completes with conversation_id and schema-valid insights; the step syncs', async () => {
  await v1.call('POST', `/v1/missions/${mission.id}/runs/${run.id}/plan`, { steps: [{ step_id: 'call-1', description: 'Call one' }] });
  const res = await schedule({ to: '+13125550101', step_id: 'call-1' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ id: expect.any(String), status: 'pending', retry_count: 0, call_status: null, conversation_id: null, channel: 'call' });
  expect(res.body.data).toBeUndefined();
  const done = await settle(res.body.id);
  expect(done).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 0, outcome: 'answered', conversation_id: expect.any(String) });
  const insights = await v1.call('GET', `/v1/missions/conversations/${done.conversation_id}/insights`);
  expect(insights.body.data).toEqual([
    expect.objectContaining({ name: 'summary', status: 'completed', conversation_insights: [{ result: 'Quoted $240, available tomorrow', structured: { summary: 'Quoted $240, available tomorrow', price_usd: 240 } }] }),
  ]);
  // The transcript went to the LLM.
  expect(JSON.stringify(llm.requests.at(-1)?.body)).toContain('240 dollars');
  // M29: the step followed its event; the run keeps the bot's status.
  const plan = (await v1.call('GET', `/v1/missions/${mission.id}/runs/${run.id}/plan`)).body.data;
  expect(plan.steps[0]).toMatchObject({ step_id: 'call-1', status: 'completed' });
  expect((await v1.call('GET', `/v1/missions/${mission.id}/runs/${run.id}`)).body.data.status).toBe('running');
  // §5b/E08: the workflow wrote the target into run memory and logged the insight.
  const memory = (await v1.call('GET', `/v1/missions/${mission.id}/runs/${run.id}/memory`)).body.data;
  expect(memory['targets.+13125550101']).toMatchObject({ status: 'completed', attempts: 1, last_call_status: 'completed', conversation_id: done.conversation_id, insights: { price_usd: 240 } });
  const runEvents = (await v1.call('GET', `/v1/missions/${mission.id}/runs/${run.id}/events`)).body.data;
  expect(runEvents.map((e: Obj) => [e.type, e.agent_id])).toEqual(expect.arrayContaining([['step_started', 'parley'], ['step_completed', 'parley'], ['custom', 'parley']]));
  // M21: scheduling linked the assistant to the run.
  expect((await v1.call('GET', `/v1/missions/${mission.id}/runs/${run.id}/agents`)).body.data.map((l: Obj) => l.telnyx_agent_id)).toContain(assistant.id);
  // M23: the list carries the same keys.
  const listed = (await v1.call('GET', `/v1/assistants/${assistant.id}/events?run_id=${run.id}`)).body.data[0];
  for (const k of ['retry_count', 'call_status', 'conversation_id', 'status']) expect(listed).toHaveProperty(k);
});

test('M19, M20: scheduling checks are 422 with pointers', async () => {
  const cases: Array<[Obj, string]> = [
    [{ to: '+13125550101', scheduled_at: inSeconds(-10) }, '/scheduled_at'],
    [{ to: '+13125550101', scheduled_at: inSeconds(30) }, '/scheduled_at'],
    [{ to: '+13125550101', scheduled_at: 'tomorrow at noon' }, '/scheduled_at'],
    [{ to: '+13125550101', from: '+15550177777' }, '/from'],
    [{ to: '312-555' }, '/to'],
    [{ to: '+13125550101', channel: 'sms' }, '/text_body'],
    [{ to: '+13125550101', run_id: 'not-a-run' }, '/run_id'],
  ];
  for (const [body, pointer] of cases) {
    const res = await schedule(body);
    expect([res.status, res.body.errors?.[0]?.source?.pointer]).toEqual([422, pointer]);
  }
  expect((await schedule({ to: '+13125550101', from: '+15550177777' })).body.error.code).toBe('from_not_owned');
});

test('M21: scheduling on a terminal run is 409; a run PATCHed cancelled cancels its open events', async () => {
  const r = (await v1.call('POST', `/v1/missions/${mission.id}/runs`, {})).body.data;
  const open = await schedule({ to: '+13125550199', run_id: r.id, scheduled_at: inSeconds(7200) });
  await v1.call('PATCH', `/v1/missions/${mission.id}/runs/${r.id}`, { status: 'cancelled' });
  expect(await getEvent(open.body.id)).toMatchObject({ status: 'cancelled' });
  const res = await schedule({ to: '+13125550101', run_id: r.id });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('run_terminal');
});

test('M22: an identical open event returns the same id and dials once', async () => {
  const body = { to: '+13125550177', scheduled_at: inSeconds(120) };
  const first = await schedule(body);
  const second = await schedule(body);
  expect(first.status).toBe(201);
  expect(second.status).toBe(200);
  expect(second.body.id).toBe(first.body.id);
  await settle(first.body.id);
  expect(v1.lines.dials.filter((d) => d.to === '+13125550177')).toHaveLength(1);
});

test('M25: a callee who never answers is retried per the service rules and ends failed with retry_count 2', async () => {
  const res = await schedule({ to: '+13125550000' });
  const pending = await until(() => getEvent(res.body.id), (e) => e.retry_count >= 1);
  expect(pending).toMatchObject({ call_status: 'no-answer', next_attempt_at: expect.stringContaining('T') });
  const done = await settle(res.body.id);
  expect(done).toMatchObject({ status: 'failed', call_status: 'no-answer', retry_count: 2 });
  const dials = v1.lines.dials.filter((d) => d.to === '+13125550000');
  expect(dials).toHaveLength(3);
  // service: 30–120 min between attempts, here ×0.0001 → 180–720 ms.
  for (let i = 1; i < dials.length; i++) expect(dials[i].at - dials[i - 1].at).toBeGreaterThanOrEqual(170);
  // Operators filter events in the Temporal UI by assistant and call status.
  const query = `ParleyAssistantId = "${assistant.id}" AND ParleyCallStatus = "no-answer" AND ParleyEventId = "${res.body.id}"`;
  const found = await until(async () => {
    const ids: string[] = [];
    for await (const wf of v1.stack.client.workflow.list({ query })) ids.push(wf.workflowId);
    return ids;
  }, (ids) => ids.length > 0, 15_000);
  expect(found).toEqual([`event-${res.body.id}`]);
});

test('M26: busy then answer: retried after 10–15 min (scaled), then completed with retry_count 1', async () => {
  v1.lines.script('+13125550155', ['busy', 'answer']);
  const res = await schedule({ to: '+13125550155' });
  const done = await settle(res.body.id);
  expect(done).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 1 });
  const dials = v1.lines.dials.filter((d) => d.to === '+13125550155');
  expect(dials).toHaveLength(2);
  expect(dials[1].at - dials[0].at).toBeGreaterThanOrEqual(55); // 10 min × 0.0001 = 60 ms
});

test('M27: DELETE a pending event → 204, never dials, cancelled; a repeat is 204', async () => {
  const res = await schedule({ to: '+13125550166', scheduled_at: inSeconds(3600) });
  const del = await v1.call('DELETE', `/v1/assistants/${assistant.id}/events/${res.body.id}`);
  expect(del.status).toBe(204);
  expect(await getEvent(res.body.id)).toMatchObject({ status: 'cancelled', call_status: null });
  expect((await v1.call('DELETE', `/v1/assistants/${assistant.id}/events/${res.body.id}`)).status).toBe(204);
  await new Promise((r) => setTimeout(r, 600)); // past the scaled scheduled_at
  expect(v1.lines.dials.filter((d) => d.to === '+13125550166')).toHaveLength(0);
});

test('M28: DELETE a live call hangs it up (canceled); DELETE a completed event is 409', async () => {
  const res = await schedule({ to: '+13125550009' });
  await until(() => getEvent(res.body.id), (e) => e.call_status === 'ringing');
  const live = await v1.call('DELETE', `/v1/assistants/${assistant.id}/events/${res.body.id}`);
  expect({ status: live.status, body: live.body }).toEqual({ status: 204, body: {} });
  expect(await getEvent(res.body.id)).toMatchObject({ status: 'cancelled', call_status: 'canceled' });
  const done = await settle((await schedule({ to: '+13125550102' })).body.id);
  const del = await v1.call('DELETE', `/v1/assistants/${assistant.id}/events/${done.id}`);
  expect(del.status).toBe(409);
  expect(del.body.error.code).toBe('event_terminal');
});

test('SMS events: sent through the line, the reply is stored as inbound; schedule-sms needs no mission', async () => {
  const res = await v1.call('POST', `/v1/assistants/${assistant.id}/events`, { channel: 'sms', to: '+13125550120', from: LINE, scheduled_at: inSeconds(75), text_body: 'Your quote is ready' });
  expect(res.status).toBe(201);
  const done = await settle(res.body.id);
  expect(done).toMatchObject({ status: 'completed', call_status: null, mission_id: null });
  const messages = (await v1.call('GET', '/v1/messages?contact=%2B13125550120')).body.messages;
  expect(messages.map((m: Obj) => m.direction).sort()).toEqual(['inbound', 'outbound']);
});

test('Lines carry one call at a time: two events on one line never overlap', async () => {
  const a = await schedule({ to: '+13125550131' });
  const b = await schedule({ to: '+13125550132' });
  await settle(a.body.id);
  await settle(b.body.id);
  const calls = await v1.stack.testDb.db.callRecord.findMany({ where: { to: { in: ['+13125550131', '+13125550132'] } }, orderBy: { dialedAt: 'asc' } });
  expect(calls).toHaveLength(2);
  expect(calls[1].dialedAt!.getTime()).toBeGreaterThanOrEqual(calls[0].endedAt!.getTime());
});

test('§5c signals: pause holds attempts, resume releases them (resume on running 409); cancel cancels open events and the run', async () => {
  const r = (await v1.call('POST', `/v1/missions/${mission.id}/runs`, {})).body.data;
  const runBase = `/v1/missions/${mission.id}/runs/${r.id}`;
  await v1.call('PATCH', runBase, { status: 'running' });
  expect((await v1.call('POST', `${runBase}/resume`, {})).status).toBe(409);
  const paused = await v1.call('POST', `${runBase}/pause`, {});
  expect([paused.status, paused.body.data.status]).toEqual([202, 'paused']);
  const held = await schedule({ to: '+13125550188', run_id: r.id });
  await new Promise((res) => setTimeout(res, 800));
  expect(await getEvent(held.body.id)).toMatchObject({ status: 'pending' });
  expect(v1.lines.dials.filter((d) => d.to === '+13125550188')).toHaveLength(0);
  expect((await v1.call('POST', `${runBase}/resume`, {})).body.data.status).toBe('running');
  expect(await settle(held.body.id)).toMatchObject({ status: 'completed' });
  const later = await schedule({ to: '+13125550189', run_id: r.id, scheduled_at: inSeconds(7200) });
  const cancelled = await v1.call('POST', `${runBase}/cancel`, { reason: 'user changed plans' });
  expect([cancelled.status, cancelled.body.data.status, cancelled.body.data.result_summary]).toEqual([202, 'cancelled', 'user changed plans']);
  expect(await getEvent(later.body.id)).toMatchObject({ status: 'cancelled' });
  expect((await v1.call('POST', `${runBase}/cancel`, {})).status).toBe(409);
  expect((await v1.call('GET', `${runBase}/gates`)).body.data).toEqual([]);
});
