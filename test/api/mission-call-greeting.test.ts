/** A call the missions plane placed speaks its assistant's instructions and greeting (issue 5 item 4). */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const chats: Array<Array<{ role: string; content: string }>> = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ chats }) });
});
afterAll(async () => stack.close());

test('the greeting turn of a mission call says the assistant greeting; its LLM turns use the assistant instructions', async () => {
  const to = '+13125550177';
  await stack.testDb.db.callRecord.create({
    data: { id: 'call-greeting-test', accountId: 'acct', from: '+15550100001', to, status: 'ringing', greeting: 'Hi, this is Quoter from Parley.', instructions: 'You collect quotes for washing machines.' },
  });
  const phone = { caller_number: to, call_direction: 'outgoing' };
  const greeting = await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: "Hi, this is the owner's assistant calling." }, wavSaying(''));
  expect(greeting.body).toMatchObject({ ok: true, reply: 'Hi, this is Quoter from Parley.', model: '' });
  const before = chats.length;
  await postTurn(stack.app, { ...phone, session_id: greeting.body.session_id }, wavSaying('how much is it'));
  expect(chats[before][0].content).toBe('You collect quotes for washing machines.');

  // Any other call greets with what the phone asked for.
  const other = await postTurn(stack.app, { caller_number: '+13125550178', call_direction: 'outgoing', reset_session: 'true', forced_reply: 'Hello there.' }, wavSaying(''));
  expect(other.body.reply).toBe('Hello there.');
});
