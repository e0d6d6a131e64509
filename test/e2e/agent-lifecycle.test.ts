/**
 * The seed guide's agent lifecycle against a fresh `npm start` and the built-in SIMULATED phone
 * (the LLM is a local OpenAI-compatible TEST server over real HTTP): connect, dial, discover the
 * session, inject a greeting, take over, answer three turn.requests, release, see the LLM answer
 * again, hang up, see session.ended. Then the same takeover across a worker kill, and an agent
 * reconnecting after an API restart without missing an event.
 */
import { startFakeOpenAIServer, FakeOpenAIServer } from '../support/fake-openai-server';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, Started } from '../support/npm-start';
import { TestAgent, type Msg } from '../support/agent';

jest.setTimeout(300_000);

let llm: FakeOpenAIServer;
let parley: Started;
let api: string;
let ws: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply(() => 'The assistant heard you.');
  const ports = await embeddedEnv({ PARLEY_LLM_BASE_URL: llm.url, PARLEY_LLM_MODEL: 'local-test-model', PARLEY_SIM_PACE: 'fast' });
  api = `http://127.0.0.1:${ports.port}`;
  ws = `ws://127.0.0.1:${ports.port}/api/agent/ws?name=seed`;
  parley = await npmStart(ports.env);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close().catch(() => undefined)));
});
afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
  await llm?.close();
});

const post = (path: string, body: object = {}) =>
  fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

async function connect(): Promise<TestAgent> {
  const agent = await TestAgent.connect(ws);
  agents.push(agent);
  return agent;
}

/** DISCOVER (seed guide): the first event with a non-empty session_id. */
async function discover(agent: TestAgent, after: number): Promise<string> {
  const ev = await agent.next((m) => typeof m.seq === 'number' && m.seq > after && typeof m.session_id === 'string' && m.session_id !== '', 60_000);
  return ev.session_id;
}

/** Answers the next n turn.requests of a session by echoing their request_id. */
async function answer(agent: TestAgent, sid: string, n: number, between?: (i: number) => Promise<void>): Promise<Msg[]> {
  const answered: Msg[] = [];
  for (let i = 0; i < n; i++) {
    const request = await agent.next((m) => m.type === 'turn.request' && m.session_id === sid && !answered.some((a) => a.request_id === m.request_id), 90_000);
    agent.send({ reply: `Agent answer ${i + 1}.`, request_id: request.request_id });
    answered.push(request);
    await agent.event('turn.complete', (m) => m.session_id === sid && m.reply === `Agent answer ${i + 1}.`, 30_000);
    if (between) await between(i);
  }
  return answered;
}

const latestSeq = (agent: TestAgent) => Math.max(0, ...agent.received.filter((m) => typeof m.seq === 'number').map((m) => m.seq as number));

test('the seed lifecycle: dial, discover, inject, takeover, three agent turns, release, LLM again, hang up', async () => {
  const agent = await connect();
  const mark = latestSeq(agent);
  const dial = await post('/api/call/dial', { number: '+15550100061' });
  expect(dial).toMatchObject({ ok: true });
  const sid = await discover(agent, mark);
  await agent.event('session.started', (m) => m.session_id === sid);

  const inject = await agent.request({ type: 'inject', session_id: sid, text: 'Hello from your agent.' });
  expect(inject).toMatchObject({ ok: true, session_id: sid });
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  await agent.event('turn.complete', (m) => m.session_id === sid && m.model === 'inject', 60_000);

  await answer(agent, sid, 3);
  expect(await agent.request({ type: 'release', session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  const after = await agent.event('turn.complete', (m) => m.session_id === sid && m.seq > latestSeq(agent) - 1 && m.model !== 'agent' && m.model !== 'inject', 60_000);
  expect(after.model).toBe('local-test-model');

  expect(await post('/api/call/hangup', { session_id: sid })).toMatchObject({ ok: true, session_id: sid });
  await agent.event('session.ended', (m) => m.session_id === sid && m.reason === 'hangup');
  const turns = ((await fetch(`${api}/api/sessions/${sid}`).then((r) => r.json())) as { turns: unknown }).turns as Array<{ model: string; reply: string }>;
  expect(turns.filter((t) => t.model === 'agent').map((t) => t.reply)).toEqual(['Agent answer 1.', 'Agent answer 2.', 'Agent answer 3.']);
});

test('a takeover survives the worker being killed: the restarted worker keeps sending turn.requests', async () => {
  const agent = await connect();
  const mark = latestSeq(agent);
  await post('/api/call/dial', { number: '+15550100062' });
  const sid = await discover(agent, mark);
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true });
  let killed = false;
  await answer(agent, sid, 3, async (i) => {
    if (i !== 0) return;
    const worker = childRunning(parley, 'worker/main.ts');
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    killed = true;
  });
  expect(killed).toBe(true);
  const state = await agent.request({ type: 'get_call_state', session_id: sid }, 'call_state');
  expect(state.takeover_agent_id).not.toBeNull();
  expect(state.agent_takeover).toBe(true);
  expect(agent.received.some((m) => m.type === 'agent.release' && m.session_id === sid)).toBe(false);
  await post('/api/call/hangup', { session_id: sid });
  await agent.event('agent.release', (m) => m.session_id === sid && m.reason === 'session_ended', 30_000);
});

test('after an API restart the agent reconnects, subscribes with since, misses nothing, and sees its takeover released', async () => {
  const agent = await connect();
  const mark = latestSeq(agent);
  await post('/api/call/dial', { number: '+15550100063' });
  const sid = await discover(agent, mark);
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true });
  await agent.event('agent.takeover', (m) => m.session_id === sid);
  const since = latestSeq(agent);

  const apiPid = childRunning(parley, 'api/server.ts');
  expect(apiPid).toBeDefined();
  process.kill(apiPid!, 'SIGTERM'); // the supervisor restarts it
  await new Promise<void>((resolve) => (agent.ws.readyState === agent.ws.CLOSED ? resolve() : agent.ws.once('close', () => resolve())));

  let again: TestAgent | undefined;
  const deadline = Date.now() + 120_000;
  while (!again && Date.now() < deadline) {
    again = await connect().catch(() => undefined);
    if (!again) await new Promise((r) => setTimeout(r, 500));
  }
  expect(again).toBeDefined();
  const ack = await again!.request({ type: 'subscribe', since });
  expect(ack).toMatchObject({ ok: true, since, truncated: false });
  const release = await again!.event('agent.release', (m) => m.session_id === sid && m.reason === 'disconnect');
  // Nothing missed: every seq after `since` arrives, in order, without duplicates.
  await again!.event('agent.connected', (m) => m.seq >= ack.latest_seq);
  const afterAck = again!.received.slice(again!.received.findIndex((m) => m.type === 'subscribe.ack') + 1);
  const seqs = afterAck.filter((m) => typeof m.seq === 'number').map((m) => m.seq as number);
  expect(seqs[0]).toBe(since + 1);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
  expect(release.seq).toBeGreaterThan(since);
});
