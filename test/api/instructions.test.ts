/** /api/instructions over REST (contract §4.1): G27 and the instructions.updated events. */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { DEFAULT_SYSTEM_PROMPT } from '../../infra/settings';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const chats: Array<Array<{ role: string; content: string }>> = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ chats }) });
});
afterAll(async () => stack.close());

// session/new, not a greeting: a greeting would supersede the phone's other open sessions.
const open = async () => (await stack.app.inject({ method: 'POST', url: '/api/session/new' })).json().session_id as string;
/** One caller turn; answers the system prompt of the LLM request it caused. */
const systemPromptOf = async (sid: string, words: string) => {
  const before = chats.length;
  const res = await postTurn(stack.app, { session_id: sid, call_direction: 'outgoing' }, wavSaying(words));
  expect(res.body.ok).toBe(true);
  expect(chats.length).toBe(before + 1);
  return chats.at(-1)![0].content;
};
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => stack.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } });
const eventsOf = async (type: string) =>
  (await stack.testDb.db.event.findMany({ where: { type }, orderBy: { seq: 'asc' } })).map((e) => JSON.parse(e.dataJson));

test('G27 session instruction replaces the base for that session only; a turn supplement serves one LLM turn', async () => {
  const a = await open();
  const b = await open();

  expect((await call('POST', `/api/instructions/${a}`, { text: 'You are a pirate.' })).json()).toEqual({ ok: true, session_id: a });
  expect((await call('POST', `/api/instructions/${a}/turn`, { text: 'Mention the parrot.' })).json()).toEqual({ ok: true, session_id: a, scope: 'turn' });
  expect((await call('GET', '/api/instructions')).json()).toEqual({ base: DEFAULT_SYSTEM_PROMPT, sessions: { [a]: 'You are a pirate.' } });

  expect(await systemPromptOf(a, 'ahoy')).toBe('You are a pirate.\n\nMention the parrot.');
  expect(await systemPromptOf(a, 'again')).toBe('You are a pirate.');
  expect(await systemPromptOf(b, 'hello')).toBe(DEFAULT_SYSTEM_PROMPT);

  // A queued supplement can be withdrawn, and the session override cleared.
  await call('POST', `/api/instructions/${a}/turn`, { text: 'Never said.' });
  expect((await call('DELETE', `/api/instructions/${a}/turn`)).json()).toEqual({ ok: true, session_id: a, scope: 'turn' });
  expect((await call('DELETE', `/api/instructions/${a}`)).json()).toEqual({ ok: true, session_id: a });
  expect(await systemPromptOf(a, 'back to normal')).toBe(DEFAULT_SYSTEM_PROMPT);

  const updates = (await eventsOf('instructions.updated')).filter((e) => e.session_id === a);
  expect(updates.map((e) => e.scope)).toEqual(['session', 'turn', 'turn', 'turn', 'session']);
});

test('POST /api/instructions sets and persists the base prompt for every session (G27 global)', async () => {
  const sid = await open();
  expect((await call('POST', '/api/instructions', { text: 'You are the front desk of Hotel Parley.' })).json()).toEqual({ ok: true, scope: 'global' });
  expect(await systemPromptOf(sid, 'is there a room?')).toBe('You are the front desk of Hotel Parley.');
  expect((await call('GET', '/api/instructions')).json().base).toBe('You are the front desk of Hotel Parley.');
  expect(await stack.testDb.db.setting.findUnique({ where: { key: 'llm_system_prompt' } })).toMatchObject({ value: 'You are the front desk of Hotel Parley.' });
  expect((await eventsOf('instructions.updated')).at(-1)).toEqual({ session_id: '', scope: 'global' });
  expect((await call('GET', `/api/agent/call/${sid}`)).json().instructions.base).toBe('You are the front desk of Hotel Parley.');
  await call('POST', '/api/instructions', { text: '' }); // back to the default for the other tests
});

test('errors: unknown sid 404, ended 409, no text 400', async () => {
  expect((await call('POST', '/api/instructions/never-seen', { text: 'x' })).statusCode).toBe(404);
  expect((await call('DELETE', '/api/instructions/never-seen/turn')).statusCode).toBe(404);
  expect((await call('POST', '/api/instructions', {})).statusCode).toBe(400);
  const sid = await open();
  expect((await call('POST', `/api/instructions/${sid}`, {})).statusCode).toBe(400);
  await call('POST', '/api/session/end', { session_id: sid });
  expect((await call('POST', `/api/instructions/${sid}`, { text: 'late' })).statusCode).toBe(409);
});
