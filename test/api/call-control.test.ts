/** Dial and hangup through the driver (G55–G58), /api/asr (G08) and /health's contract fields (G07). */
import type { DialInput, HangupInput, TelephonyDriver } from '../../infra/telephony/driver';
import { espeakSpeak } from '../support/speech';
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';
import { createSpeechEngines } from '../../infra/speech';

const dials: DialInput[] = [];
const hangups: HangupInput[] = [];
const driver: TelephonyDriver = {
  async dial(input) {
    dials.push(input);
    return { ok: true, detail: 'Broadcast completed: result=0', command_id: 'parley-test-1', serial: 'SERIAL1' };
  },
  async hangup(input) {
    hangups.push(input);
    return { ok: true, detail: 'Broadcast completed: result=0', serial: 'SERIAL1' };
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines(), telephony: driver });
});
afterAll(async () => stack.close());

const post = (url: string, payload: unknown) => stack.app.inject({ method: 'POST', url, payload: payload as object });
const lastEvent = async (type: string) => {
  const row = await stack.testDb.db.event.findFirst({ where: { type }, orderBy: { seq: 'desc' } });
  return row ? { session_id: row.sessionId, ...JSON.parse(row.dataJson) } : null;
};

test('G55 dial a valid number → driver called with the E.164 number, ok + call.dial event', async () => {
  const res = await post('/api/call/dial', { number: '+49 151 12345678' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ ok: true, detail: 'Broadcast completed: result=0', command_id: 'parley-test-1', serial: 'SERIAL1' });
  expect(dials.at(-1)).toEqual({ number: '+4915112345678', serial: undefined });
  expect(await lastEvent('call.dial')).toMatchObject({ session_id: '', command_id: 'parley-test-1', serial: 'SERIAL1' });
});

test('G56 dial "123; reboot", "112" or "" → ok false, HTTP 200, no driver call', async () => {
  const before = dials.length;
  for (const number of ['123; reboot', '112', '']) {
    const res = await post('/api/call/dial', { number });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: false, detail: 'invalid number: E.164 required' });
  }
  expect(dials.length).toBe(before);
});

test('G58 hangup with a sid → session.ended(hangup), call.hangup, sid in body; without → the only active one', async () => {
  const first = (await postTurn(stack.app, { reset_session: 'true', forced_reply: 'Hi.', call_direction: 'outgoing' }, wavSaying(''))).body.session_id;
  const res = await post('/api/call/hangup', { session_id: first });
  expect(res.json()).toEqual({ ok: true, detail: 'Broadcast completed: result=0', session_id: first });
  const ended = await stack.testDb.db.callSession.findUnique({ where: { id: first } });
  expect(ended).toMatchObject({ status: 'ended', endReason: 'hangup' });
  expect(await lastEvent('call.hangup')).toMatchObject({ ok: true, session_id: first });

  const second = (await postTurn(stack.app, { reset_session: 'true', forced_reply: 'Hi.', call_direction: 'outgoing' }, wavSaying(''))).body.session_id;
  const bare = await stack.app.inject({ method: 'POST', url: '/api/call/hangup', headers: { 'content-type': 'application/json' } });
  expect(bare.json()).toEqual({ ok: true, detail: 'Broadcast completed: result=0', session_id: second });
  expect(hangups.at(-1)).toEqual({ serial: undefined, session_id: undefined });
});

test('G08 /api/asr → {transcript, asr_ms} from real local ASR; bad audio → 400; no events', async () => {
  const asrStack = await startStack({}, { engines: (speech) => createSpeechEngines(speech) });
  try {
    const before = await asrStack.testDb.db.event.count();
    const form = new FormData();
    form.append('audio', new Blob([new Uint8Array(await espeakSpeak('How are you doing?'))]), 'turn.wav');
    const request = new Request('http://x/api/asr', { method: 'POST', body: form });
    const res = await asrStack.app.inject({ method: 'POST', url: '/api/asr', headers: { 'content-type': request.headers.get('content-type')! }, payload: Buffer.from(await request.arrayBuffer()) });
    expect(res.statusCode).toBe(200);
    expect(res.json().transcript).toMatch(/how are you/i);
    expect(typeof res.json().asr_ms).toBe('number');

    const badForm = new FormData();
    badForm.append('audio', new Blob([new Uint8Array(Buffer.from('not a wav file'))]), 'turn.wav');
    const badReq = new Request('http://x/api/asr', { method: 'POST', body: badForm });
    const bad = await asrStack.app.inject({ method: 'POST', url: '/api/asr', headers: { 'content-type': badReq.headers.get('content-type')! }, payload: Buffer.from(await badReq.arrayBuffer()) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/^ASR failed: /);
    expect(await asrStack.testDb.db.event.count()).toBe(before);
  } finally {
    await asrStack.close();
  }
});

test('G07 /health has the §2.1 fields and answers in < 1 s with a provider down', async () => {
  await stack.app.inject({ method: 'POST', url: '/api/config/call', payload: {} });
  // Written as an operator's change is (through the settings service), so /health sees it at once.
  await stack.app.runtimeSettings.save({ llm_base_url: 'http://127.0.0.1:9/v1' });
  const started = Date.now();
  const res = await stack.app.inject({ method: 'GET', url: '/health' });
  expect(Date.now() - started).toBeLessThan(1000);
  const body = res.json();
  for (const key of ['ok', 'asr', 'llm', 'tts', 'mlx_audio', 'active_sessions', 'uptime_s']) expect(body).toHaveProperty(key);
  expect(body.llm).toMatchObject({ ok: false, engine: 'openai' });
  expect(body.tts).toMatchObject({ ok: true, engine: 'espeak' });
});
