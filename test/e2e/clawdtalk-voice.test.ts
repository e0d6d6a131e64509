/**
 * The ClawdTalk voice plane against a fresh `npm start`: a client written from the contract
 * (test/support/clawdtalk-bot.ts) drives `WS /ws` the way ws-client.js does, with a local fake of
 * the OpenClaw gateway behind it. Wrong key, outbound call events, SMS, an inbound simulated call
 * whose caller hears the bot's answer, approvals, the worker killed while a deep_tool_request is
 * pending, and `call.sh end` hanging up a live call (and its voice session) at once.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { silenceWav } from '../../infra/speech/wav';
import { SimPhone, type SimEvent } from '../../infra/telephony/sim-phone';
import { BOT_GREETING, BOT_MEMORY, BOT_SYSTEM_PROMPT, TestBot } from '../support/clawdtalk-bot';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { startFakeOpenClawGateway, type FakeOpenClawGateway } from '../support/fake-openclaw-gateway';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { ROOT, TMP_DIR } from '../support/paths';

jest.setTimeout(300_000);

const QUESTION = 'What is on my calendar tomorrow?';
const LINE = '+15550100001';
let llm: FakeOpenAIServer;
let gateway: FakeOpenClawGateway;
let parley: Started;
let api: string;
let ws: string;
let key: string;
let bot: TestBot;

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply('Local model reply.');
  llm.setTranscript(QUESTION);
  gateway = await startFakeOpenClawGateway();
  gateway.setReply((message) => (message.includes(QUESTION) ? 'You have the dentist at nine tomorrow.' : 'Noted.'));
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const personas = path.join(TMP_DIR, `voice-personas-${process.pid}.json`);
  const talker = { name: 'Long talker', voice: 'en-us', speed: 1, lines: Array.from({ length: 300 }, (_, i) => `Line ${i + 1} of a long talk.`) };
  fs.writeFileSync(personas, JSON.stringify({ default: { name: 'Short', voice: 'en-us', speed: 1, lines: ['Hello there.', 'Thanks, bye.'] }, '+15550100505': talker }));
  const ports = await embeddedEnv({ PARLEY_SIM_PACE: 'fast', PARLEY_SIM_PERSONAS: personas, PARLEY_LLM_BASE_URL: llm.url, PARLEY_ASR_BASE_URL: llm.url, PARLEY_TTS_BASE_URL: llm.url, PARLEY_BOT_DEEP_TOOL_TIMEOUT: '30' });
  key = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'parley.js'), 'keys', 'create', '--name', 'voice'], { env: ports.env, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  parley = await npmStart(ports.env);
  api = `http://127.0.0.1:${ports.port}`;
  ws = `ws://127.0.0.1:${ports.port}/ws`;
});
afterAll(async () => {
  if (process.env.VOICE_E2E_LOG && parley) fs.writeFileSync(process.env.VOICE_E2E_LOG, parley.output());
  bot?.close();
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
  await gateway?.close();
  await llm?.close();
});

async function v1(method: string, endpoint: string, data?: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await fetch(`${api}/v1${endpoint}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: data ? JSON.stringify(data) : undefined });
  const body = await res.json();
  if (res.status >= 400) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body as Record<string, any>;
}

async function session(sid: string): Promise<Record<string, any>> {
  return (await fetch(`${api}/api/sessions/${sid}`)).json() as Promise<Record<string, any>>;
}

/** The newest voice session of a number (the phone API lists sessions, newest first). */
async function latestSessionOf(number: string): Promise<Record<string, any> | undefined> {
  const list = (await (await fetch(`${api}/api/sessions`)).json()) as Array<{ session_id: string }>;
  for (const { session_id } of list) {
    const s = await session(session_id);
    if (s.caller_number === number) return s;
  }
  return undefined;
}

/** A caller rings the account's line: the simulated phone in this process, as `parley phone --direction incoming`. */
function inboundCall(lines: string[]) {
  const events: SimEvent[] = [];
  const phone = new SimPhone({
    baseUrl: api,
    number: '+15550107777',
    line: LINE,
    direction: 'incoming',
    pace: 'fast',
    persona: { name: 'Caller', lines },
    synthesize: async () => silenceWav(400, 16_000),
    onEvent: (e) => events.push(e),
  });
  return { phone, events, done: phone.run() };
}

test('a wrong key gets auth_error and a closed socket', async () => {
  const wrong = new TestBot(ws, 'prl_live_00000000000000000000000000000000', gateway);
  const error = await wrong.waitFor((m) => m.type === 'auth_error');
  expect(error.message).toEqual(expect.any(String));
  expect((await wrong.closed).code).not.toBe(4000);
});

test('the right key gets auth_ok', async () => {
  bot = new TestBot(ws, key, gateway);
  await bot.waitFor((m) => m.type === 'auth_ok');
});

test('an outbound /v1/calls call produces call.started, then call.ended with ClawdTalk fields', async () => {
  const call = await v1('POST', '/calls', { to: '+15550100042', greeting: 'Hello, calling about your order.', context: { purpose: 'Confirm the delivery time' } });
  const started = await bot.event('call.started', (e) => e.call_id === call.call_id);
  expect(started).toMatchObject({ type: 'event', direction: 'outbound', to_number: '+15550100042' });
  const ended = await bot.event('call.ended', (e) => e.call_id === call.call_id, 60_000);
  expect(ended).toMatchObject({ direction: 'outbound', reason: 'user_hangup', to_number: '+15550100042', purpose: 'Confirm the delivery time' });
  expect(ended.duration_seconds).toEqual(expect.any(Number));
  expect(ended.outcome).toBeUndefined();
  expect(bot.events.indexOf(started)).toBeLessThan(bot.events.indexOf(ended));
  // The callee's turns went to the bot too (policy every_turn), and its answers were spoken.
  const callee = await latestSessionOf('+15550100042');
  expect(callee?.turns.some((t: { reply_source: string }) => t.reply_source === 'bot')).toBe(true);
});

test('an SMS reply produces sms.received', async () => {
  const sent = await v1('POST', '/messages/send', { to: '+15550100042', message: 'Are you free at ten?' });
  const received = await bot.event('sms.received', (e) => e.from === '+15550100042');
  expect(received.body).toContain('Are you free at ten?');
  expect(received.message_id).toBe(`${sent.id}-reply`);
});

test('an inbound simulated call: context_request, the bot greets, a deep_tool_request, and the caller hears the answer', async () => {
  const call = inboundCall([QUESTION]);
  const context = await bot.event('context_request');
  const deep = await bot.event('deep_tool_request', (e) => e.call_id === context.call_id);
  expect(deep).toMatchObject({ query: QUESTION, request_id: expect.any(String) });
  expect(bot.events.filter((e) => e.event === 'call.started' && e.call_id === context.call_id)).toEqual([]);
  const result = await call.done;
  expect(result.outcome).toBe('completed');
  const heard = call.events.filter((e): e is Extract<SimEvent, { type: 'turn' }> => e.type === 'turn').map((e) => e.reply);
  expect(heard).toEqual([BOT_GREETING, 'You have the dentist at nine tomorrow.']);
  const turns = (await session(result.session_id)).turns;
  expect(turns.at(-1)).toMatchObject({ transcript: QUESTION, reply: 'You have the dentist at nine tomorrow.', reply_source: 'bot', model: 'bot' });
  const ended = await bot.event('call.ended', (e) => e.call_id === context.call_id);
  expect(ended).toMatchObject({ direction: 'inbound', reason: 'user_hangup' });
});

test('an approval decision produces approval.responded', async () => {
  const created = await v1('POST', '/approvals', { action: 'Send the weekly summary', expires_in: 60 });
  await v1('POST', `/approvals/${created.request_id}/approve`);
  const responded = await bot.event('approval.responded', (e) => e.request_id === created.request_id);
  expect(responded.decision).toBe('approved');
});

test('the worker killed while a deep_tool_request is pending: the answer is still spoken', async () => {
  gateway.hold();
  const call = inboundCall([QUESTION]);
  const context = await bot.event('context_request', (e) => !bot.events.some((x) => x.event === 'call.ended' && x.call_id === e.call_id));
  await bot.event('deep_tool_request', (e) => e.call_id === context.call_id);
  // The bot's context_response became the live call's system prompt and context (inbound call_id = session id).
  const instructions = (await (await fetch(`${api}/api/instructions`)).json()) as { sessions: Record<string, string> };
  expect(instructions.sessions[context.call_id]).toBe(BOT_SYSTEM_PROMPT);
  expect(await (await fetch(`${api}/api/agent/context/${context.call_id}`)).json()).toMatchObject({ knowledge: BOT_MEMORY });
  const before = childRunning(parley, 'worker/main.ts')!;
  process.kill(before, 'SIGKILL');
  const deadline = Date.now() + 60_000;
  let after: number | undefined;
  while (!(after = childRunning(parley, 'worker/main.ts')) || after === before) {
    if (Date.now() > deadline) throw new Error('the supervisor did not restart the worker');
    await new Promise((r) => setTimeout(r, 200));
  }
  gateway.release();
  const result = await call.done;
  const heard = call.events.filter((e): e is Extract<SimEvent, { type: 'turn' }> => e.type === 'turn').map((e) => e.reply);
  expect(heard.at(-1)).toBe('You have the dentist at nine tomorrow.');
  expect((await session(result.session_id)).turns.at(-1)).toMatchObject({ reply_source: 'bot' });
});

test('call.sh end hangs a live call up within 2 s, and its voice session ends with it', async () => {
  await new Promise((r) => setTimeout(r, 3000)); // the restarted worker's lines are up
  const call = await v1('POST', '/calls', { to: '+15550100505' });
  await bot.event('call.started', (e) => e.call_id === call.call_id);
  let sid = '';
  const deadline = Date.now() + 30_000;
  while (!sid && Date.now() < deadline) {
    const live = (await v1('GET', `/calls/${call.call_id}`)).status === 'in-progress' ? await latestSessionOf('+15550100505') : undefined;
    if (live && live.turns.length >= 2) sid = live.session_id;
    else await new Promise((r) => setTimeout(r, 100));
  }
  expect(sid).not.toBe('');
  const t0 = performance.now();
  const ended = await v1('POST', `/calls/${call.call_id}/end`, { reason: 'user_ended' });
  const ms = performance.now() - t0;
  console.log(`call.sh end answered in ${Math.round(ms)} ms`);
  expect(ms).toBeLessThan(2000);
  expect(['completed', 'canceled']).toContain(ended.status);
  const until = Date.now() + 5_000;
  let status = '';
  while ((status = (await session(sid)).status) !== 'ended' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  expect(status).toBe('ended');
  await bot.event('call.ended', (e) => e.call_id === call.call_id);
});
