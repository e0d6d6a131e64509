/** The inject queue (contract §5; G28–G32, phone side). */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { callSessionWorkflowId } from '../../common/ids';
import { callStateQuery } from '../../workflows/call-session/messages';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const transcriptions = { count: 0 };
const chats: Array<Array<{ role: string; content: string }>> = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ transcriptions, chats }) });
});
afterAll(async () => stack.close());

const phone = { caller_number: '+15550100055', call_direction: 'outgoing' };
const greet = async () => (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hello.' }, wavSaying(''))).body.session_id as string;
const inject = (url: string, payload: object) => stack.app.inject({ method: 'POST', url, payload });

test('G28/G29 the next turns deliver injects FIFO without ASR/LLM; they join history and turns; G32 agent.inject', async () => {
  const sid = await greet();
  const first = await inject('/api/call/inject', { text: 'Your table is ready.', session_id: sid });
  expect(first.json()).toMatchObject({ ok: true, session_id: sid, queue_depth: 1 });
  expect(typeof first.json().tts_ms).toBe('number');
  const second = await inject('/api/agent/inject', { text: 'Second message.', session_id: sid });
  expect(second.json().queue_depth).toBe(2);

  const event = await stack.testDb.db.event.findFirst({ where: { sessionId: sid, type: 'agent.inject' } });
  expect(JSON.parse(event!.dataJson)).toMatchObject({ text: 'Your table is ready.', inject_id: first.json().inject_id, queue_depth: 1 });

  const chatsBefore = chats.length;
  const a = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('hello?'));
  expect(a.body).toMatchObject({ ok: true, reply: 'Your table is ready.', transcript: '', model: 'inject', inject_id: first.json().inject_id, asr_ms: 0, total_ms: 0 });
  expect(a.body.metrics).toMatchObject({ llm_model: 'inject' });
  const b = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('and?'));
  expect(b.body).toMatchObject({ reply: 'Second message.', model: 'inject' });
  expect(chats.length).toBe(chatsBefore);

  const types = (await stack.testDb.db.event.findMany({ where: { sessionId: sid }, orderBy: { seq: 'asc' } })).map((e) => e.type);
  expect(types.slice(-3)).toEqual(['turn.started', 'turn.reply', 'turn.complete']);
  const detail = (await stack.app.inject({ method: 'GET', url: `/api/sessions/${sid}` })).json();
  expect(detail.turns.map((t: { reply_source: string }) => t.reply_source)).toEqual(['forced', 'inject', 'inject']);
  // The caller's words on inject polls are transcribed afterwards and kept as user messages.
  const deadline = Date.now() + 10_000;
  let history = (await stack.client.workflow.getHandle(callSessionWorkflowId(sid)).query(callStateQuery)).history;
  while (!history.some((m) => m.content === 'and?') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    history = (await stack.client.workflow.getHandle(callSessionWorkflowId(sid)).query(callStateQuery)).history;
  }
  expect(history.map((m) => m.content)).toEqual(['Hello.', 'Your table is ready.', 'hello?', 'Second message.', 'and?']);
});

test('G30 without a sid the most recently active session gets it; G31 errors', async () => {
  await greet();
  const latest = await greet(); // supersedes the first: the latest is the only active one
  expect((await inject('/api/call/inject', { text: 'hi' })).json()).toMatchObject({ ok: true, session_id: latest });
  expect((await inject('/api/agent/inject', { text: 'hi', session_id: '' })).json()).toMatchObject({ ok: true, session_id: latest });

  expect((await inject('/api/call/inject', { session_id: latest })).statusCode).toBe(400);
  expect((await inject('/api/call/inject', { text: 'x', session_id: 'never-seen' })).statusCode).toBe(404);
  await stack.app.inject({ method: 'POST', url: '/api/session/end', payload: { session_id: latest } });
  const ended = await inject('/api/call/inject', { text: 'x', session_id: latest });
  expect(ended.statusCode).toBe(409);
  const none = await inject('/api/call/inject', { text: 'x' });
  expect(none.statusCode).toBe(400);
  expect(none.json()).toEqual({ detail: 'no active session' });
});
