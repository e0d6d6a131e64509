/** A provider that keeps failing: the turn answers the contract's 500 + turn.error, the call goes on. */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const fail: { llm?: boolean } = {};
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ fail }) });
});
afterAll(async () => stack.close());

test('LLM down: 500 {detail} and turn.error after Temporal retried; the next turn works', async () => {
  const phone = { caller_number: '+15550100077', call_direction: 'outgoing' };
  const sid = (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hi.' }, wavSaying(''))).body.session_id;
  fail.llm = true;
  const failed = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('are you there'));
  expect(failed.status).toBe(500);
  expect(failed.body.detail).toMatch(/instant LLM told to fail/);
  const events = await stack.testDb.db.event.findMany({ where: { sessionId: sid, type: 'turn.error' } });
  expect(events).toHaveLength(1);

  fail.llm = false;
  const next = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('now?'));
  expect(next.body).toMatchObject({ ok: true, reply: 'You said: now?' });
});
