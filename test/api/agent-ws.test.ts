/** The agent WebSocket (contract §3, §5 Takeover; G32–G51 agent side). */
import type { AddressInfo } from 'node:net';
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';
import { TestAgent, type Msg } from '../support/agent';
import { callSessionWorkflowId } from '../../common/ids';
import { takeoverUpdate } from '../../workflows/call-session/messages';

const chats: Array<Array<{ role: string; content: string }>> = [];
let stack: Stack;
let base: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  stack = await startStack({ PARLEY_AGENT_TAKEOVER_TIMEOUT: '2' }, { engines: instantEngines({ chats }) });
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  base = `ws://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});
afterAll(async () => stack.close());

const connect = async (path = '/api/agent/ws?name=tester') => {
  const agent = await TestAgent.connect(`${base}${path}`);
  agents.push(agent);
  return agent;
};
const phone = { caller_number: '+15550100077', call_direction: 'outgoing' };
const newSession = async () => (await stack.app.inject({ method: 'POST', url: '/api/session/new' })).json().session_id as string;
const turn = (sid: string, words: string) => postTurn(stack.app, { ...phone, session_id: sid }, wavSaying(words));
const forSession = (sid: string) => (m: Msg) => m.session_id === sid;

test('G33 takeover of a live session → ack + agent.takeover; unknown or ended → ok false', async () => {
  const agent = await connect();
  const sid = await newSession();
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  const ev = await agent.event('agent.takeover', forSession(sid));
  expect(ev.data).toMatchObject({ session_id: sid, previous_agent_id: null });
  expect(typeof ev.agent_id).toBe('string');
  expect(await agent.request({ type: 'takeover', session_id: 'f'.repeat(32) })).toMatchObject({ ok: false });
  await stack.app.inject({ method: 'POST', url: '/api/session/end', payload: { session_id: sid } });
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: false });
});

test('G34/G35 a turn under takeover goes to the holder only; its reply is the answer (model agent)', async () => {
  const holder = await connect();
  const other = await connect();
  const sid = await newSession();
  await holder.request({ type: 'takeover', session_id: sid });
  const answered = turn(sid, 'what time is it');
  const request = await holder.next((m) => m.type === 'turn.request' && m.session_id === sid);
  expect(request).toMatchObject({ transcript: 'what time is it', session_id: sid });
  expect(request.timeout_ms).toBeGreaterThan(0);
  expect(typeof request.timestamp).toBe('number');
  holder.send({ reply: 'It is **noon**.', request_id: request.request_id });
  const res = await answered;
  expect(res.body).toMatchObject({ ok: true, reply: 'It is noon.', model: 'agent' });
  expect(res.body.metrics.llm_model).toBe('agent');
  const complete = await holder.event('turn.complete', forSession(sid));
  expect(complete).toMatchObject({ model: 'agent', reply_source: 'agent' });
  expect(other.received.some((m) => m.type === 'turn.request')).toBe(false);
  // G38: a late (already answered) or unknown request id → error, no other effect.
  holder.send({ reply: 'again', request_id: request.request_id });
  expect(await holder.next((m) => m.type === 'error' && m.error.code === 'unknown_request_id')).toBeTruthy();
  other.send({ reply: 'hi', request_id: 'nope' });
  expect(await other.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'unknown_request_id' } });
});

test('G36 a silent holder → the LLM answers after agent_takeover_timeout (fallback); the next turn asks the agent again', async () => {
  const holder = await connect();
  const sid = await newSession();
  await holder.request({ type: 'takeover', session_id: sid });
  const first = await turn(sid, 'anyone there');
  expect(first.body).toMatchObject({ ok: true, model: 'instant-test-model', reply: 'You said: anyone there' });
  const complete = await holder.event('turn.complete', forSession(sid));
  expect(complete.reply_source).toBe('fallback');
  const second = turn(sid, 'hello again');
  const request = await holder.next((m) => m.type === 'turn.request' && m.transcript === 'hello again');
  holder.send({ reply: 'Back now.', request_id: request.request_id });
  expect((await second).body).toMatchObject({ reply: 'Back now.', model: 'agent' });
});

test('G39 last takeover wins, the first holder gets agent.release(superseded); G40 release', async () => {
  const first = await connect();
  const second = await connect();
  const sid = await newSession();
  await first.request({ type: 'takeover', session_id: sid });
  await second.request({ type: 'takeover', session_id: sid });
  const released = await first.event('agent.release', (m) => m.session_id === sid && m.reason === 'superseded');
  const secondId = (await second.event('agent.takeover', (m) => m.session_id === sid && m.previous_agent_id !== null)).agent_id;
  expect(released.agent_id).not.toBe(secondId);
  // The non-holder cannot release; the holder can.
  expect(await first.request({ type: 'release', session_id: sid })).toMatchObject({ ok: false, session_id: sid });
  expect(await second.request({ type: 'release', session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  await second.event('agent.release', (m) => m.session_id === sid && m.reason === 'release');
  const after = await turn(sid, 'are you there');
  expect(after.body.model).not.toBe('agent');
});

test('G41 a holder that disconnects releases only its takeovers, and its pending turn falls back at once', async () => {
  const watcher = await connect();
  const holder = await connect();
  const keeper = await connect();
  const sid = await newSession();
  const kept = await newSession();
  await holder.request({ type: 'takeover', session_id: sid });
  await keeper.request({ type: 'takeover', session_id: kept });
  const pending = turn(sid, 'hold on');
  await holder.next((m) => m.type === 'turn.request' && m.session_id === sid);
  const started = Date.now();
  await holder.close();
  const res = await pending;
  expect(Date.now() - started).toBeLessThan(1500); // not the 2 s takeover timeout
  expect(res.body.model).toBe('instant-test-model');
  await watcher.event('agent.release', (m) => m.session_id === sid && m.reason === 'disconnect');
  await watcher.event('agent.disconnected');
  const state = (await stack.app.inject({ method: 'GET', url: `/api/agent/call/${kept}` })).json();
  expect(state.takeover_agent_id).not.toBeNull();
});

test('G42 ending a session under takeover → session.ended and agent.release(session_ended), no more turn.request', async () => {
  const holder = await connect();
  const sid = await newSession();
  await holder.request({ type: 'takeover', session_id: sid });
  expect(await holder.request({ type: 'end_session', session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  await holder.event('session.ended', (m) => m.session_id === sid && m.reason === 'end_session');
  await holder.event('agent.release', (m) => m.session_id === sid && m.reason === 'session_ended');
  expect((await turn(sid, 'hello')).body).toMatchObject({ ok: false, ended: true });
  expect(holder.received.some((m) => m.type === 'turn.request' && m.session_id === sid)).toBe(false);
});

test('G43–G45 every socket gets every event in the envelope, seq +1, data mirrored; session-less events have ""', async () => {
  const a = await connect();
  const b = await connect('/ws/events');
  const sid = await newSession();
  const ea = await a.event('session.started', forSession(sid));
  const eb = await b.event('session.started', forSession(sid));
  expect(ea.seq).toBe(eb.seq);
  expect(Object.keys(ea)).toEqual(expect.arrayContaining(['type', 'timestamp', 'session_id', 'seq', 'data']));
  expect(ea.source).toBe('api');
  expect(ea.data.source).toBe('api');
  const connected = await a.event('agent.connected');
  expect(connected.session_id).toBe('');
  await turn(sid, 'one');
  await a.event('turn.complete', forSession(sid));
  const seqs = a.received.filter((m) => typeof m.seq === 'number').map((m) => m.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
});

test('G46 subscribe(since) → ack, exactly the events after since in order, then live, no duplicates', async () => {
  const sid = await newSession();
  await turn(sid, 'first words');
  const latest = (await stack.testDb.db.event.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
  const since = latest - 5;
  const agent = await connect();
  const ack = await agent.request({ type: 'subscribe', since });
  expect(ack).toMatchObject({ ok: true, since, truncated: false });
  expect(ack.latest_seq).toBeGreaterThanOrEqual(latest);
  await turn(sid, 'second words');
  await agent.event('turn.complete', (m) => m.transcript === 'second words');
  const afterAck = agent.received.slice(agent.received.findIndex((m) => m.type === 'subscribe.ack') + 1);
  const seqs = afterAck.filter((m) => typeof m.seq === 'number').map((m) => m.seq);
  expect(seqs[0]).toBe(since + 1);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
  expect(ack.replayed).toBe(ack.latest_seq - since);
});

test('G47 bad JSON, missing and unknown types get errors and the socket stays open; ping → pong on both sockets', async () => {
  for (const path of ['/api/agent/ws', '/ws/events']) {
    const s = await connect(path);
    s.send('{nope');
    expect(await s.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'invalid_json' } });
    s.send({ hello: 1 });
    expect(await s.next((m) => m.type === 'error' && m.error.code === 'missing_type')).toBeTruthy();
    s.send({ type: 'frobnicate' });
    expect(await s.next((m) => m.type === 'error' && m.error.code === 'unknown_type')).toBeTruthy();
    expect(await s.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  }
  const events = await connect('/ws/events');
  events.send({ type: 'takeover', session_id: 'x' });
  expect(await events.next((m) => m.type === 'error' && m.error.code === 'unknown_type')).toBeTruthy();
});

test('G48 set_instructions: global and missing sid → the old errors; session/turn → ok + instructions.updated; G27 effect', async () => {
  const agent = await connect();
  const sid = await newSession();
  expect(await agent.request({ type: 'set_instructions', scope: 'global', instructions: 'x' })).toMatchObject({ ok: false, error: 'Global scope disabled. Use session or turn scope.' });
  expect(await agent.request({ type: 'set_instructions', instructions: 'x' })).toMatchObject({ ok: false, error: 'Missing session_id for session/turn scope.' });
  expect(await agent.request({ type: 'set_instructions', scope: 'session', session_id: sid, instructions: 'You are a pirate.' })).toMatchObject({ ok: true, scope: 'session' });
  expect(await agent.request({ type: 'set_instructions', session_id: sid, instructions: 'Mention the weather.' })).toMatchObject({ ok: true, scope: 'turn' });
  await agent.event('instructions.updated', (m) => m.session_id === sid && m.scope === 'turn');
  const before = chats.length;
  await turn(sid, 'ahoy');
  expect(chats[before][0].content).toBe('You are a pirate.\n\nMention the weather.');
  await turn(sid, 'again');
  expect(chats[before + 1][0].content).toBe('You are a pirate.');
});

test('G49 set_call_config skips security keys and applies tts_voice; G50 get_call_state', async () => {
  const agent = await connect();
  const ack = await agent.request({ type: 'set_call_config', config: { tts_voice: 'en-gb', auth_passphrase: 'open sesame', caller_blocklist: ['+15550000000'], greeting_owner: 'Ada' } });
  expect(ack).toMatchObject({ ok: true });
  expect(ack.ignored.sort()).toEqual(['auth_passphrase', 'caller_blocklist']);
  const call = (await stack.app.inject({ method: 'GET', url: '/api/config/call' })).json();
  expect(call).toMatchObject({ greeting_owner: 'Ada', auth_required: false, caller_blocklist: [] });
  const setting = await stack.testDb.db.setting.findUnique({ where: { key: 'tts_voice' } });
  expect(setting?.value).toBe('en-gb');

  const sid = await newSession();
  await turn(sid, 'state please');
  const state = await agent.request({ type: 'get_call_state', session_id: sid }, 'call_state');
  expect(state).toMatchObject({ session_id: sid, status: 'active', turn_count: 1, agent_takeover: false });
  expect(state.history).toEqual([{ role: 'user', content: 'state please' }, { role: 'assistant', content: 'You said: state please' }]);
  expect(state.instructions).toHaveProperty('base');
});

test('G51 inject_context reaches the next LLM request; clear_context removes it; G32 WS inject → inject.ack + live audio', async () => {
  const agent = await connect();
  const sid = await newSession();
  expect(await agent.request({ type: 'inject_context', session_id: sid, context: 'Table 4 is free.\nOpen till 10.' })).toMatchObject({ ok: true });
  expect(await agent.request({ type: 'inject_context', session_id: sid, context: '' })).toMatchObject({ ok: false });
  await agent.event('agent.context_injected', forSession(sid));
  let before = chats.length;
  await turn(sid, 'any tables');
  expect(chats[before][0].content).toContain('IMPORTANT — use the following facts when answering:\nTable 4 is free. Open till 10.');
  expect(await agent.request({ type: 'clear_context', session_id: sid })).toMatchObject({ ok: true });
  before = chats.length;
  await turn(sid, 'and now');
  expect(chats[before][0].content).not.toContain('IMPORTANT');

  const ack = await agent.request({ type: 'inject', session_id: sid, text: 'Your order is ready.' });
  expect(ack).toMatchObject({ ok: true, session_id: sid, queue_depth: 1 });
  expect(typeof ack.inject_id).toBe('string');
  const ev = await agent.event('agent.inject', forSession(sid));
  expect(ev).toMatchObject({ text: 'Your order is ready.', inject_id: ack.inject_id });
  expect(typeof ev.data.audio_base64).toBe('string');
  expect(ev.audio_base64).toBeUndefined();
  expect(await agent.request({ type: 'inject', text: 'x', session_id: 'f'.repeat(32) })).toMatchObject({ ok: false });
});

test('G30/G31 WS inject without a sid goes to the most recently active session; unknown → ok false', async () => {
  const agent = await connect();
  await newSession();
  const latest = await newSession();
  await turn(latest, 'most recent'); // activity makes it the most recently active
  const ack = await agent.request({ type: 'inject', text: 'For the latest call.' });
  expect(ack).toMatchObject({ ok: true, session_id: latest });
  expect(await agent.request({ type: 'inject', session_id: latest })).toMatchObject({ ok: false, error: 'text required' });
});

test('the takeovers of an API process that died are released by another once its heartbeat is stale', async () => {
  const watcher = await connect();
  const sid = await newSession();
  const ghost = 'agent-deadbeef0000-1';
  await stack.client.workflow.getHandle(callSessionWorkflowId(sid)).executeUpdate(takeoverUpdate, { args: [{ agentId: ghost }] });
  // The row its (crashed) process left behind, last refreshed an hour ago.
  await stack.testDb.db.agentConnection.create({ data: { agentId: ghost, name: 'ghost', instanceId: 'deadbeef0000', seenAt: new Date(Date.now() - 3_600_000) } });
  // The sweep runs every 15 s.
  await watcher.event('agent.release', (m) => m.session_id === sid && m.agent_id === ghost && m.reason === 'disconnect', 25_000);
  await watcher.event('agent.disconnected', (m) => m.agent_id === ghost, 5_000);
  expect(await stack.testDb.db.agentConnection.count({ where: { agentId: ghost } })).toBe(0);
  const state = (await stack.app.inject({ method: 'GET', url: `/api/agent/call/${sid}` })).json();
  expect(state.takeover_agent_id).toBeNull();
});
