/** Session semantics of turns: hints, clarify, ended/unknown sids, reset, stale, single-flight, replay, supersede, keep_history. */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { callSessionWorkflowId } from '../../common/ids';
import { callStateQuery } from '../../workflows/call-session/messages';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

let stack: Stack;
const transcriptions = { count: 0 };
let replyDelayMs = 0;
beforeAll(async () => {
  const base = instantEngines({ transcriptions });
  stack = await startStack({}, {
    engines: (speech) => {
      const engines = base(speech);
      return { ...engines, complete: async (m) => { if (replyDelayMs) await new Promise((r) => setTimeout(r, replyDelayMs)); return engines.complete(m); } };
    },
  });
});
afterAll(async () => stack.close());

const phone = { caller_number: '+15550100007', call_direction: 'outgoing' };
const greet = async () => (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hello.' }, wavSaying(''))).body.session_id as string;
const eventsOf = async (sid: string) =>
  (await stack.testDb.db.event.findMany({ where: { sessionId: sid }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, ...JSON.parse(e.dataJson) }));
const state = (sid: string) => stack.client.workflow.getHandle(callSessionWorkflowId(sid)).query(callStateQuery);

test('G14 skip_asr + hint → the hint, no ASR; empty ASR + hint → the hint', async () => {
  const sid = await greet();
  const before = transcriptions.count;
  const skipped = await postTurn(stack.app, { ...phone, session_id: sid, skip_asr: 'true', transcript_hint: 'use me' }, wavSaying('not me'));
  expect(skipped.body.transcript).toBe('use me');
  expect(transcriptions.count).toBe(before);
  const empty = await postTurn(stack.app, { ...phone, session_id: sid, transcript_hint: 'fallback' }, wavSaying(''));
  expect(empty.body.transcript).toBe('fallback');
});

test('G15 empty transcript → the clarify reply, history unchanged', async () => {
  const sid = await greet();
  const before = (await state(sid)).history.length;
  const res = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying(''));
  expect(res.body.reply).toBe('I could not hear that clearly. Please try again.');
  expect((await state(sid)).history.length).toBe(before);
});

test('G16 ended sid → ended body; unknown well-formed sid → created with source turn', async () => {
  const sid = await greet();
  await stack.app.inject({ method: 'POST', url: '/api/session/end', payload: { session_id: sid } });
  expect((await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('hi'))).body).toEqual({ ok: false, session_id: sid, ended: true, detail: 'session ended' });
  const fresh = 'brand-new-session-1';
  expect((await postTurn(stack.app, { ...phone, session_id: fresh }, wavSaying('hi'))).body).toMatchObject({ ok: true, session_id: fresh });
  expect((await eventsOf(fresh))[0]).toMatchObject({ type: 'session.started', source: 'turn' });
});

test('G09 reset with a form sid → {ok, session_id}, history wiped, session.started(reset)', async () => {
  const sid = await greet();
  await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('remember me'));
  expect((await state(sid)).history.length).toBeGreaterThan(0);
  const res = await stack.app.inject({ method: 'POST', url: '/api/session/reset', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `session_id=${sid}` });
  expect(res.json()).toEqual({ ok: true, session_id: sid });
  expect((await state(sid)).history).toEqual([]);
  expect((await eventsOf(sid)).filter((e) => e.type === 'session.started').map((e) => e.source)).toEqual(['turn', 'reset']);
  expect((await stack.app.inject({ method: 'POST', url: '/api/session/reset' })).json()).toEqual({ ok: true, session_id: '' });
});

test('G61 reset during a turn → turn.stale + stale body', async () => {
  const sid = await greet();
  replyDelayMs = 800;
  const turn = postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('slow one'));
  await new Promise((r) => setTimeout(r, 300));
  await stack.app.inject({ method: 'POST', url: '/api/session/reset', payload: { session_id: sid } });
  const res = await turn;
  replyDelayMs = 0;
  expect(res.body).toEqual({ ok: false, session_id: sid, stale: true, detail: 'session reset during turn' });
  expect((await eventsOf(sid)).some((e) => e.type === 'turn.stale' && e.reason === 'generation_changed')).toBe(true);
});

test('G62 identical concurrent turns → one run, same body, one turn.complete; different turns never overlap', async () => {
  const sid = await greet();
  replyDelayMs = 200;
  const fields = { ...phone, session_id: sid, request_id: 'same-request-1' };
  const [a, b] = await Promise.all([postTurn(stack.app, fields, wavSaying('one')), postTurn(stack.app, fields, wavSaying('one'))]);
  expect(a.body.turn_id).toBe(b.body.turn_id);
  expect(a.body).toEqual(b.body);
  const [c, d] = await Promise.all([postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('two')), postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('three'))]);
  replyDelayMs = 0;
  expect(c.body.turn_id).not.toBe(d.body.turn_id);
  const events = (await eventsOf(sid)).filter((e) => e.type.startsWith('turn.'));
  expect(events.filter((e) => e.type === 'turn.complete')).toHaveLength(4); // greeting + one + two + three
  // Never overlapping: every turn.started is followed by its own turn.complete before the next starts.
  const order = events.filter((e) => e.type === 'turn.started' || e.type === 'turn.complete').map((e) => `${e.type}:${e.turn_id}`);
  for (let i = 0; i < order.length; i += 2) expect(order[i].split(':')[1]).toBe(order[i + 1].split(':')[1]);
});

test('G63 a retry with the same request_id → the stored body, no new events or history', async () => {
  const sid = await greet();
  const fields = { ...phone, session_id: sid, request_id: 'retry-me-1' };
  const first = await postTurn(stack.app, fields, wavSaying('once'));
  const count = (await eventsOf(sid)).length;
  const history = (await state(sid)).history.length;
  const again = await postTurn(stack.app, fields, wavSaying('once'));
  expect(again.body).toEqual(first.body);
  expect((await eventsOf(sid)).length).toBe(count);
  expect((await state(sid)).history.length).toBe(history);
  // The same audio without an id is recognised by its hash too.
  const hashed = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('hash me'));
  expect((await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('hash me'))).body.turn_id).toBe(hashed.body.turn_id);
});

test('G60 a new greeting ends the same phone\'s older open session (superseded)', async () => {
  const older = await greet();
  const newer = await greet();
  expect(newer).not.toBe(older);
  expect((await eventsOf(older)).at(-1)).toMatchObject({ type: 'session.ended', reason: 'superseded' });
});

test('G64 past the history limit turns do not wait for compaction; the summary shows up later', async () => {
  const sid = await greet();
  for (let i = 0; i < 10; i++) await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying(`message number ${i}`));
  const deadline = Date.now() + 10_000;
  let s = await state(sid);
  while (!s.summary && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    s = await state(sid);
  }
  expect(s.summary).not.toBe('');
  expect(s.history.length).toBeLessThanOrEqual(2 * 8 + 2);
});

test('G70 sessions list and detail (unknown → 404); turns carry metrics and sources', async () => {
  const sid = await greet();
  await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('detail please'));
  const list = (await stack.app.inject({ method: 'GET', url: '/api/sessions' })).json();
  expect(list[0]).toMatchObject({ session_id: sid, status: 'active', turn_count: 2 });
  const detail = (await stack.app.inject({ method: 'GET', url: `/api/sessions/${sid}` })).json();
  expect(detail.turns.map((t: { reply_source: string }) => t.reply_source)).toEqual(['forced', 'llm']);
  expect(detail.turns[1]).toMatchObject({ transcript: 'detail please', forced_reply: false, model: 'instant-test-model' });
  const missing = await stack.app.inject({ method: 'GET', url: '/api/sessions/nope' });
  expect(missing.statusCode).toBe(404);
  expect(missing.json()).toEqual({ detail: 'Session not found' });
});

test('G65 keep_history: the same number calling again gets the earlier history; off → deleted', async () => {
  await stack.app.inject({ method: 'POST', url: '/api/config/call', payload: { keep_history: true } });
  const caller = { caller_number: '+15550100888', call_direction: 'incoming' };
  const first = (await postTurn(stack.app, { ...caller, reset_session: 'true', forced_reply: 'Hi.' }, wavSaying(''))).body.session_id;
  await postTurn(stack.app, { ...caller, session_id: first }, wavSaying('my name is Ada'));
  const second = (await postTurn(stack.app, { ...caller, reset_session: 'true', forced_reply: 'Hi again.' }, wavSaying(''))).body.session_id;
  expect((await state(second)).history.map((m) => m.content)).toEqual(expect.arrayContaining(['my name is Ada']));
  await stack.app.inject({ method: 'POST', url: '/api/config/call', payload: { keep_history: false } });
  await postTurn(stack.app, { ...caller, reset_session: 'true', forced_reply: 'Hello.' }, wavSaying(''));
  expect(await stack.testDb.db.callerHistory.findUnique({ where: { number: '+15550100888' } })).toBeNull();
});
