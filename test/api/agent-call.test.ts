/** Agent REST on one call (contract §4.1): G51 over REST, G52, G53, G54. */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const chats: Array<Array<{ role: string; content: string }>> = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ chats }) });
});
afterAll(async () => stack.close());

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => stack.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } });
const open = async () => (await call('POST', '/api/session/new')).json().session_id as string;
const llmSystemPromptAfterTurn = async (sid: string, words: string) => {
  const before = chats.length;
  await postTurn(stack.app, { session_id: sid, call_direction: 'outgoing' }, wavSaying(words));
  expect(chats.length).toBe(before + 1);
  return chats.at(-1)![0].content;
};

test('G52 context with no active session → 404; G53 never-seen call → status unknown; G54 stubs', async () => {
  for (const method of ['GET', 'POST', 'DELETE'] as const) {
    const res = await call(method, '/api/agent/context/_active', method === 'POST' ? { context: 'x' } : undefined);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: 'no active session' });
  }
  expect((await call('GET', '/api/agent/context/never-seen')).statusCode).toBe(404);

  const unknown = (await call('GET', '/api/agent/call/never-seen')).json();
  expect(unknown).toMatchObject({ session_id: 'never-seen', status: 'unknown', turn_count: 0, history: [], agent_takeover: false, ended_at: null });
  expect(unknown.instructions).toEqual({ base: expect.any(String), session: '', pending_turn: '' });

  expect((await call('POST', '/api/agent/takeover', { session_id: 'x' })).json()).toEqual({ ok: false, detail: 'Use WebSocket /api/agent/ws for takeover' });
  expect((await call('POST', '/api/agent/release')).json()).toEqual({ ok: false, detail: 'Use WebSocket /api/agent/ws for release' });
});

test('G51 (REST) context reaches the next LLM request, flattened; DELETE removes it; G52 _active and empty POST', async () => {
  const older = await open();
  const sid = await open();
  await postTurn(stack.app, { session_id: sid, call_direction: 'outgoing' }, wavSaying('hi')); // sid is now the most recently active

  const empty = await call('POST', '/api/agent/context/_active', { context: '   ' });
  expect(empty.statusCode).toBe(400);
  expect(empty.json()).toEqual({ detail: 'context is required' });
  expect((await call('POST', '/api/agent/context/_active', {})).statusCode).toBe(400);

  expect((await call('POST', '/api/agent/context/_active', { context: 'The shop closes at 6.\nParking is free.' })).json()).toEqual({ ok: true, session_id: sid });
  expect((await call('GET', '/api/agent/context/_active')).json()).toEqual({ session_id: sid, knowledge: 'The shop closes at 6. Parking is free.', has_knowledge: true });
  expect((await call('GET', `/api/agent/context/${older}`)).json()).toEqual({ session_id: older, knowledge: '', has_knowledge: false });

  const withFacts = await llmSystemPromptAfterTurn(sid, 'when do you close?');
  expect(withFacts).toMatch(/\n\nIMPORTANT — use the following facts when answering:\nThe shop closes at 6\. Parking is free\.$/);
  const state = (await call('GET', `/api/agent/call/${sid}`)).json();
  expect(state).toMatchObject({ session_id: sid, status: 'active', context: 'The shop closes at 6. Parking is free.', agent_takeover: false, takeover_agent_id: null });
  expect(state.turn_count).toBe(2);
  expect(state.history.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);

  expect((await call('DELETE', `/api/agent/context/${sid}`)).json()).toEqual({ ok: true, session_id: sid });
  expect(await llmSystemPromptAfterTurn(sid, 'and parking?')).not.toMatch(/IMPORTANT/);
  expect((await call('GET', `/api/agent/context/${sid}`)).json().has_knowledge).toBe(false);

  const types = (await stack.testDb.db.event.findMany({ where: { sessionId: sid, type: { startsWith: 'agent.context' } }, orderBy: { seq: 'asc' } })).map((e) => e.type);
  expect(types).toEqual(['agent.context_injected', 'agent.context_cleared']);
});

test('G54 /api/agent/sessions lists active sids, most recent first; ended sessions leave; context on ended → 409', async () => {
  const a = await open();
  const b = await open();
  await postTurn(stack.app, { session_id: a, call_direction: 'outgoing' }, wavSaying('me first'));
  const list = (await call('GET', '/api/agent/sessions')).json() as string[];
  expect(list.indexOf(a)).toBeLessThan(list.indexOf(b));
  expect(list[0]).toBe(a);
  await call('POST', '/api/session/end', { session_id: a });
  expect((await call('GET', '/api/agent/sessions')).json()).not.toContain(a);
  expect((await call('GET', `/api/agent/call/${a}`)).json()).toMatchObject({ status: 'ended', agent_takeover: false });
  expect((await call('POST', `/api/agent/context/${a}`, { context: 'late' })).statusCode).toBe(409);
});
