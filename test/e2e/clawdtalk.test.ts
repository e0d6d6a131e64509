/**
 * The ClawdTalk client's command sequence (telnyx_api.py: init, setup-agent, schedule-call,
 * get-event until completed, get-insights, log-event, update-step, complete) replayed over HTTP
 * exactly as the client sends it, against a fresh `npm start` with simulated lines, checking
 * every response field the client reads (M57–M60, M62). Then: a number that never answers is
 * retried and fails, a cancelled event never dials, and killing the worker and the API while a
 * call is scheduled loses nothing (M56). Waits run ×0.001 (PARLEY_MISSION_TIME_SCALE).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { ROOT, TMP_DIR } from '../support/paths';

jest.setTimeout(300_000);

type Obj = Record<string, any>;
let llm: FakeOpenAIServer;
let parley: Started;
let base: string;
let key: string;
let api: string;

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply((messages) =>
    messages[0]?.content.startsWith('You extract insights') ? '{"summary": "They quoted 240 dollars for Thursday", "price_usd": 240}' : 'Thanks, noted. Goodbye.',
  );
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const personas = path.join(TMP_DIR, `clawdtalk-personas-${process.pid}.json`);
  const talker = { name: 'Long talker', voice: 'en-us', speed: 1, lines: Array.from({ length: 40 }, (_, i) => `This is line ${i + 1} of a long conversation about prices.`) };
  fs.writeFileSync(
    personas,
    JSON.stringify({ default: { name: 'Short quote', voice: 'en-us', speed: 1, lines: ['Hello, the price is two hundred forty dollars.', 'Thursday works. Bye.'] }, '+13125550404': talker, '+13125550505': talker }),
  );
  const ports = await embeddedEnv({
    PARLEY_SIM_PACE: 'fast',
    PARLEY_SIM_PERSONAS: personas,
    PARLEY_LLM_BASE_URL: llm.url,
    PARLEY_ASR_BASE_URL: llm.url,
    PARLEY_TTS_BASE_URL: llm.url,
    PARLEY_MISSION_TIME_SCALE: '0.001',
    PARLEY_OWNER_PHONE: '+15550109999',
    // A session whose phone died (with a killed worker) ends 5 s later rather than 60.
    PARLEY_SESSION_TTL: '5',
  });
  // `npx parley keys create` prints the key alone on its last line.
  const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'parley.js'), 'keys', 'create', '--name', 'clawdtalk'], { env: ports.env, encoding: 'utf8' });
  key = out.trim().split('\n').at(-1)!;
  expect(key).toMatch(/^prl_live_[0-9A-Za-z]{32}$/);
  parley = await npmStart(ports.env);
  api = `http://127.0.0.1:${ports.port}`;
  base = `${api}/v1`; // CLAWDTALK_API_URL
});
afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
  await llm?.close();
});

/** telnyx_api.py's api_request: Bearer + JSON content type always; a body only when `data` is truthy. */
async function request(method: string, endpoint: string, data?: Obj): Promise<Obj> {
  const body = data && Object.keys(data).length > 0 ? JSON.stringify(data) : undefined;
  const res = await fetch(`${base}${endpoint}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`HTTP Error ${res.status}: ${text}`);
  const parsed = text ? JSON.parse(text) : {};
  // The client calls .get() on whatever it parses.
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  return parsed;
}
const get = (o: Obj, k: string, fallback: unknown) => (k in o ? o[k] : fallback);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

async function getEvent(aid: string, eid: string) {
  const result = await request('GET', `/assistants/${aid}/events/${eid}`);
  const event = get(result, 'event', result);
  // get_scheduled_event: status, call_status, conversation_id, retry_count > 0.
  expect(typeof event.status).toBe('string');
  expect(Number.isInteger(event.retry_count)).toBe(true);
  expect(event).toHaveProperty('call_status');
  expect(event).toHaveProperty('conversation_id');
  return event;
}

async function eventUntil(aid: string, eid: string, statuses: string[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let event = await getEvent(aid, eid);
  while (!statuses.includes(event.status) && Date.now() < deadline) {
    await sleep(500);
    event = await getEvent(aid, eid);
  }
  return event;
}

let assistantId = '';
let agentPhone = '';

test('init → setup-agent → schedule-call → get-event → get-insights → log-event → update-step → complete', async () => {
  // init <name> <instructions> <request> <steps_json>
  let result = await request('POST', '/missions', { name: 'Find window washers', instructions: 'Call firms and get quotes' });
  const mission = get(result, 'mission', get(result, 'data', result));
  const missionId = mission.id || mission.mission_id;
  expect(missionId).toEqual(expect.any(String));
  result = await request('POST', `/missions/${missionId}/runs`, { input: { original_request: 'Find me a window washer for Thursday' } });
  const run = get(result, 'data', result);
  const runId = run.run_id || run.id;
  expect(runId).toEqual(expect.any(String));
  const steps = [{ step_id: 'call_1', description: 'Call Clear View', sequence: 1 }];
  result = await request('POST', `/missions/${missionId}/runs/${runId}/plan`, { steps });
  expect(result).toHaveProperty('data');
  result = await request('PATCH', `/missions/${missionId}/runs/${runId}`, { status: 'running' });
  expect(get(result, 'data', {}).status).toBe('running');

  // setup-agent <slug> <name> <instructions> <greeting>
  result = await request('POST', '/assistants', {
    name: 'Quote caller',
    model: 'openai/gpt-4o',
    instructions: 'Ask for a window washing quote for Thursday',
    greeting: '',
    tools: [
      { type: 'hangup', hangup: { description: 'To be used whenever the conversation has ended and it would be appropriate to hangup the call.' } },
      { type: 'send_dtmf', send_dtmf: {} },
    ],
    enabled_features: ['telephony', 'messaging'],
  });
  const assistant = get(result, 'assistant', result);
  assistantId = assistant.id;
  expect(assistantId).toEqual(expect.any(String));
  result = await request('POST', `/missions/${missionId}/runs/${runId}/agents`, { telnyx_agent_id: assistantId });
  expect(get(result, 'data', {}).telnyx_agent_id).toBe(assistantId);
  result = await request('GET', '/numbers/account-phones/available');
  const phone = result.phone;
  expect(phone.phone_number).toBe('+15550100001'); // "Found available: +15550100001"
  expect(phone.id).toEqual(expect.any(String));
  agentPhone = phone.phone_number;
  result = await request('GET', `/assistants/${assistantId}/connection-id?feature=telephony`);
  expect(result.connection_id).toEqual(expect.any(String));
  result = await request('PATCH', `/numbers/account-phones/${phone.id}`, { connection_id: result.connection_id, type: 'voice' });
  expect(get(result, 'data', {}).connection_id).toEqual(expect.any(String));
  const phones = get(await request('GET', '/numbers/account-phones'), 'data', []);
  for (const n of phones) expect([typeof n.id, typeof n.phone_number]).toEqual(['string', 'string']);

  // schedule-call <assistant_id> <to> <from> <datetime> <mission_id> <run_id> [step_id]
  result = await request('POST', `/assistants/${assistantId}/events`, {
    channel: 'call',
    to: '+13125550101',
    from: agentPhone,
    scheduled_at: inSeconds(90),
    mission_id: missionId,
    run_id: runId,
    step_id: 'call_1',
  });
  const eventId = get(result, 'event', result).id;
  expect(eventId).toEqual(expect.any(String));

  // get-event until completed: "Status: completed, call_status: completed, conversation_id: …"
  const event = await eventUntil(assistantId, eventId, ['completed', 'failed', 'cancelled']);
  expect(event).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 0 });
  expect(event.conversation_id).toEqual(expect.any(String));

  // get-insights <conversation_id>: "Insight: …"
  result = await request('GET', `/missions/conversations/${event.conversation_id}/insights`);
  const insights = get(result, 'data', []);
  const printed = insights.filter((i: Obj) => i.status === 'completed').flatMap((i: Obj) => get(i, 'conversation_insights', []).map((ci: Obj) => ci.result));
  expect(printed).toEqual(['They quoted 240 dollars for Thursday']);

  // log-event <mission_id> <run_id> <type> <summary> <step_id> [payload_json]
  result = await request('POST', `/missions/${missionId}/runs/${runId}/events`, { type: 'custom', summary: 'Clear View quoted $240', agent_id: 'claude-code', step_id: 'call_1', payload: { price: 240 } });
  expect(get(result, 'data', {}).seq).toEqual(expect.any(Number));
  // update-step: the event workflow already completed the step; re-sending is a no-op.
  result = await request('PATCH', `/missions/${missionId}/runs/${runId}/plan/steps/call_1`, { status: 'completed' });
  expect(get(result, 'data', {}).status).toBe('completed');
  // list-runs needs run_id and status on every item.
  for (const r of get(await request('GET', `/missions/${missionId}/runs`), 'data', [])) expect([typeof r.run_id, typeof r.status]).toEqual(['string', 'string']);

  // complete <slug> <mission_id> <run_id> <summary> [payload_json]
  await request('PATCH', `/missions/${missionId}/runs/${runId}`, { status: 'succeeded', result_summary: 'Clear View: $240 on Thursday', result_payload: { best: 'Clear View' } });
  const final = get(await request('GET', `/missions/${missionId}/runs/${runId}`), 'data', {});
  expect(final).toMatchObject({ status: 'succeeded', result_summary: 'Clear View: $240 on Thursday', result_payload: { best: 'Clear View' } });

  // The callee's turns were answered with the assistant's instructions as the system prompt.
  const chats = llm.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => JSON.stringify(r.body));
  expect(chats.some((c) => c.includes('Ask for a window washing quote for Thursday') && !c.includes('You extract insights'))).toBe(true);
  // The conversation is a real simulated call: answered, talked, hung up.
  expect(await request('GET', `/calls/${event.conversation_id}`)).toMatchObject({ call_id: event.conversation_id, status: 'completed', outcome: 'answered', to: '+13125550101' });
});

test('a number that never answers is retried and fails with retry_count 2; a cancelled event never dials', async () => {
  let result = await request('POST', `/assistants/${assistantId}/events`, { channel: 'call', to: '+13125550000', from: agentPhone, scheduled_at: inSeconds(75) });
  const noAnswer = get(result, 'event', result).id;
  result = await request('POST', `/assistants/${assistantId}/events`, { channel: 'call', to: '+13125550222', from: '+15550100002', scheduled_at: inSeconds(7200) });
  const cancelled = get(result, 'event', result).id;
  await request('DELETE', `/assistants/${assistantId}/events/${cancelled}`);
  const failed = await eventUntil(assistantId, noAnswer, ['completed', 'failed', 'cancelled'], 120_000);
  expect(failed).toMatchObject({ status: 'failed', call_status: 'no-answer', retry_count: 2 });
  await sleep(8000); // past the cancelled event's (scaled) scheduled_at
  expect(await getEvent(assistantId, cancelled)).toMatchObject({ status: 'cancelled', call_status: null, conversation_id: null });
});

test('M56: killing the worker and the API while a call is scheduled loses nothing and dials once', async () => {
  const result = await request('POST', `/assistants/${assistantId}/events`, { channel: 'call', to: '+13125550303', from: agentPhone, scheduled_at: inSeconds(3 * 3600) }); // ×0.001 → ~11 s
  const eventId = get(result, 'event', result).id;
  for (const entry of ['worker/main.ts', 'api/server.ts']) {
    const pid = childRunning(parley, entry);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
  }
  // The API comes back (the supervisor restarts both); the event completes once.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await request('GET', `/assistants/${assistantId}/events/${eventId}`);
      break;
    } catch {
      await sleep(500);
    }
  }
  const event = await eventUntil(assistantId, eventId, ['completed', 'failed', 'cancelled']);
  expect(event).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 0 });
  const list = get(await request('GET', `/assistants/${assistantId}/events`), 'data', []);
  expect(list.filter((e: Obj) => e.to === '+13125550303')).toHaveLength(1);
});

async function apiBack() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      return await request('GET', '/numbers/account-phones');
    } catch {
      await sleep(300);
    }
  }
  throw new Error('the API did not come back');
}

test('M56: the API killed mid-call: the call completes, nothing is dialled twice', async () => {
  const result = await request('POST', `/assistants/${assistantId}/events`, { channel: 'call', to: '+13125550404', from: agentPhone, scheduled_at: inSeconds(75) });
  const eventId = get(result, 'event', result).id;
  const live = await eventUntil(assistantId, eventId, ['in_progress'], 60_000);
  expect(live.status).toBe('in_progress');
  while ((await getEvent(assistantId, eventId)).call_status !== 'in-progress') await sleep(100);
  process.kill(childRunning(parley, 'api/server.ts')!, 'SIGKILL');
  await apiBack();
  const event = await eventUntil(assistantId, eventId, ['completed', 'failed', 'cancelled']);
  expect(event).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 0, outcome: 'answered' });
});

test('M56: the worker killed mid-call: the retried attempt follows the call instead of dialling again', async () => {
  const result = await request('POST', `/assistants/${assistantId}/events`, { channel: 'call', to: '+13125550505', from: agentPhone, scheduled_at: inSeconds(75) });
  const eventId = get(result, 'event', result).id;
  const deadline = Date.now() + 60_000;
  while ((await getEvent(assistantId, eventId)).call_status !== 'in-progress' && Date.now() < deadline) await sleep(100);
  process.kill(childRunning(parley, 'worker/main.ts')!, 'SIGKILL');
  // The attempt's heartbeat times out (30 s), its retry finds the dial recorded and follows the session.
  const event = await eventUntil(assistantId, eventId, ['completed', 'failed', 'cancelled'], 150_000);
  expect(event).toMatchObject({ status: 'completed', call_status: 'completed', retry_count: 0 });
  const call = await request('GET', `/calls/${event.conversation_id}`);
  expect(call).toMatchObject({ status: 'completed', outcome: 'answered', reason: 'followed after a worker restart' });
});
