/** G37: with default settings a silent takeover holder still lets /api/turn answer within 40 s. */
import type { AddressInfo } from 'node:net';
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';
import { TestAgent } from '../support/agent';

jest.setTimeout(90_000);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines() });
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => stack.close());

test('G37 a silent agent with the default agent_takeover_timeout (30 s): the LLM answers in < 40 s', async () => {
  const agent = await TestAgent.connect(`ws://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}/api/agent/ws`);
  const sid = (await stack.app.inject({ method: 'POST', url: '/api/session/new' })).json().session_id;
  expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true });
  const started = Date.now();
  const pending = postTurn(stack.app, { session_id: sid, caller_number: '+15550100099', call_direction: 'outgoing' }, wavSaying('hello'));
  const request = await agent.next((m) => m.type === 'turn.request');
  expect(request.timeout_ms).toBe(30_000);
  const res = await pending;
  const took = Date.now() - started;
  expect(res.body).toMatchObject({ ok: true, model: 'instant-test-model' });
  expect(took).toBeGreaterThanOrEqual(29_000);
  expect(took).toBeLessThan(40_000);
  await agent.close();
});
