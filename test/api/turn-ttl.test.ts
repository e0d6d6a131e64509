/** G59: idle sessions end after session_ttl, never in the middle of a turn; G61 end during a turn. */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

let stack: Stack;
let replyDelayMs = 0;
beforeAll(async () => {
  const base = instantEngines();
  stack = await startStack({ PARLEY_SESSION_TTL: '2' }, {
    engines: (speech) => {
      const engines = base(speech);
      return { ...engines, complete: async (m) => { await new Promise((r) => setTimeout(r, replyDelayMs)); return engines.complete(m); } };
    },
  });
});
afterAll(async () => stack.close());

const phone = { caller_number: '+15550100066', call_direction: 'outgoing' };
const endOf = async (sid: string) => {
  const row = await stack.testDb.db.event.findFirst({ where: { sessionId: sid, type: 'session.ended' } });
  return row ? JSON.parse(row.dataJson).reason : null;
};

test('G59 a turn longer than session_ttl completes; the session ends (stale) only after it is idle', async () => {
  const sid = (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hi.' }, wavSaying(''))).body.session_id;
  replyDelayMs = 3500;
  const slow = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('take your time'));
  replyDelayMs = 0;
  expect(slow.body).toMatchObject({ ok: true, reply: 'You said: take your time' });
  expect(await endOf(sid)).toBeNull();
  const deadline = Date.now() + 10_000;
  while ((await endOf(sid)) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(await endOf(sid)).toBe('stale');
});

test('G61 end during a turn → turn.stale + stale body, then session.ended(end_session)', async () => {
  const sid = (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hi.' }, wavSaying(''))).body.session_id;
  replyDelayMs = 800;
  const turn = postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('slow'));
  await new Promise((r) => setTimeout(r, 300));
  const ended = await stack.app.inject({ method: 'POST', url: '/api/session/end', payload: { session_id: sid } });
  const res = await turn;
  replyDelayMs = 0;
  expect(ended.json()).toEqual({ ok: true, session_id: sid });
  expect(res.body).toEqual({ ok: false, session_id: sid, stale: true, detail: 'session reset during turn' });
  expect(await endOf(sid)).toBe('end_session');
});
