/**
 * WS /ws over a real socket, on SQLite and PostgreSQL: auth, the duplicate-client policy,
 * refusals, and an inbound simulated call whose caller turn goes to the bot and whose answer
 * the caller hears. The bot is test/support/clawdtalk-bot.ts with a fake OpenClaw gateway.
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createApiKey } from '../../infra/api-keys';
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { BOT_GREETING, TestBot } from '../support/clawdtalk-bot';
import { startFakeOpenClawGateway, type FakeOpenClawGateway } from '../support/fake-openclaw-gateway';
import { scriptedLines } from '../support/scripted-lines';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
let gateway: FakeOpenClawGateway;
let key: string;
let base: string;
const open: TestBot[] = [];
const connect = (apiKey = key) => {
  const bot = new TestBot(`${base.replace('http', 'ws')}/ws`, apiKey, gateway);
  open.push(bot);
  return bot;
};

beforeAll(async () => {
  gateway = await startFakeOpenClawGateway();
  gateway.setReply(() => 'The bot says nine o clock.');
  stack = await startStack({ PARLEY_LOG_LEVEL: 'silent', PARLEY_EVENT_POLL_MS: '20' }, { engines: instantEngines(), lines: (db, config) => scriptedLines(db, config.missions.lines) });
  key = (await createApiKey(stack.testDb.db, { name: 'bot' })).key;
  await stack.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const bot of open) bot.close();
  await stack?.close();
  await gateway?.close();
});

test('a wrong key, or anything but auth first, gets auth_error and a closed socket', async () => {
  const wrong = connect('prl_live_00000000000000000000000000000000');
  expect((await wrong.waitFor((m) => m.type === 'auth_error')).message).toMatch(/invalid API key/);
  expect((await wrong.closed).code).toBe(1008);
  const rude = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  const answers: Array<Record<string, unknown>> = [];
  rude.on('message', (raw) => answers.push(JSON.parse(String(raw))));
  rude.on('open', () => rude.send(JSON.stringify({ type: 'response', call_id: 'x', text: 'hello' })));
  const code = await new Promise<number>((resolve) => rude.on('close', (c) => resolve(c)));
  expect(code).toBe(1008);
  expect(answers).toEqual([{ type: 'auth_error', message: expect.stringMatching(/first message must be/) }]);
});

test('an inbound call to the line: context_request, the bot greets, its answer to the caller turn is heard, call.ended', async () => {
  const bot = connect();
  await bot.waitFor((m) => m.type === 'auth_ok');
  // The phone's turns as the app posts them (contract §2.2), naming the line it rings on.
  const post = async (fields: Record<string, string>, audio?: Buffer) => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ caller_number: '+15550107777', call_direction: 'incoming', ...fields })) form.set(k, v);
    if (audio) form.set('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'turn.wav');
    return (await (await fetch(`${base}/api/turn`, { method: 'POST', body: form })).json()) as { session_id: string; reply: string };
  };
  const greeting = await post({ reset_session: 'true', forced_reply: 'Hello.', line_number: '+15550100001' }, wavSaying(''));
  const sid = greeting.session_id;
  expect(greeting.reply).toBe(BOT_GREETING);
  const context = await bot.event('context_request');
  expect(context).toMatchObject({ call_id: sid, direction: 'inbound', to_number: '+15550100001' });
  const answer = await post({ session_id: sid }, wavSaying('when is my appointment'));
  expect(await bot.event('deep_tool_request')).toMatchObject({ call_id: sid, query: 'when is my appointment' });
  expect(answer.reply).toBe('The bot says nine o clock.');
  await fetch(`${base}/api/session/end`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_id: sid }) });
  expect(await bot.event('call.ended', (e) => e.call_id === sid)).toMatchObject({ direction: 'inbound', reason: 'user_hangup' });
  const complete = await stack.testDb.db.event.findFirst({ where: { sessionId: sid, type: 'turn.complete' }, orderBy: { seq: 'desc' } });
  expect(JSON.parse(complete!.dataJson)).toMatchObject({ reply_source: 'bot', deep_tool: { status: 'answered' } });
  bot.close();
  await bot.closed;
});

test('the newest client wins: the older one is closed with 4000; refusals are error messages', async () => {
  const first = connect();
  await first.waitFor((m) => m.type === 'auth_ok');
  const second = connect();
  await second.waitFor((m) => m.type === 'auth_ok');
  expect((await first.closed).code).toBe(4000);
  second.send({ type: 'deep_tool_result', request_id: 'nobody-asked', text: 'hello' });
  expect((await second.waitFor((m) => m.type === 'error')).message).toMatch(/unknown request_id/);
  second.send({ type: 'response', call_id: 'no-such-call', text: 'hello' });
  expect((await second.waitFor((m) => m.type === 'error' && /call_id/.test(m.message))).message).toMatch(/unknown call_id/);
  second.send({ type: 'context_response' });
  expect((await second.waitFor((m) => m.type === 'error' && /malformed/.test(m.message))).message).toMatch(/context_response/);
});
